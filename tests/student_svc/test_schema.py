"""student-service keeps every table in its ``student`` schema."""

from tests.service_checks import SchemaChecks


class TestSchema(SchemaChecks):
    schema = "student"
    domain_table = "submissions"
