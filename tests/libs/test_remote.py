"""Tests of edu_common.remote against a scripted sibling served on loopback."""

import dataclasses
import itertools
import json
import logging
import os
import socket
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from edu_common import budget
from edu_common.exceptions import (
    CircuitOpen,
    RemoteResourceNotFound,
    SiblingBusy,
    SiblingInvalidReply,
    SiblingRejected,
    SiblingTimeout,
    SiblingUnavailable,
)
from edu_common.remote import (
    RemotePolicy,
    RemoteResource,
    SiblingClient,
    get_sibling,
    reset_siblings,
)

FAST = RemotePolicy(
    http_connect_timeout=1.0,
    http_request_timeout=1.0,
    retry_count=3,
    retry_backoff_ms=100,
    circuit_failure_threshold=5,
    circuit_open_duration=0.3,
)
BACKOFFS = [0.1, 0.2, 0.4]
# On a busy host a gap may run late, but never early beyond clock noise.
LATE_MARGIN = 0.3

COURSES = RemoteResource(
    sibling="admin-service", path="/api/admin/courses/{id}", label="course"
)


@dataclasses.dataclass
class Reply:
    """One scripted answer of the fake sibling."""

    status: int = 200
    body: object = dataclasses.field(default_factory=dict)
    headers: dict = dataclasses.field(default_factory=dict)
    delay: float = 0.0


@dataclasses.dataclass
class Arrival:
    """One request as the fake sibling received it."""

    at: float
    method: str
    path: str
    headers: object
    client_port: int


class _ScriptedHandler(BaseHTTPRequestHandler):
    """Answer each request with the next scripted reply."""

    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; Nagle would hold the body ~40 ms.
    disable_nagle_algorithm = True

    def do_GET(self):
        """Answer a GET."""
        self._answer()

    def do_POST(self):
        """Answer a POST."""
        self._answer()

    def log_message(self, format, *args):
        """Keep the test output quiet."""

    def _answer(self):
        arrived = time.monotonic()
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        reply = self.server.sibling.take(
            Arrival(
                arrived, self.command, self.path, self.headers, self.client_address[1]
            )
        )
        time.sleep(reply.delay)

        body = reply.body
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class _LoopbackServer(ThreadingHTTPServer):
    """Threaded HTTP server that ignores clients hanging up mid-reply."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        """Ignore a client that timed out and closed its socket."""
        if not isinstance(sys.exception(), ConnectionError):
            super().handle_error(request, client_address)


class FakeSibling:
    """A sibling service on 127.0.0.1 that plays a script and records requests."""

    def __init__(self):
        self.arrivals: list[Arrival] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._server = _LoopbackServer(("127.0.0.1", 0), _ScriptedHandler)
        self._server.sibling = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll keeps shutdown() quick at the end of every test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}
        )
        self._thread.start()

    def script(self, *replies):
        """Queue replies; once they run out every request gets a 200 {}."""
        with self._lock:
            self._replies.extend(replies)

    def take(self, arrival):
        """Record a request and return the reply it gets."""
        with self._lock:
            self.arrivals.append(arrival)
            return self._replies.popleft() if self._replies else Reply()

    def gaps(self):
        """Return the seconds between consecutive arrivals."""
        times = [arrival.at for arrival in self.arrivals]
        return [later - earlier for earlier, later in itertools.pairwise(times)]

    def wait_for_arrivals(self, count, timeout=3.0):
        """Wait until at least count requests have arrived."""
        deadline = time.monotonic() + timeout
        while len(self.arrivals) < count:
            assert time.monotonic() < deadline, "the sibling received no request"
            time.sleep(0.005)

    def stop(self):
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def sibling():
    """Serve a fresh fake sibling for one test."""
    fake = FakeSibling()
    yield fake
    fake.stop()


@pytest.fixture
def make_client(sibling):
    """Build SiblingClients aimed at the fake sibling, closed after the test."""
    clients = []

    def make(**policy_changes):
        policy = dataclasses.replace(FAST, **policy_changes)
        client = SiblingClient("admin-service", sibling.url, policy)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def refusing_client():
    """Build a SiblingClient aimed at a loopback port that refuses connections."""
    # Bound but not listening, the port cannot be taken and refuses every connect.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        client = SiblingClient(
            "admin-service", f"http://127.0.0.1:{sock.getsockname()[1]}", FAST
        )
        yield client
        client.close()


@pytest.fixture
def attempt_log(caplog):
    """Capture the module's log lines, one per attempt."""
    caplog.set_level(logging.INFO, logger="edu_common.remote")
    return caplog


