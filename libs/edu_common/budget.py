"""Each request's time budget, which calls to siblings must stay within.

The middleware starts the clock when a request arrives; ``remaining()``
tells the code that calls a sibling how long it may still wait, so retries
and backoff never outlast the request (``REQUEST_TIME_BUDGET`` seconds,
below gunicorn's graceful timeout).
"""

import contextlib
import contextvars
import time

from django.conf import settings

_deadline = contextvars.ContextVar("edu_common_request_deadline", default=None)


def remaining():
    """Return the seconds the current request has left, or None outside one."""
    deadline = _deadline.get()
    if deadline is None:
        return None
    return deadline - time.monotonic()


@contextlib.contextmanager
def allowing(seconds):
    """Run the block with ``seconds`` to spend, as a request does."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


class RequestBudgetMiddleware:
    """Start the current request's clock."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with allowing(settings.REQUEST_TIME_BUDGET):
            return self.get_response(request)
