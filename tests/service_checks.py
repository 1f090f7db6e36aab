"""Checks every service must pass, shared by the per-service suites.

A suite subclasses each class and names its service; pytest collects the
inherited tests there, under that suite's settings.
"""

import httpx
import pytest
from django.db import connection

from tests.conftest import ServiceProcess, free_port


def tables_in(schema):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [schema],
        )
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db
class SchemaChecks:
    """The service keeps every table, Django's own included, in its schema."""

    schema = None
    domain_table = None

    def test_the_connection_searches_the_service_schema_only(self):
        """Unqualified names resolve in the service's schema, never in public."""
        with connection.cursor() as cursor:
            cursor.execute("SHOW search_path")
            assert cursor.fetchone() == (self.schema,)

    def test_the_domain_table_lives_in_the_service_schema(self):
        """The service's table is created in its own schema."""
        assert self.domain_table in tables_in(self.schema)

    def test_django_tables_live_in_the_service_schema(self):
        """Django's own tables sit beside the domain table, not in public."""
        assert tables_in(self.schema) >= {
            "django_migrations",
            "django_content_type",
            "django_session",
            "auth_user",
            "idempotency_keys",
        }

    def test_nothing_lives_in_the_public_schema(self):
        """No table, sequence, index or view of any kind is in public."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname FROM pg_class"
                " JOIN pg_namespace ON pg_namespace.oid = pg_class.relnamespace"
                " WHERE nspname = 'public'"
            )
            assert cursor.fetchall() == []


class ProbeChecks:
    """Liveness needs nothing but the process; readiness needs the database."""

    service = None

    def test_health_answers_without_a_token_or_the_database(self, client):
        """``/health`` is 200 JSON for anyone, and never touches the database."""
        # Without the db fixture pytest-django refuses any query: reaching the
        # assertion proves that liveness does not depend on the database.
        response = client.get("/health")

        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    @pytest.mark.django_db
    def test_ready_answers_once_the_database_is_migrated(self, client):
        """``/ready`` is 200 JSON: the database answers, nothing is pending."""
        response = client.get("/ready")

        assert response.status_code == 200
        assert response.json() == {
            "status": "ready",
            "checks": {"DatabaseAnswers": "ok", "MigrationsApplied": "ok"},
        }

    def test_ready_refuses_while_the_database_is_unreachable(self):
        """A served process with no database is alive but reports 503, always."""
        nowhere = f"postgres://postgres@127.0.0.1:{free_port()}/edu"
        service = ServiceProcess(self.service, database_url=nowhere)
        try:
            service.start()
            health = httpx.get(f"{service.url}/health", timeout=10)
            ready = httpx.get(f"{service.url}/ready", timeout=10)
            # The health-check library also renders feeds, 200 whatever happens.
            other_forms = [
                httpx.get(f"{service.url}/ready", params=params, headers=headers)
                for params, headers in [
                    ({"format": "atom"}, {}),
                    ({"format": "openmetrics"}, {}),
                    ({}, {"Accept": "text/html"}),
                ]
            ]
        finally:
            service.stop()

        assert health.status_code == 200
        assert ready.status_code == 503
        assert ready.json()["code"] == "not_ready"
        assert ready.json()["checks"]["DatabaseAnswers"] != "ok"
        assert [response.status_code for response in other_forms] == [503] * 3
