"""Tests that student-service keeps every table in its ``student`` schema."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

SCHEMA = "student"


def tables_in(schema):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [schema],
        )
        return {name for (name,) in cursor.fetchall()}


def test_the_connection_searches_the_service_schema_only():
    """Unqualified names resolve in ``student``, never in ``public``."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        assert cursor.fetchone() == (SCHEMA,)


def test_the_submissions_table_lives_in_the_service_schema():
    """``submissions`` is created as ``student.submissions``."""
    assert "submissions" in tables_in(SCHEMA)


def test_django_tables_live_in_the_service_schema():
    """Django's own tables sit beside the domain table, not in ``public``."""
    assert tables_in(SCHEMA) >= {
        "django_migrations",
        "django_content_type",
        "django_session",
        "auth_user",
    }


def test_nothing_lives_in_the_public_schema():
    """No table, sequence, index or view of any kind is in ``public``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = cursor.fetchall()
        cursor.execute(
            "SELECT relname FROM pg_class"
            " JOIN pg_namespace ON pg_namespace.oid = pg_class.relnamespace"
            " WHERE nspname = 'public'"
        )
        relations = cursor.fetchall()

    assert tables == []
    assert relations == []
