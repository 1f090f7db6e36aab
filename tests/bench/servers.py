"""The servers under load: the three services and the ceiling, as deployed."""

import concurrent.futures
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import yaml

from tests.conftest import ROOT, ServiceProcess, free_port

KUSTOMIZATION = ROOT / "kubernetes" / "base" / "kustomization.yaml"


def deployed_settings():
    """Return the settings every pod gets from ConfigMap ``edu-platform``.

    The address to bind is the benchmark's own: loopback, a free port.
    """
    generators = yaml.safe_load(KUSTOMIZATION.read_text())["configMapGenerator"]
    shared = next(item for item in generators if item["name"] == "edu-platform")
    settings = dict(literal.split("=", 1) for literal in shared["literals"])
    for local in ("HTTP_HOST", "HTTP_PORT"):
        settings.pop(local, None)
    return settings


class Platform:
    """admin-, teacher- and student-service wired to each other, and two more.

    A second student-service whose teacher-service is a closed port serves
    the circuit-open scenario; the ceiling is a bare DRF project under the
    same gunicorn settings.
    """

    def __init__(self, database_url, *, log_dir, jwt_secret):
        common = {**deployed_settings(), "JWT_SECRET": jwt_secret}
        self.settings = common

        def service(key, name, **env):
            return ServiceProcess(
                key,
                database_url=database_url,
                env={**common, **env},
                log_path=Path(log_dir, f"{name}.log"),
            )

        self.admin = service("admin", "admin-service")
        self.teacher = service(
            "teacher", "teacher-service", ADMIN_SERVICE_URL=self.admin.url
        )
        self.student = service(
            "student", "student-service", TEACHER_SERVICE_URL=self.teacher.url
        )
        self.cut_off_student = service(
            "student",
            "student-service-cut-off",
            TEACHER_SERVICE_URL=f"http://127.0.0.1:{free_port()}",
            # Open for the whole run once it has opened.
            CIRCUIT_OPEN_DURATION="86400",
        )
        self.ceiling = Ceiling(
            database_url, env=common, log_path=Path(log_dir, "ceiling.log")
        )
        self.services = [self.admin, self.teacher, self.student]

    @property
    def servers(self):
        """Return each server under load by the name the report gives it."""
        return {
            "admin-service": self.admin,
            "teacher-service": self.teacher,
            "student-service": self.student,
            "student-service (circuit open)": self.cut_off_student,
            "ceiling": self.ceiling,
        }

    def migrate(self):
        for service in self.services:
            service.migrate()

    def start(self):
        for server in self.servers.values():
            server.start(wait=False)
        for server in self.servers.values():
            server.wait_until_serving()

    def stop(self):
        for server in self.servers.values():
            server.stop()


class Ceiling(ServiceProcess):
    """The bare DRF project of ``tests.bench.ceiling``, served by gunicorn."""

    def __init__(self, database_url, *, env, log_path):
        super().__init__(
            "ceiling", database_url=database_url, env=env, log_path=log_path
        )
        self.env["DJANGO_SETTINGS_MODULE"] = "tests.bench.ceiling.settings"

    def start(self, wait=True):
        if self._log is None:
            self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        command = [
            *(sys.executable, "-m", "gunicorn"),
            *("-c", "python:edu_common.gunicorn_conf"),
            "tests.bench.ceiling.wsgi",
        ]
        self.process = subprocess.Popen(
            command, env=self.env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )
        if wait:
            self.wait_until_serving()
        return self

    def wait_until_serving(self, path="/ceiling", timeout=30):
        super().wait_until_serving(path, timeout)


def open_circuit(url, path, authorization, *, rounds=20, batch=32):
    """Open the circuit of every worker of a service; fail if it won't.

    Each gunicorn worker keeps its own circuit, and which worker takes a new
    connection is up to the kernel: batches of concurrent requests on fresh
    connections reach them all. Done when two batches answer only 503.
    """

    def post(_):
        response = httpx.post(
            f"{url}{path}",
            json={"content": "circuit"},
            headers={"Authorization": authorization},
            timeout=30,
        )
        return response.status_code

    closed_batches = 0
    with concurrent.futures.ThreadPoolExecutor(batch) as pool:
        for _ in range(rounds):
            statuses = set(pool.map(post, range(batch)))
            closed_batches = closed_batches + 1 if statuses == {503} else 0
            if closed_batches == 2:
                return
    raise RuntimeError(f"the circuit of {url} did not open in every worker")


def worker_memory(server):
    """Return the peak resident memory (VmHWM, MiB) of each of a server's workers."""
    master = server.process.pid
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines()
            )
        except OSError:
            continue  # the process ended while the folder was read
        if int(fields["PPid"]) == master and "VmHWM" in fields:
            peaks.append(int(fields["VmHWM"].split()[0]) / 1024)
    return sorted(peaks)


def stop_process(process):
    """Stop a process gracefully, then wait for it."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
