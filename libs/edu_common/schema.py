"""Create a service's own PostgreSQL schema before its first migration."""

import logging

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


def create_service_schema(using="default", **kwargs):
    """Create ``settings.DATABASE_SCHEMA`` on the connection if it is missing.

    Runs on ``pre_migrate``, so ``migrate`` and the test database alike put
    every table, Django's own included, in the service's schema. Existence is
    checked first because a service role may use its schema without the
    right to create schemas in the database.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return

    schema = settings.DATABASE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
        if cursor.fetchone():
            return
        cursor.execute(
            f"CREATE SCHEMA IF NOT EXISTS {connection.ops.quote_name(schema)}"
        )
    logger.info("Created schema %s", schema)
