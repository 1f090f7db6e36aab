"""Drive load with wrk, from its own process, and read back what it measured."""

import json
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
RESULT_MARKER = "BENCH-RESULT "


@dataclass(frozen=True)
class PlannedRequest:
    """One request of a scenario, as wrk sends it."""

    method: str
    path: str
    authorization: str = ""
    body: dict | None = None

    def plan_line(self):
        body = json.dumps(self.body) if self.body is not None else ""
        return "\t".join([self.method, self.path, self.authorization, body])


@dataclass(frozen=True)
class Measurement:
    """What one timed wrk run saw."""

    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rps(self):
        return self.requests / self.seconds if self.seconds else 0.0


def ensure_wrk():
    """Return wrk's path, installing Debian's package first when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise SystemExit(
            "wrk is not installed: install it (Debian/Ubuntu: apt-get install wrk, "
            "macOS: brew install wrk) and run the benchmark again"
        )
    logger.info("Installing wrk with apt-get")
    quiet = {"stdout": subprocess.DEVNULL, "check": True}
    subprocess.run(["apt-get", "update", "-qq"], **quiet)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet)
    return shutil.which("wrk")


def wrk_version(wrk):
    """Return wrk's version line."""
    result = subprocess.run([wrk, "--version"], capture_output=True, text=True)
    return (result.stdout or result.stderr).splitlines()[0].split(" Copyright")[0]


def write_plan(path, requests):
    """Write a scenario's requests where the wrk script reads them."""
    path.write_text("".join(f"{request.plan_line()}\n" for request in requests))
    return path


def run_wrk(wrk, url, plan, *, expected_status, connections, seconds):
    """Load ``url`` with ``connections`` keep-alive clients; return the figures."""
    command = [
        wrk,
        "--threads=1",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={WRK_SCRIPT}",
        url,
        "--",
        str(plan),
        str(expected_status),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next(
        (line for line in result.stdout.splitlines() if line.startswith(RESULT_MARKER)),
        None,
    )
    if line is None:
        raise RuntimeError(f"wrk reported nothing:\n{result.stdout}{result.stderr}")
    figures = json.loads(line.removeprefix(RESULT_MARKER))
    return Measurement(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        errors=figures["wrong_status"] + figures["socket_errors"],
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        max_ms=figures["max_us"] / 1000,
    )
