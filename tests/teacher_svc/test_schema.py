"""teacher-service keeps every table in its ``teacher`` schema."""

from tests.service_checks import SchemaChecks


class TestSchema(SchemaChecks):
    schema = "teacher"
    domain_table = "assignments"
