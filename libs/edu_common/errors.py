"""Turn every error into one JSON body shape, the same in every service.

The shape follows RFC 9457 (problem details) plus a stable machine ``code``::

    {"type": "about:blank", "title": "Not Found", "status": 404,
     "detail": "Course 5c1e... does not exist.", "code": "course_not_found"}

Validation failures add ``errors``, a map from field to messages. Domain
errors (``edu_common.exceptions``) are translated here and nowhere else;
anything unknown stays a 500 and is logged with its traceback.
"""

import logging
import math
from http import HTTPStatus

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from edu_common.exceptions import (
    CircuitOpen,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    PlatformError,
    ResourceNotFound,
    SiblingBusy,
    SiblingError,
    SiblingTimeout,
)
from edu_common.parsers import RequestTooLarge
from edu_common.tracing import current_request_id

logger = logging.getLogger(__name__)


def problem(status_code, code, detail, **extra):
    """Return the body of an error reply, with the request's id when serving one."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": str(detail),
        "code": code,
        **extra,
    }
    request_id = current_request_id()
    if request_id:
        body["request_id"] = request_id
    return body


class _PlatformAPIException(exceptions.APIException):
    """An API exception built from a domain error."""

    def __init__(self, error, status_code, code, wait=None):
        self.status_code = status_code
        self.wait = wait
        super().__init__(detail=str(error), code=code)


def _from_domain_error(error):
    if isinstance(error, ResourceNotFound):
        return _PlatformAPIException(error, 404, f"{error.label}_not_found")
    if isinstance(error, IdempotencyKeyInvalid):
        return _PlatformAPIException(error, 400, "invalid_idempotency_key")
    if isinstance(error, IdempotencyKeyReused):
        return _PlatformAPIException(error, 422, "idempotency_key_reused")
    if isinstance(error, CircuitOpen):
        wait = math.ceil(error.retry_after)
        return _PlatformAPIException(error, 503, "circuit_open", wait=wait)
    if isinstance(error, SiblingBusy):
        wait = math.ceil(error.retry_after)
        return _PlatformAPIException(error, 503, "sibling_busy", wait=wait)
    if isinstance(error, SiblingTimeout):
        return _PlatformAPIException(error, 502, "sibling_timeout")
    # Unreachable, failing, refusing or garbled: the platform's fault.
    return _PlatformAPIException(error, 502, "sibling_failed")


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable; try again shortly."
    default_code = "database_unavailable"


def exception_handler(exc, context):
    """DRF's exception handler for every service: one body shape."""
    if isinstance(exc, PlatformError):
        if isinstance(exc, SiblingError):
            logger.warning("%s: %s", type(exc).__name__, exc)
        exc = _from_domain_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Django's own limit, met when the body is read before the parser.
        exc = RequestTooLarge()
    elif isinstance(exc, (OperationalError, InterfaceError)):
        logger.warning("Database unavailable: %s", type(exc).__name__)
        exc = DatabaseUnavailable()

    if not isinstance(exc, exceptions.APIException):
        return None

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(math.ceil(exc.wait))

    set_rollback()
    return Response(_body(exc), status=exc.status_code, headers=headers)


def _body(exc):
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        errors = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return problem(400, "invalid", "The request body is invalid.", errors=errors)

    code = getattr(detail, "code", None) or exc.default_code
    if isinstance(detail, dict):
        # simplejwt packs its reason as {"detail", "code", "messages"}.
        code = str(detail.get("code", code))
        messages = detail.get("messages") or [{}]
        detail = messages[0].get("message", detail.get("detail", exc.default_detail))
    return problem(exc.status_code, code, detail)


def _django_handler(status_code, code, detail):
    def handler(request, exception=None, reason=""):
        return JsonResponse(problem(status_code, code, detail), status=status_code)

    return handler


_malformed_request = _django_handler(400, "bad_request", "The request is malformed.")
_too_large = _django_handler(413, "request_too_large", "The request body is too large.")


def bad_request(request, exception=None):
    """Django's 400 handler; a body over the size limit is a 413."""
    if isinstance(exception, RequestDataTooBig):
        return _too_large(request, exception)
    return _malformed_request(request, exception)


permission_denied = _django_handler(403, "permission_denied", "Access is denied.")
page_not_found = _django_handler(404, "not_found", "Not found.")
csrf_failure = _django_handler(
    403, "csrf_failed", "CSRF check failed; reload the page and try again."
)


def server_error(request):
    """Django's 500 handler: the same body shape, and nothing leaked."""
    return JsonResponse(
        problem(500, "server_error", "The server failed to handle the request."),
        status=500,
    )


class JsonErrorPageMiddleware:
    """Give Django's own error pages the common JSON body.

    Django answers some errors outside DRF with HTML: an empty 405, and with
    ``DEBUG`` on its debug pages for 404, 400 and 500. The API speaks JSON
    only; DRF's own replies (HTML in the browsable API included) pass
    through, and so do the Django admin's pages. A debug page's details
    still reach the log.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or isinstance(response, Response)
            or "json" in response.get("Content-Type", "")
            or "/django-admin/" in request.path
        ):
            return response

        status_code = response.status_code
        code, detail = _PAGE_PROBLEMS.get(
            status_code, (HTTPStatus(status_code).phrase.lower().replace(" ", "_"), "")
        )
        replacement = JsonResponse(
            problem(status_code, code, detail or HTTPStatus(status_code).phrase),
            status=status_code,
        )
        if response.has_header("Allow"):
            replacement["Allow"] = response["Allow"]
        return replacement


_PAGE_PROBLEMS = {
    400: ("bad_request", "The request is malformed."),
    403: ("permission_denied", "Access is denied."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "The method is not allowed here."),
    500: ("server_error", "The server failed to handle the request."),
}


class LengthRequiredMiddleware:
    """Answer 411 to a request body sent in chunks, without a Content-Length.

    Django reads a body by its Content-Length, so a chunked one would be
    taken for an empty body: dropped in silence, and never measured against
    ``MAX_REQUEST_BODY_BYTES``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_TRANSFER_ENCODING" in request.META and not request.META.get(
            "CONTENT_LENGTH"
        ):
            body = problem(
                411,
                "length_required",
                "Send the body with a Content-Length header, not in chunks.",
            )
            return JsonResponse(body, status=411)
        return self.get_response(request)
