"""Request ids and trace context: taken from each request, passed on to siblings.

Every request gets an id: the caller's ``X-Request-ID`` when it is well
formed (the Ingress sets one, and so does a sibling calling us), else a new
one. The id is echoed in the response, written in every error body and on
every log line, and sent with each call to a sibling, so that one request
can be followed through the three services. A W3C ``traceparent`` and its
``tracestate`` are passed on exactly as they came.
"""

import contextvars
import re
import uuid

REQUEST_ID_HEADER = "X-Request-ID"

# What proxies and clients send (a UUID, nginx's 32 hex digits, ...), and
# nothing that could split a log line or a header.
REQUEST_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,128}$"
_REQUEST_ID = re.compile(REQUEST_ID_PATTERN)
# version-trace_id-parent_id-flags; an all-zero id or version ff is invalid.
_TRACEPARENT = re.compile(
    r"(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}"
)
_TRACESTATE = re.compile(r"[\x20-\x7e]{1,512}")

_request_id = contextvars.ContextVar("edu_common_request_id", default=None)
_trace_headers = contextvars.ContextVar("edu_common_trace_headers", default=())


def current_request_id():
    """Return the id of the request being served, or None outside a request."""
    return _request_id.get()


def current_traceparent():
    """Return the request's W3C ``traceparent``, or None when it came without."""
    return dict(_trace_headers.get()).get("traceparent")


def propagation_headers():
    """Return the headers that carry the current request's id and trace onward."""
    headers = dict(_trace_headers.get())
    request_id = _request_id.get()
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    return headers


def accepted_request_id(value):
    """Return ``value`` when it is a well-formed request id, else a new id."""
    if value and _REQUEST_ID.fullmatch(value):
        return value
    return str(uuid.uuid4())


def _accepted_trace_headers(request):
    # A vendor must ignore a malformed traceparent (W3C Trace Context), and
    # an unchecked value could break the header of the call to a sibling.
    traceparent = request.headers.get("traceparent", "")
    if not _TRACEPARENT.fullmatch(traceparent):
        return ()
    tracestate = request.headers.get("tracestate", "")
    if _TRACESTATE.fullmatch(tracestate):
        return (("traceparent", traceparent), ("tracestate", tracestate))
    return (("traceparent", traceparent),)


class RequestIdMiddleware:
    """Give each request its id and trace context for as long as it is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accepted_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        id_token = _request_id.set(request_id)
        trace_token = _trace_headers.set(_accepted_trace_headers(request))
        try:
            response = self.get_response(request)
        finally:
            _trace_headers.reset(trace_token)
            _request_id.reset(id_token)

        response[REQUEST_ID_HEADER] = request_id
        return response
