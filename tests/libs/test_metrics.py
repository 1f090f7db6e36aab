"""Tests of the Prometheus metrics and of the /metrics page."""

import logging
import time

import pytest
from prometheus_client import REGISTRY

from edu_common.exceptions import SiblingUnavailable
from edu_common.remote import RemotePolicy, SiblingClient
from tests.libs.recorder import Recorder

NAMED_METRICS = (
    "edu_http_requests_total",
    "edu_http_request_duration_seconds",
    "edu_sibling_calls_total",
    "edu_sibling_call_duration_seconds",
    "edu_circuit_state",
    "edu_database_up",
)


def sample(name, **labels):
    """Return a sample's value in this process's registry, 0 when absent."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.django_db
def test_the_metrics_page_shows_every_metric_and_the_database(api):
    """/metrics answers Prometheus text naming each metric; the database is up."""
    response = api.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    text = response.content.decode()
    for name in NAMED_METRICS:
        assert f"# TYPE {name} " in text
    assert "\nedu_database_up 1.0\n" in text


def test_the_database_is_down_when_it_does_not_answer(api):
    """Without a database to ask (none in this test), edu_database_up is 0."""
    response = api.get("/metrics")

    assert "\nedu_database_up 0.0\n" in response.content.decode()


def test_metrics_are_not_served_under_the_api_prefix(api):
    """Only /metrics, outside what the Ingress routes, shows them."""
    assert api.get("/api/libs/metrics").status_code == 404


def test_a_request_is_counted_with_its_duration(api):
    """One more request, and one more observation, for its route and status."""
    labels = {"route": "whoami", "method": "GET", "status": "401"}
    before = sample("edu_http_requests_total", **labels)
    observed = sample(
        "edu_http_request_duration_seconds_count", route="whoami", method="GET"
    )

    api.get("/api/libs/whoami")

    assert sample("edu_http_requests_total", **labels) == before + 1
    assert (
        sample("edu_http_request_duration_seconds_count", route="whoami", method="GET")
        == observed + 1
    )


def test_an_unmatched_path_and_a_made_up_method_stay_few_series(api):
    """Unknown paths share one route label and unknown methods one method label."""
    before = sample(
        "edu_http_requests_total", route="unmatched", method="other", status="404"
    )

    api.generic("BREW", "/no/such/page")

    assert (
        sample(
            "edu_http_requests_total", route="unmatched", method="other", status="404"
        )
        == before + 1
    )


def test_circuit_state_follows_the_circuit_and_calls_are_counted(caplog):
    """Open after the failures (a WARNING), closed again after a good trial (INFO)."""
    caplog.set_level(logging.INFO, logger="edu_common.remote")
    name = "metrics-test-sibling"
    sibling = Recorder(500, 500)
    policy = RemotePolicy(
        retry_count=0, circuit_failure_threshold=2, circuit_open_duration=0.2
    )
    client = SiblingClient(name, sibling.url, policy)
    failed_before = sample("edu_sibling_calls_total", sibling=name, outcome="500")
    try:
        assert sample("edu_circuit_state", sibling=name) == 0
        for _ in range(2):
            with pytest.raises(SiblingUnavailable):
                client.request("GET", "/x")
        state_when_open = sample("edu_circuit_state", sibling=name)
        time.sleep(0.25)
        client.request("GET", "/x")
    finally:
        client.close()
        sibling.stop()

    assert state_when_open == 2
    assert sample("edu_circuit_state", sibling=name) == 0
    assert sample("edu_sibling_calls_total", sibling=name, outcome="500") == (
        failed_before + 2
    )
    assert sample("edu_sibling_call_duration_seconds_count", sibling=name) >= 3
    changes = [
        (record.levelname, record.circuit)
        for record in caplog.records
        if getattr(record, "sibling", None) == name and hasattr(record, "circuit")
    ]
    assert changes == [("WARNING", "open"), ("INFO", "half-open"), ("INFO", "closed")]
