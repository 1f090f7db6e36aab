"""The Prometheus metrics of a service, and the ``/metrics`` page that shows them.

gunicorn serves with several worker processes: each writes its samples to
files in ``PROMETHEUS_MULTIPROC_DIR`` (see ``edu_common.gunicorn_conf``) and
the page adds them up. Without that folder, as under ``manage.py`` or in
the in-process tests, the page shows this process's own registry.
"""

import asyncio

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from edu_common.health import DatabaseAnswers

# Anything else a client sends as a method is counted as "other": a label
# value per made-up method would grow the series without bound.
KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE"}
)
CIRCUIT_STATES = {"closed": 0, "half-open": 1, "open": 2}

REQUESTS = Counter(
    "edu_http_requests",
    "Requests answered, by route (URL name), method and status.",
    ["route", "method", "status"],
)
REQUEST_DURATION = Histogram(
    "edu_http_request_duration_seconds",
    "Time from a request's arrival to its answer, by route and method.",
    ["route", "method"],
)
SIBLING_CALLS = Counter(
    "edu_sibling_calls",
    "HTTP calls to a sibling service, each retry included, by sibling and "
    "outcome (the status code, or the error that stopped the call).",
    ["sibling", "outcome"],
)
SIBLING_CALL_DURATION = Histogram(
    "edu_sibling_call_duration_seconds",
    "Time one HTTP call to a sibling service took, by sibling.",
    ["sibling"],
)
# Each worker process has its own circuit per sibling: show the worst one.
CIRCUIT_STATE = Gauge(
    "edu_circuit_state",
    "Circuit to a sibling: 0 closed, 1 half-open, 2 open (the most open "
    "among the live worker processes).",
    ["sibling"],
    multiprocess_mode="livemax",
)
DATABASE_UP = Gauge(
    "edu_database_up",
    "1 when the database answered SELECT 1 within READINESS_TIMEOUT at the "
    "last scrape, else 0.",
    multiprocess_mode="livemostrecent",
)


def observe_request(route, method, status, seconds):
    """Count one answered request and the time it took."""
    method = method if method in KNOWN_METHODS else "other"
    REQUESTS.labels(route=route, method=method, status=str(status)).inc()
    REQUEST_DURATION.labels(route=route, method=method).observe(seconds)


def observe_sibling_call(sibling, outcome, seconds):
    """Count one HTTP call to a sibling and the time it took."""
    SIBLING_CALLS.labels(sibling=sibling, outcome=str(outcome)).inc()
    SIBLING_CALL_DURATION.labels(sibling=sibling).observe(seconds)


def record_circuit_state(sibling, state):
    """Show the state ("closed", "half-open" or "open") of a sibling's circuit."""
    CIRCUIT_STATE.labels(sibling=sibling).set(CIRCUIT_STATES[state])


def _database_answers():
    # The readiness probe's own check, with its timeout: a scrape never
    # hangs on a database that does not answer.
    return asyncio.run(DatabaseAnswers().get_result()).error is None


@never_cache
def metrics(request):
    """Answer a Prometheus scrape with the service's metrics as text."""
    DATABASE_UP.set(1 if _database_answers() else 0)

    registry = REGISTRY
    if settings.PROMETHEUS_MULTIPROC_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, settings.PROMETHEUS_MULTIPROC_DIR)
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