@pytest.fixture
def admin_service(settings, sibling):
    """Point SIBLING_URLS at the fake sibling and start from an empty registry."""
    settings.SIBLING_URLS = {"admin-service": sibling.url}
    reset_siblings()
    yield sibling
    reset_siblings()


def assert_backoff(gaps, extra=0.0):
    """Check the gaps follow the 100, 200, 400 ms backoff, plus a fixed extra."""
    assert len(gaps) == len(BACKOFFS)
    for gap, backoff in zip(gaps, BACKOFFS, strict=True):
        assert 0.9 * backoff + extra <= gap <= backoff + extra + LATE_MARGIN


def attempt_records(caplog):
    """Return the attempt log lines of the remote module."""
    return [
        record
        for record in caplog.records
        if record.name == "edu_common.remote" and " attempt " in record.getMessage()
    ]


def open_circuit(client, sibling):
    """Fail five logical calls so that the circuit opens."""
    sibling.script(*[Reply(500)] * 5)
    for _ in range(5):
        with pytest.raises(SiblingUnavailable):
            client.request("GET", "/boom")


# Retries


def test_get_is_retried_three_times_on_5xx_with_exponential_backoff(
    sibling, make_client
):
    """A GET answered 5xx is sent four times, 100, 200 and 400 ms apart."""
    client = make_client()
    sibling.script(Reply(500), Reply(502), Reply(503), Reply(504))

    with pytest.raises(SiblingUnavailable):
        client.request("GET", "/api/admin/courses/1")

    assert len(sibling.arrivals) == 4
    assert_backoff(sibling.gaps())


def test_get_that_recovers_during_retries_returns_the_reply(sibling, make_client):
    """A GET that gets a 200 after two 5xx returns that 200."""
    client = make_client()
    sibling.script(Reply(503), Reply(502), Reply(200, {"id": 1}))

    response = client.request("GET", "/api/admin/courses/1")

    assert response.json() == {"id": 1}
    assert len(sibling.arrivals) == 3


def test_get_is_retried_with_backoff_when_the_connection_is_refused(
    refusing_client, attempt_log
):
    """A refused GET is tried four times, 100, 200 and 400 ms apart."""
    started = time.monotonic()
    with pytest.raises(SiblingUnavailable):
        refusing_client.request("GET", "/api/admin/courses/1")
    elapsed = time.monotonic() - started

    records = attempt_records(attempt_log)
    assert len(records) == 4
    assert all("ConnectError" in record.getMessage() for record in records)
    assert_backoff([b.created - a.created for a, b in itertools.pairwise(records)])
    assert 0.9 * sum(BACKOFFS) <= elapsed <= sum(BACKOFFS) + LATE_MARGIN


def test_get_is_retried_with_backoff_on_a_read_timeout(sibling, make_client):
    """A GET whose reply is too slow is sent four times and raises SiblingTimeout."""
    timeout = 0.2
    client = make_client(http_request_timeout=timeout)
    sibling.script(*[Reply(200, delay=0.6)] * 4)

    with pytest.raises(SiblingTimeout):
        client.request("GET", "/api/admin/courses/1")

    assert len(sibling.arrivals) == 4
    assert_backoff(sibling.gaps(), extra=timeout)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 429])
def test_get_is_not_retried_on_4xx(sibling, make_client, status):
    """A 4xx is an answer: it is returned after a single request."""
    client = make_client()
    sibling.script(Reply(status))

    response = client.request("GET", "/api/admin/courses/1")

    assert response.status_code == status
    assert len(sibling.arrivals) == 1


def test_post_is_not_retried_even_on_5xx(sibling, make_client):
    """A POST answered 503 is sent once and raises SiblingUnavailable."""
    client = make_client()
    sibling.script(Reply(503))

    with pytest.raises(SiblingUnavailable):
        client.request("POST", "/api/admin/courses", json={"title": "Algebra"})

    assert len(sibling.arrivals) == 1
    assert sibling.arrivals[0].method == "POST"


