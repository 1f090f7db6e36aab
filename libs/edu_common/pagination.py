"""Pagination of the list endpoints: newest first, in a stable order."""

from rest_framework.pagination import CursorPagination


class NewestFirstPagination(CursorPagination):
    """Page through a list newest first with an opaque cursor.

    A cursor costs no ``COUNT`` and does not shift when rows are added, so
    a page is as fast at the millionth row as at the first.
    """

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 100
