"""The benchmark's report: one table, a JSON file, a chart and BENCHMARKS.md."""

import json
import re

TABLE_HEADER = (
    "| Scenario | Clients | req/s | p50 ms | p95 ms | p99 ms | Errors | of ceiling |\n"
    "|---|--:|--:|--:|--:|--:|--:|--:|\n"
)

RESULTS_BEGIN = "<!-- bench results: begin (written by nox -s bench) -->"
RESULTS_END = "<!-- bench results: end -->"

MEMORY_LIMIT_MB = 150
MIB = 1024**2
TARGET_CLIENTS = 8


def table(rows):
    """Return the results as one Markdown table, a row per scenario and load."""
    lines = [
        f"| {row['title']} | {row['clients']} | {row['rps']:,.0f} "
        f"| {row['p50_ms']:.2f} | {row['p95_ms']:.2f} | {row['p99_ms']:.2f} "
        f"| {row['errors']} | {row['ratio']:.0%} |\n"
        for row in rows
    ]
    return TABLE_HEADER + "".join(lines)


def memory_table(memory):
    """Return each server's workers' peak resident memory as a Markdown table."""
    lines = [
        f"| {server} | {', '.join(f'{peak:.0f}' for peak in peaks)} |\n"
        for server, peaks in memory.items()
    ]
    return "| Server | Peak memory per worker (MiB, VmHWM) |\n|---|---|\n" + "".join(
        lines
    )


def _row(rows, key, clients):
    return next(
        (row for row in rows if row["key"] == key and row["clients"] == clients), None
    )


def targets(rows, memory):
    """Check the issue's targets against the run; return what each one saw."""
    checks = []

    def check(target, met, figure):
        checks.append({"target": target, "met": bool(met), "figure": figure})

    at = TARGET_CLIENTS
    # What one SQL read alone leaves of the ceiling: no read can do better.
    one_read = _row(rows, "ceiling_read", at)
    beside = (
        f"; the ceiling + one SQL read: {one_read['ratio']:.0%}" if one_read else ""
    )
    for key, share, context in (
        ("course_get", 0.60, beside),
        ("assignment_get", 0.60, beside),
        ("assignment_post", 0.35, ""),
        ("submission_post", 0.25, ""),
    ):
        row = _row(rows, key, at)
        if row:
            check(
                f"{row['title']}: ≥ {share:.0%} of the ceiling's req/s at {at} clients",
                row["ratio"] >= share,
                f"{row['ratio']:.0%} (median of the rounds; median round "
                f"{row['rps']:,.0f} req/s{context})",
            )

    spread = [row for row in rows if row["clients"] == at]
    worst = max(spread, key=lambda row: row["p99_ms"] / row["p50_ms"], default=None)
    if worst:
        check(
            f"Every scenario: p99 ≤ 5 x p50 at {at} clients",
            all(row["p99_ms"] <= 5 * row["p50_ms"] for row in spread),
            f"worst {worst['p99_ms'] / worst['p50_ms']:.1f}x ({worst['title']})",
        )
    errors = sum(row["errors"] for row in rows)
    check("Every scenario: no errors", errors == 0, f"{errors} errors in all runs")

    for clients in (1, at):
        row = _row(rows, "submission_post_circuit_open", clients)
        ceiling = _row(rows, "ceiling", clients)
        if row:
            versus = (
                f" (the ceiling's own p99: {ceiling['p99_ms']:.2f} ms)"
                if ceiling
                else ""
            )
            check(
                f"Circuit open: p99 < 5 ms at {clients} client(s)",
                row["p99_ms"] < 5,
                f"{row['p99_ms']:.2f} ms{versus}",
            )

    for clients in (1, at):
        small = _row(rows, "submissions_list_small", clients)
        full = _row(rows, "submissions_list", clients)
        if small and full:
            check(
                f"List own submissions at {clients} client(s): p50 at the full "
                "table ≤ 1.5 x p50 at the small one",
                full["p50_ms"] <= 1.5 * small["p50_ms"],
                f"{full['p50_ms']:.2f} ms vs {small['p50_ms']:.2f} ms "
                f"({full['p50_ms'] / small['p50_ms']:.2f}x)",
            )

    peak = max((max(peaks) for peaks in memory.values() if peaks), default=0)
    peak_mb = peak * MIB / 1e6
    check(
        f"Peak memory per worker < {MEMORY_LIMIT_MB} MB",
        peak_mb < MEMORY_LIMIT_MB,
        f"{peak:.0f} MiB ({peak_mb:.0f} MB) at most",
    )
    return checks


