"""student-service's liveness and readiness probes."""

from tests.service_checks import ProbeChecks


class TestProbes(ProbeChecks):
    service = "student"
