"""Run the load benchmark and write its report: ``python -m tests.bench``.

``nox -s bench`` runs this with the pinned requirements. Starts the three
services (and the circuit-open instance and the ceiling) with gunicorn as
deployed, on a throwaway PostgreSQL database, loads the dataset, then runs
wrk against each scenario at each number of clients.

A shared machine's speed drifts from minute to minute, so each load is
measured in rounds: every round runs each scenario once, the ceiling
included, one after the other. A scenario's ratio to the ceiling is taken
within each round, and the report keeps the median of the rounds.
"""

import argparse
import datetime
import logging
import os
import platform
import statistics
import tempfile
from pathlib import Path

import django
import gunicorn
import psycopg
import rest_framework

from tests.bench import dataset, report
from tests.bench.load import ensure_wrk, run_wrk, write_plan, wrk_version
from tests.bench.scenarios import Tokens, build
from tests.bench.servers import Platform, open_circuit, worker_memory
from tests.conftest import ROOT, TEST_JWT_SECRET, ThrowawayDatabase

logger = logging.getLogger("tests.bench")

RESULTS = Path(__file__).with_name("results")

# Measured once the table holds its full size; the small table's listing
# goes first, before the rest of the submissions are loaded.
FULL_TABLE_SCENARIOS = (
    "ceiling",
    "ceiling_read",
    "health",
    "course_get",
    "assignment_get",
    "submissions_list",
    "assignment_post",
    "submission_post",
    "submission_post_circuit_open",
)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="nox -s bench --", description=__doc__)
    parser.add_argument(
        "--clients", type=int, nargs="+", default=[1, 8, 32], help="loads to run"
    )
    parser.add_argument("--seconds", type=int, default=5, help="each timed run")
    parser.add_argument(
        "--warmup", type=int, default=2, help="before a scenario's first round"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved runs of each load"
    )
    parser.add_argument(
        "--only", nargs="+", metavar="SCENARIO", help="run these scenarios only"
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="folder of the JSON and chart"
    )
    parser.add_argument(
        "--no-benchmarks-md",
        action="store_true",
        help="leave BENCHMARKS.md alone (a trial run)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    wrk = ensure_wrk()
    load_average = " ".join(f"{value:.2f}" for value in os.getloadavg())
    args.output.mkdir(parents=True, exist_ok=True)
    log_dir = args.output / "logs"
    log_dir.mkdir(exist_ok=True)

    database = ThrowawayDatabase().create()
    servers = Platform(database.url(), log_dir=log_dir, jwt_secret=TEST_JWT_SECRET)
    runs = []
    try:
        logger.info("Migrating and loading the dataset into %s", database.name)
        servers.migrate()
        dataset.load_catalogue(database.url())
        dataset.load_small_submissions(database.url())
        servers.start()
        scenarios = build(Tokens(servers.settings))
        chosen = set(args.only or scenarios)

        circuit = scenarios["submission_post_circuit_open"]
        if circuit.key in chosen:
            first = circuit.requests[0]
            open_circuit(servers.cut_off_student.url, first.path, first.authorization)

        with tempfile.TemporaryDirectory() as plans:

            def measure(scenario, clients, round_number):
                server = servers.servers[scenario.server]
                plan = Path(plans, f"{scenario.key}.tsv")
                if not plan.exists():
                    write_plan(plan, scenario.requests)
                load = {
                    "expected_status": scenario.expected_status,
                    "connections": clients,
                }
                if round_number == 0:
                    run_wrk(wrk, server.url, plan, seconds=args.warmup, **load)
                measured = run_wrk(wrk, server.url, plan, seconds=args.seconds, **load)
                logger.info(
                    "%-34s %2d clients, round %d: %7.0f req/s, p50 %.2f ms, "
                    "p99 %.2f ms, %d errors",
                    scenario.title,
                    clients,
                    round_number + 1,
                    measured.rps,
                    measured.p50_ms,
                    measured.p99_ms,
                    measured.errors,
                )
                runs.append(
                    {
                        "key": scenario.key,
                        "title": scenario.title,
                        "server": scenario.server,
                        "clients": clients,
                        "round": round_number,
                        "rps": measured.rps,
                        "p50_ms": measured.p50_ms,
                        "p95_ms": measured.p95_ms,
                        "p99_ms": measured.p99_ms,
                        "max_ms": measured.max_ms,
                        "requests": measured.requests,
                        "errors": measured.errors,
                    }
                )

            def measure_in_rounds(keys):
                for clients in args.clients:
                    for round_number in range(args.rounds):
                        for key in keys:
                            if key in chosen:
                                measure(scenarios[key], clients, round_number)

            measure_in_rounds(["submissions_list_small"])
            logger.info("Loading the rest of the submissions")
            dataset.load_remaining_submissions(database.url())
            measure_in_rounds(FULL_TABLE_SCENARIOS)

        memory = {
            name: worker_memory(server) for name, server in servers.servers.items()
        }
        list_plan = dataset.submissions_by_student_plan(database.url())
        postgresql = _postgresql_version(database.url())
    finally:
        servers.stop()
        database.drop()

    rows = _median_rounds(runs)
    results = {
        "run": {
            "finished_at": datetime.datetime.now(datetime.UTC).strftime(
                "%Y-%m-%d %H:%M UTC"
            ),
            "command": "nox -s bench" + (f" -- {' '.join(argv)}" if argv else ""),
            "seconds": args.seconds,
            "warmup_seconds": args.warmup,
            "rounds": args.rounds,
            "gunicorn": (
                f"gunicorn gthread, {servers.settings['GUNICORN_WORKERS']} workers "
                f"x {servers.settings['GUNICORN_THREADS']} threads each"
            ),
        },
        "machine": _machine(load_average),
        "versions": {
            "python": platform.python_version(),
            "django": django.__version__,
            "djangorestframework": rest_framework.VERSION,
            "gunicorn": gunicorn.__version__,
            "postgresql": postgresql,
            "wrk": wrk_version(wrk),
        },
        "dataset": (
            f"{dataset.COURSES:,} courses, {dataset.ASSIGNMENTS:,} assignments, "
            f"{dataset.SUBMISSIONS:,} submissions over {dataset.STUDENTS:,} students"
        ),
        "submissions_list_plan": list_plan,
        "results": rows,
        "runs": runs,
        "memory": memory,
        "targets": report.targets(rows, memory),
    }

    data, chart = args.output / "bench.json", args.output / "bench.png"
    report.write_json(data, results)
    report.write_chart(chart, rows)
    if not args.no_benchmarks_md:
        section = report.results_section(
            results,
            chart=chart.relative_to(ROOT).as_posix(),
            data=data.relative_to(ROOT).as_posix(),
        )
        report.update_benchmarks(ROOT / "BENCHMARKS.md", section)

    print(report.table(rows))
    print(report.memory_table(memory))
    print(report.targets_table(results["targets"]))
    return 0


def _median_rounds(runs):
    """Return a row per scenario and load: its median round, and its ratios.

    Each run's ratio is over the ceiling's run of the same load and round
    (the small listing, measured before the rest of the data is loaded,
    over the ceiling's round of that number measured afterwards).
    """
    ceilings = {
        (run["clients"], run["round"]): run["rps"]
        for run in runs
        if run["key"] == "ceiling"
    }
    groups = {}
    for run in runs:
        groups.setdefault((run["key"], run["clients"]), []).append(run)

    rows = []
    for group in groups.values():
        ratios = [
            run["rps"] / ceilings[run["clients"], run["round"]]
            for run in group
            if ceilings.get((run["clients"], run["round"]))
        ]
        by_speed = sorted(group, key=lambda run: run["rps"])
        median = by_speed[(len(by_speed) - 1) // 2]
        row = {key: value for key, value in median.items() if key != "round"}
        row["errors"] = sum(run["errors"] for run in group)
        row["requests"] = sum(run["requests"] for run in group)
        row["rounds_rps"] = [run["rps"] for run in group]
        row["ratio"] = statistics.median(ratios) if ratios else 0.0
        rows.append(row)
    return rows


def _machine(load_average):
    cpuinfo = Path("/proc/cpuinfo").read_text()
    models = [
        line.split(":", 1)[1].strip()
        for line in cpuinfo.splitlines()
        if line.startswith("model name")
    ]
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cores": os.cpu_count(),
        "cpu_model": models[0] if models else platform.processor(),
        "memory_gib": memory_kib / 1024**2,
        "kernel": platform.release(),
        "load_average": load_average,
    }


def _postgresql_version(url):
    with psycopg.connect(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0].split()[0]


if __name__ == "__main__":
    raise SystemExit(main())