def targets_table(checks):
    """Return the targets as a Markdown table."""
    lines = [
        f"| {check['target']} | {check['figure']} | "
        f"{'met' if check['met'] else '**missed**'} |\n"
        for check in checks
    ]
    return "| Target | Measured | |\n|---|---|---|\n" + "".join(lines)


def write_json(path, report):
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def write_chart(path, rows):
    """Draw throughput and p99 latency per scenario and load as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    titles = list(dict.fromkeys(row["title"] for row in rows))
    loads = sorted({row["clients"] for row in rows})
    figure, (throughput, latency) = pyplot.subplots(
        1, 2, figsize=(13, 0.55 * len(titles) + 1.8), sharey=True
    )
    height = 0.8 / len(loads)
    for index, clients in enumerate(loads):
        by_title = {row["title"]: row for row in rows if row["clients"] == clients}
        positions = [
            position + (index - (len(loads) - 1) / 2) * height
            for position in range(len(titles))
        ]
        label = f"{clients} client{'s' if clients > 1 else ''}"
        for axis, field in ((throughput, "rps"), (latency, "p99_ms")):
            axis.barh(
                positions,
                [
                    by_title[title][field] if title in by_title else 0
                    for title in titles
                ],
                height=height,
                label=label,
            )
    throughput.set_yticks(range(len(titles)), titles)
    throughput.invert_yaxis()
    throughput.set_xlabel("requests per second")
    throughput.set_title("Throughput")
    latency.set_xscale("log")
    latency.set_xlabel("p99 latency (ms, log scale)")
    latency.set_title("p99 latency")
    for axis in (throughput, latency):
        axis.grid(axis="x", alpha=0.3)
    latency.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)


def results_section(report, *, chart, data):
    """Return the part of BENCHMARKS.md that each run writes anew."""
    machine, versions, run = report["machine"], report["versions"], report["run"]
    return (
        f"{RESULTS_BEGIN}\n\n"
        f"## Latest results\n\n"
        f"Run {run['finished_at']} with `{run['command']}`: each load "
        f"{run['seconds']} s, in {run['rounds']} rounds that each run every "
        f"scenario once, after a {run['warmup_seconds']} s warm-up; wrk on one "
        f"thread with one keep-alive connection per client.\n\n"
        f"- Machine: {machine['cores']} cores ({machine['cpu_model']}), "
        f"{machine['memory_gib']:.0f} GiB, Linux {machine['kernel']}; load "
        f"average {machine['load_average']} before the run.\n"
        f"- Versions: Python {versions['python']}, Django {versions['django']}, "
        f"DRF {versions['djangorestframework']}, gunicorn {versions['gunicorn']}, "
        f"PostgreSQL {versions['postgresql']}, {versions['wrk']}.\n"
        f"- Servers: {run['gunicorn']}, the settings of ConfigMap "
        f"`edu-platform`; PostgreSQL on the same machine.\n"
        f"- Data: {report['dataset']}.\n\n"
        f"{table(report['results'])}\n"
        f"Each row is the scenario's median round. of ceiling: requests per "
        f"second over the ceiling's (the bare DRF view) at the same number of "
        f"clients in the same round, the median over the rounds. The ceiling + "
        f"one SQL read is the same view reading one course by its id over a "
        f"kept connection, with no ORM: what a single read costs before "
        f"anything a service adds.\n\n"
        f"{memory_table(report['memory'])}\n"
        f"### Targets\n\n"
        f"{targets_table(report['targets'])}\n"
        f"![Throughput and p99 latency per scenario]({chart})\n\n"
        f"The figures as JSON: [{data}]({data}).\n\n"
        f"{RESULTS_END}"
    )


def update_benchmarks(path, section):
    """Replace the results section of BENCHMARKS.md, keeping the rest as written."""
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{section}\n"
    pattern = re.compile(
        re.escape(RESULTS_BEGIN) + ".*?" + re.escape(RESULTS_END), re.DOTALL
    )
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = f"{text.rstrip()}\n\n{section}\n"
    path.write_text(text)
