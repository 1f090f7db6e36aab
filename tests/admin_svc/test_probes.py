"""Tests of admin-service's liveness and readiness probes."""

import httpx
import pytest

from tests.conftest import ServiceProcess, ThrowawayDatabase, free_port

HEALTH = "/health"
READY = "/ready"


def test_health_answers_without_a_token_or_the_database(client):
    """``/health`` is 200 JSON for anyone, and never touches the database."""
    # Without the db fixture pytest-django refuses any query: reaching the
    # assertion proves that liveness does not depend on the database.
    response = client.get(HEALTH)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_answers_once_the_database_is_migrated(client):
    """``/ready`` is 200 JSON: the database answers, nothing is pending."""
    response = client.get(READY, headers={"Accept": "application/json"})

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"DatabaseAnswers": "ok", "MigrationsApplied": "ok"},
    }


def test_ready_refuses_while_the_database_is_unreachable():
    """A served process with no database is alive but reports 503 not ready."""
    nowhere = f"postgres://postgres@127.0.0.1:{free_port()}/edu"
    service = ServiceProcess(
        "admin",
        database_url=nowhere,
    )
    try:
        service.start()
        ready = httpx.get(f"{service.url}{READY}", timeout=10)
        health = httpx.get(f"{service.url}{HEALTH}", timeout=10)
        # The health-check library also renders feeds, 200 whatever happens.
        other_forms = [
            httpx.get(f"{service.url}{READY}", params=params, headers=headers)
            for params, headers in [
                ({"format": "atom"}, {}),
                ({"format": "openmetrics"}, {}),
                ({}, {"Accept": "text/html"}),
                ({}, {"Accept": "image/png"}),
            ]
        ]
    finally:
        service.stop()

    assert health.status_code == 200
    assert ready.status_code == 503
    assert [response.status_code for response in other_forms] == [503] * 4
    assert ready.json()["code"] == "not_ready"
    assert ready.json()["checks"]["DatabaseAnswers"] != "ok"


def test_ready_refuses_while_a_migration_is_pending():
    """A served process on an unmigrated database is alive but not ready."""
    database = ThrowawayDatabase().create()
    service = ServiceProcess("admin", database_url=database.url())
    try:
        service.start()
        ready = httpx.get(f"{service.url}{READY}", timeout=10)
    finally:
        service.stop()
        database.drop()

    assert ready.status_code == 503
    assert "pending" in ready.json()["checks"]["MigrationsApplied"]