def test_post_is_not_retried_when_the_connection_is_refused(
    refusing_client, attempt_log
):
    """A refused POST is tried once."""
    with pytest.raises(SiblingUnavailable):
        refusing_client.request("POST", "/api/admin/courses", json={})

    assert len(attempt_records(attempt_log)) == 1


# Connections


def test_sequential_calls_reuse_one_kept_alive_connection(sibling, make_client):
    """Three calls in a row arrive over the same TCP connection."""
    client = make_client()

    for _ in range(3):
        client.request("GET", "/api/admin/courses/1")

    assert len({arrival.client_port for arrival in sibling.arrivals}) == 1


def test_calls_from_two_threads_run_concurrently(sibling, make_client):
    """Two slow GETs through one client overlap instead of queueing."""
    client = make_client(retry_count=0)
    sibling.script(Reply(200, delay=0.5), Reply(200, delay=0.5))
    statuses = []

    def call():
        statuses.append(client.request("GET", "/slow").status_code)

    threads = [threading.Thread(target=call) for _ in range(2)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    assert statuses == [200, 200]
    assert abs(sibling.gaps()[0]) < 0.3
    assert elapsed < 0.9


# Circuit breaker


def test_circuit_opens_after_five_failed_logical_calls_and_then_fails_fast(
    sibling, make_client
):
    """Five failed calls, retries included, open the circuit; then none is sent."""
    client = make_client(retry_count=1, retry_backoff_ms=10, circuit_open_duration=2.0)
    sibling.script(*[Reply(500)] * 10)

    for calls in range(1, 6):
        assert client.circuit_state == "closed"
        with pytest.raises(SiblingUnavailable):
            client.request("GET", "/boom")
        assert len(sibling.arrivals) == 2 * calls
    assert client.circuit_state == "open"

    started = time.monotonic()
    with pytest.raises(CircuitOpen) as raised:
        client.request("GET", "/boom")

    assert time.monotonic() - started < 0.05
    assert len(sibling.arrivals) == 10
    assert raised.value.sibling == "admin-service"
    assert 1 <= raised.value.retry_after <= 2


def test_open_circuit_retry_after_is_at_least_one_second(sibling, make_client):
    """An open circuit with less than a second left still says retry in 1 s."""
    client = make_client(retry_count=0)
    open_circuit(client, sibling)

    with pytest.raises(CircuitOpen) as raised:
        client.request("GET", "/boom")

    assert raised.value.retry_after == 1


def test_half_open_trial_that_succeeds_closes_the_circuit(sibling, make_client):
    """After the open duration one trial goes through and its success closes."""
    client = make_client(retry_count=0)
    open_circuit(client, sibling)
    with pytest.raises(CircuitOpen):
        client.request("GET", "/boom")
    time.sleep(FAST.circuit_open_duration + 0.05)

    sibling.script(Reply(200, delay=0.2))
    response = client.request("GET", "/trial")

    assert response.status_code == 200
    assert client.circuit_state == "closed"
    assert client.request("GET", "/after").status_code == 200
    assert [arrival.path for arrival in sibling.arrivals[5:]] == ["/trial", "/after"]


def test_half_open_trial_that_fails_opens_the_circuit_again(sibling, make_client):
    """A failed trial reopens the circuit, which fails fast once more."""
    client = make_client(retry_count=0)
    open_circuit(client, sibling)
    time.sleep(FAST.circuit_open_duration + 0.05)

    sibling.script(Reply(500))
    with pytest.raises(SiblingUnavailable):
        client.request("GET", "/trial")

    assert client.circuit_state == "open"
    with pytest.raises(CircuitOpen):
        client.request("GET", "/boom")
    assert len(sibling.arrivals) == 6


def test_half_open_lets_one_trial_through_and_refuses_calls_meanwhile(
    sibling, make_client
):
    """While the slow trial runs, another call gets CircuitOpen at once."""
    client = make_client(retry_count=0)
    open_circuit(client, sibling)
    time.sleep(FAST.circuit_open_duration + 0.05)
    sibling.script(Reply(200, delay=0.5))
    trial_statuses = []
    trial = threading.Thread(
        target=lambda: trial_statuses.append(
            client.request("GET", "/trial").status_code
        )
    )

    trial.start()
    sibling.wait_for_arrivals(6)
    started = time.monotonic()
    with pytest.raises(CircuitOpen) as raised:
        client.request("GET", "/meanwhile")
    refused_in = time.monotonic() - started
    state_during_trial = client.circuit_state
    trial.join()

    assert refused_in < 0.05
    assert raised.value.retry_after == 1
    assert state_during_trial == "half-open"
    assert trial_statuses == [200]
    assert [arrival.path for arrival in sibling.arrivals[5:]] == ["/trial"]
    assert client.circuit_state == "closed"


@pytest.mark.parametrize("status", [404, 400, 403, 422])
def test_4xx_answer_counts_as_success_for_the_circuit(sibling, make_client, status):
    """Four failures, a 4xx, four failures: the count restarted, the circuit holds."""
    client = make_client(retry_count=0)
    sibling.script(*[Reply(500)] * 4, Reply(status), *[Reply(500)] * 4)

    for _ in range(4):
        with pytest.raises(SiblingUnavailable):
            client.request("GET", "/boom")
    assert client.request("GET", "/answer").status_code == status
    for _ in range(4):
        with pytest.raises(SiblingUnavailable):
            client.request("GET", "/boom")

    assert client.circuit_state == "closed"


def test_circuit_changes_are_logged(sibling, make_client, attempt_log):
    """Opening is logged as a warning and closing as info."""
    client = make_client(retry_count=0)
    open_circuit(client, sibling)
    time.sleep(FAST.circuit_open_duration + 0.05)
    client.request("GET", "/trial")

    changes = [
        (record.levelno, record.getMessage())
        for record in attempt_log.records
        if record.getMessage().startswith("Circuit to admin-service")
    ]
    assert changes[0][0] == logging.WARNING
    assert "opened" in changes[0][1]
    assert changes[-1] == (logging.INFO, "Circuit to admin-service closed")


# RemoteResource.fetch


def test_fetch_returns_the_object_and_forwards_authorization_unchanged(
    admin_service,
):
    """A 200 JSON object is returned; Authorization reaches the sibling as sent."""
    token = "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"
    admin_service.script(Reply(200, {"id": 7, "title": "Algebra"}))

    course = COURSES.fetch(7, authorization=token)

    assert course == {"id": 7, "title": "Algebra"}
    arrival = admin_service.arrivals[0]
    assert arrival.method == "GET"
    assert arrival.path == "/api/admin/courses/7"
    assert arrival.headers["Authorization"] == token
    assert arrival.headers["Accept"] == "application/json"


def test_fetch_quotes_the_id_into_the_path(admin_service):
    """An id with reserved characters stays a single path segment."""
    COURSES.fetch("a b/../c?d#e", authorization="Bearer t")

    assert admin_service.arrivals[0].path == "/api/admin/courses/a%20b%2F..%2Fc%3Fd%23e"


def test_fetch_raises_not_found_on_404(admin_service):
    """A 404 naming the resource means the resource does not exist."""
    admin_service.script(Reply(404, {"code": "course_not_found"}))

    with pytest.raises(RemoteResourceNotFound) as raised:
        COURSES.fetch(7, authorization="Bearer t")

    assert raised.value.label == "course"
    assert raised.value.resource_id == "7"


def test_fetch_treats_a_404_for_an_unknown_route_as_a_fault(admin_service):
    """A 404 that does not name the resource (a wrong URL) is not the caller's."""
    admin_service.script(Reply(404, {"code": "not_found"}))

    with pytest.raises(SiblingRejected) as raised:
        COURSES.fetch(7, authorization="Bearer t")

    assert raised.value.status_code == 404


@pytest.mark.parametrize("status", [400, 401, 403, 405, 409, 422])
def test_fetch_raises_rejected_on_other_4xx(admin_service, status):
    """Any other 4xx means the sibling refused our own request."""
    admin_service.script(Reply(status))

    with pytest.raises(SiblingRejected) as raised:
        COURSES.fetch(7, authorization="Bearer t")

    assert raised.value.sibling == "admin-service"
    assert raised.value.status_code == status


@pytest.mark.parametrize(
    ("retry_after_header", "retry_after"),
    [
        ({"Retry-After": "7"}, 7),
        ({"Retry-After": "Wed, 21 Oct 2037 07:28:00 GMT"}, 1),
        ({}, 1),
    ],
)
def test_fetch_raises_busy_on_429(admin_service, retry_after_header, retry_after):
    """A 429 passes on the sibling's Retry-After when it is a number, else 1."""
    admin_service.script(Reply(429, headers=retry_after_header))

    with pytest.raises(SiblingBusy) as raised:
        COURSES.fetch(7, authorization="Bearer t")

    assert raised.value.retry_after == retry_after


@pytest.mark.parametrize(
    "reply",
    [Reply(200, b"<html>oops</html>"), Reply(200, [1, 2]), Reply(200, b""), Reply(302)],
)
def test_fetch_raises_invalid_reply_without_a_json_object(admin_service, reply):
    """A reply that is not a JSON object is unusable."""
    admin_service.script(reply)

    with pytest.raises(SiblingInvalidReply):
        COURSES.fetch(7, authorization="Bearer t")


def test_fetch_raises_unavailable_on_5xx(settings, admin_service):
    """A sibling that keeps answering 5xx is unavailable."""
    settings.RETRY_COUNT = 0
    admin_service.script(Reply(503))

    with pytest.raises(SiblingUnavailable):
        COURSES.fetch(7, authorization="Bearer t")


def test_fetch_never_logs_the_authorization_header(admin_service, attempt_log):
    """The caller's token appears in no log line."""
    COURSES.fetch(7, authorization="Bearer secret-token-value")

    assert attempt_records(attempt_log)
    assert "secret-token-value" not in attempt_log.text


# Registry


def test_get_sibling_builds_from_settings_once(settings, admin_service):
    """The client comes from SIBLING_URLS and the knobs, and is built once."""
    settings.RETRY_COUNT = 1
    settings.CIRCUIT_OPEN_DURATION = 12.5

    client = get_sibling("admin-service")

    assert get_sibling("admin-service") is client
    assert client.base_url == admin_service.url
    assert client.policy.retry_count == 1
    assert client.policy.circuit_open_duration == 12.5
    assert client.policy.http_connect_timeout == 5.0
    assert client.policy.http_request_timeout == 30.0


def test_get_sibling_fails_loudly_for_an_unknown_sibling(admin_service):
    """A name missing from SIBLING_URLS is a configuration error."""
    with pytest.raises(ImproperlyConfigured):
        get_sibling("grading-service")


def test_forked_child_builds_its_own_sibling_client(admin_service):
    """A child process never reuses the client, and sockets, of its parent."""
    parent_client = get_sibling("admin-service")
    parent_client.request("GET", "/warm-up")
    read_end, write_end = os.pipe()

    pid = os.fork()
    if pid == 0:
        # The child must never return into pytest, whatever happens.
        try:
            fresh = get_sibling("admin-service") is not parent_client
            os.write(write_end, b"1" if fresh else b"0")
        finally:
            os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 1)
    os.close(read_end)
    os.waitpid(pid, 0)

    assert answer == b"1"


def test_retries_stop_when_the_backoff_would_outlast_the_budget(sibling):
    """With 0.5 s left, a 400 ms backoff runs once; the next (800 ms) does not."""
    client = SiblingClient(
        "admin-service",
        sibling.url,
        RemotePolicy(retry_backoff_ms=400, circuit_failure_threshold=50),
    )
    sibling.script(*[Reply(503)] * 4)

    with budget.allowing(0.5), pytest.raises(SiblingUnavailable):
        client.request("GET", "/api/admin/courses/1")

    assert len(sibling.arrivals) == 2


def test_no_call_starts_once_the_budget_is_spent(sibling):
    """A request with no time left fails at once, without reaching the sibling."""
    client = SiblingClient("admin-service", sibling.url, RemotePolicy())

    with budget.allowing(0), pytest.raises(SiblingTimeout):
        client.request("GET", "/api/admin/courses/1")

    assert sibling.arrivals == []
