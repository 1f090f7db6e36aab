"""Pagination of the list endpoints: newest first, in a stable order."""

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination


class NewestFirstPagination(CursorPagination):
    """Page through a list newest first with an opaque cursor.

    A cursor costs no ``COUNT`` and does not shift when rows are added, so
    a page is as fast at the millionth row as at the first.
    """

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 100

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # A cursor is the client's to send back: one that decodes but holds
        # no timestamp is as invalid as one that does not decode.
        position = cursor.position if cursor else None
        if position is not None and not _is_timestamp(position):
            raise NotFound(self.invalid_cursor_message)
        return cursor


def _is_timestamp(text):
    try:
        return parse_datetime(text) is not None
    except ValueError:  # well formed, but no such day or hour
        return False
