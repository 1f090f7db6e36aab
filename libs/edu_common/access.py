"""One access line and one count in the metrics for every request answered."""

import logging
import time

from edu_common import metrics
from edu_common.tracing import current_traceparent

logger = logging.getLogger(__name__)


class AccessLogMiddleware:
    """Log and count each request once it is answered, with the time it took."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started

        route = _route(request)
        metrics.observe_request(route, request.method, response.status_code, seconds)
        fields = {
            "method": request.method,
            "path": request.path,
            "route": route,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
            **_caller(request),
        }
        traceparent = current_traceparent()
        if traceparent:
            fields["traceparent"] = traceparent
        # Probes and scrapes too: a line per request, filtered by route if need be.
        logger.info(
            "%s %s %s in %.0f ms",
            request.method,
            request.path,
            response.status_code,
            seconds * 1000,
            extra=fields,
        )
        return response


def _route(request):
    """Return the name of the URL pattern that served the request."""
    match = request.resolver_match
    return match.view_name if match and match.view_name else "unmatched"


def _caller(request):
    """Return the verified caller's ``sub`` and role; nothing for anyone else.

    DRF copies a successful authentication onto the Django request as
    ``auth``; ``request.user`` is not read before that, as it would load
    the admin's session user.
    """
    if getattr(request, "auth", None) is None:
        return {}
    identity = request.user
    if getattr(identity, "sub", None) is None:
        return {}
    return {"sub": identity.sub, "role": identity.role}
