"""Tests of request ids and trace context: kept or made, echoed, passed on."""

import uuid

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from edu_common.remote import RemotePolicy, SiblingClient
from edu_common.tracing import RequestIdMiddleware, current_request_id
from tests.libs.recorder import Recorder

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
TRACESTATE = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"


@pytest.fixture
def sibling():
    """A recording stand-in for a sibling service."""
    recorder = Recorder()
    yield recorder
    recorder.stop()


def serve_calling(sibling, headers):
    """Serve one request whose view calls the sibling; return the response."""
    client = SiblingClient("admin-service", sibling.url, RemotePolicy())

    def view(request):
        client.request("GET", "/api/admin/courses/1")
        return HttpResponse()

    try:
        return RequestIdMiddleware(view)(RequestFactory().get("/", headers=headers))
    finally:
        client.close()


def test_a_request_without_an_id_gets_a_new_one(api):
    """The reply carries a freshly made UUID in X-Request-ID."""
    response = api.get("/health")

    assert uuid.UUID(response["X-Request-ID"])


@pytest.mark.parametrize(
    "request_id",
    [
        "0af7651916cd43dd8448eb211c80319c",
        "2f1c3c1e-8a4b-4d4e-9a56-0c7e1f0d2b11",
        "web.checkout:42_retry-1",
        "x" * 128,
    ],
)
def test_a_well_formed_id_is_kept(api, request_id):
    """An id from the Ingress or a sibling comes back unchanged."""
    response = api.get("/health", headers={"X-Request-ID": request_id})

    assert response["X-Request-ID"] == request_id


@pytest.mark.parametrize(
    "request_id",
    ["", "two words", "x" * 129, "semi;colon", 'quote"d', "line\nbreak", "ümlaut"],
)
def test_a_malformed_id_is_replaced_by_a_new_one(api, request_id):
    """An id that could break a header or a log line is not taken."""
    response = api.get("/health", headers={"X-Request-ID": request_id})

    assert response["X-Request-ID"] != request_id
    assert uuid.UUID(response["X-Request-ID"])


def test_error_bodies_carry_the_request_id(api, bearer):
    """DRF's errors, Django's own and a 500 all name the request's id."""
    crashing = Client(raise_request_exception=False)
    replies = [
        api.get("/api/libs/whoami"),
        api.get("/api/libs/lessons", headers=bearer("admin")),
        api.get("/no/such/page"),
        crashing.get("/api/libs/failing/bug", headers=bearer("admin")),
    ]

    assert [reply.status_code for reply in replies] == [401, 403, 404, 500]
    for reply in replies:
        assert reply.json()["request_id"] == reply["X-Request-ID"]


def test_a_chosen_id_is_in_the_error_body(api):
    """The caller's own id is the one an error body names."""
    response = api.get("/api/libs/whoami", headers={"X-Request-ID": "my-id-1"})

    assert response.json()["request_id"] == "my-id-1"


def test_a_call_to_a_sibling_carries_the_request_id(sibling):
    """The sibling receives the id the request came with."""
    response = serve_calling(sibling, {"X-Request-ID": "hop-1"})

    assert response["X-Request-ID"] == "hop-1"
    assert sibling.headers[0]["x-request-id"] == "hop-1"


def test_a_new_id_is_passed_on_as_well(sibling):
    """An id made here is the one the sibling gets, so both log the same."""
    response = serve_calling(sibling, {})

    assert sibling.headers[0]["x-request-id"] == response["X-Request-ID"]


def test_a_traceparent_is_passed_on_untouched(sibling):
    """W3C traceparent and tracestate reach the sibling exactly as they came."""
    serve_calling(sibling, {"traceparent": TRACEPARENT, "tracestate": TRACESTATE})

    assert sibling.headers[0]["traceparent"] == TRACEPARENT
    assert sibling.headers[0]["tracestate"] == TRACESTATE


@pytest.mark.parametrize(
    "traceparent",
    [
        "00-4bf92f3577b34da6a3ce929d0e0e4736",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "not a trace",
    ],
)
def test_a_malformed_traceparent_is_not_passed_on(sibling, traceparent):
    """An invalid traceparent is dropped, as W3C Trace Context asks."""
    serve_calling(sibling, {"traceparent": traceparent, "tracestate": TRACESTATE})

    assert "traceparent" not in sibling.headers[0]
    assert "tracestate" not in sibling.headers[0]


def test_outside_a_request_there_is_no_id_to_pass_on(sibling):
    """A call made outside any request sends no X-Request-ID."""
    client = SiblingClient("admin-service", sibling.url, RemotePolicy())
    try:
        client.request("GET", "/api/admin/courses/1")
    finally:
        client.close()

    assert current_request_id() is None
    assert "x-request-id" not in sibling.headers[0]
