"""admin-service keeps every table in its ``admin`` schema."""

from tests.service_checks import SchemaChecks


class TestSchema(SchemaChecks):
    schema = "admin"
    domain_table = "courses"
