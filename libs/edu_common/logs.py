"""How log records are written: one JSON object per line, or one readable line.

``edu_common.conf`` wires these into each service's ``LOGGING``. The filter
stamps every record with the service and the id of the request being
served; fields passed with ``extra=`` (method, path, status, ...) become
JSON fields of their own.
"""

import logging
import logging.config
import time

from pythonjsonlogger.json import JsonFormatter

from edu_common.tracing import current_request_id


def configure(logging_settings):
    """Apply ``LOGGING`` and route Python's warnings through it.

    Django's ``LOGGING_CONFIG`` hook: a warning (a deprecation, a missing
    static folder) becomes a record like any other instead of bare text on
    stderr, so every line a service writes keeps the same format.
    """
    logging.config.dictConfig(logging_settings)
    logging.captureWarnings(True)


class RequestContextFilter(logging.Filter):
    """Stamp each record with the service's name and the current request id."""

    def __init__(self, service):
        super().__init__()
        self.service = service

    def filter(self, record):
        """Add ``service`` and ``request_id`` (None outside a request)."""
        record.service = self.service
        # Django logs a failed response after the middleware has let go of
        # the request's context; such records carry the request itself.
        request = getattr(record, "request", None)
        record.request_id = current_request_id() or getattr(request, "request_id", None)
        return True


class JsonLineFormatter(JsonFormatter):
    """Write a record as one JSON object, its time in UTC (ISO 8601)."""

    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"

    def __init__(self):
        super().__init__(
            ["asctime", "levelname", "service", "name", "message", "request_id"],
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )


class ConsoleFormatter(logging.Formatter):
    """Write a record as one line for a developer's terminal, its request id last."""

    def __init__(self):
        super().__init__(
            "%(asctime)s %(levelname)-7s %(service)s %(name)s: %(message)s",
            datefmt="%H:%M:%S",
        )

    def formatMessage(self, record):
        """Add the request id, when there is one, at the end of the line."""
        line = super().formatMessage(record)
        request_id = getattr(record, "request_id", None)
        return f"{line} [{request_id}]" if request_id else line
