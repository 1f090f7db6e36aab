"""Liveness and readiness probes.

``/health`` answers while the process serves and touches nothing else, so a
slow database never gets a healthy pod restarted. ``/ready`` runs
django-health-check's checks: the database answers within
``READINESS_TIMEOUT`` seconds and no migration is pending.
"""

import asyncio
import dataclasses
import datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from edu_common.errors import problem


@csrf_exempt
@require_safe
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
    """Fail while a migration of this service is not applied.

    Once everything this process's code knows of is applied it stays so, so
    the answer is kept: later probes cost nothing but the database check.
    """

    alias: str = DEFAULT_DB_ALIAS
    _applied_in_this_process = set()

    def run(self):
        if self.alias in self._applied_in_this_process:
            return
        connection = connections[self.alias]
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as error:
            raise ServiceUnavailable(type(error).__name__) from error
        finally:
            connection.close()
        if pending:
            raise ServiceUnavailable(f"{len(pending)} migration(s) pending")
        self._applied_in_this_process.add(self.alias)


@method_decorator(csrf_exempt, name="dispatch")
class ReadinessView(HealthCheckView):
    """Answer 200 when the service can serve, else 503; always as JSON."""

    checks = (DatabaseAnswers, MigrationsApplied)
    http_method_names = ["get", "head"]

    async def get(self, request, *args, **kwargs):
        # The library's view also renders feeds and HTML, some of them 200
        # whatever the outcome; a probe gets one answer: this JSON.
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        checks = {
            type(result.check).__name__: str(result.error) if result.error else "ok"
            for result in self.results
        }
        if any(result.error for result in self.results):
            body = problem(503, "not_ready", "The service is not ready.", checks=checks)
            return JsonResponse(body, status=503)
        return JsonResponse({"status": "ready", "checks": checks})
