"""Liveness and readiness probes.

``/health`` answers while the process serves and touches nothing else, so a
slow database never gets a healthy pod restarted. ``/ready`` runs
django-health-check's checks: the database answers within
``READINESS_TIMEOUT`` seconds and no migration is pending.
"""

import dataclasses
import datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from edu_common.errors import problem


@never_cache
def liveness(request):
    """Answer 200 while the process serves requests."""
    return JsonResponse({"status": "ok"})


class _ReadinessTimeout:
    @property
    def timeout(self):
        return datetime.timedelta(seconds=settings.READINESS_TIMEOUT)


@dataclasses.dataclass
class DatabaseAnswers(_ReadinessTimeout, Database):
    """Fail unless the database answers ``SELECT 1`` in time."""


@dataclasses.dataclass
class MigrationsApplied(_ReadinessTimeout, HealthCheck):
    """Fail while a migration of this service is not applied."""

    alias: str = DEFAULT_DB_ALIAS

    def run(self):
        connection = connections[self.alias]
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        finally:
            connection.close()
        if pending:
            raise ServiceUnavailable(f"{len(pending)} migration(s) pending")


class ReadinessView(HealthCheckView):
    """Answer 200 when the service can serve, else 503, as JSON."""

    checks = (DatabaseAnswers, MigrationsApplied)

    def render_to_response(self, context, **kwargs):
        return self.render_to_response_json(kwargs.get("status", 200))

    def render_to_response_text(self, status):
        return self.render_to_response_json(status)

    def render_to_response_json(self, status):
        checks = {
            type(result.check).__name__: str(result.error) if result.error else "ok"
            for result in self.results
        }
        if status == 200:
            return JsonResponse({"status": "ready", "checks": checks})
        body = problem(503, "not_ready", "The service is not ready.", checks=checks)
        return JsonResponse(body, status=503)
