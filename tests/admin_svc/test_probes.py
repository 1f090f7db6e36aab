"""admin-service's liveness and readiness probes."""

import httpx

from tests.conftest import ServiceProcess, ThrowawayDatabase
from tests.service_checks import ProbeChecks

READY = "/ready"


class TestProbes(ProbeChecks):
    service = "admin"


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
