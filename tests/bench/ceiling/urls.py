"""The ceiling's routes: a bare DRF view, and the same view plus one query.

The second is no ceiling but a yardstick: what a single primary-key read,
sent as plain SQL over a kept connection, costs a request on the same
servers and the same database, before any ORM, middleware or
authentication. A service's read cannot be cheaper than that.
"""

from django.db import connection
from django.urls import path
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

COURSE_BY_ID = "SELECT id, name, created_at FROM admin.courses WHERE id = %s"


class CeilingView(APIView):
    """Answer a small constant object: the least work a DRF request can do."""

    def get(self, request):
        return Response({"status": "ok"})


class OneReadView(APIView):
    """Answer one course read with one SQL query: the database's own share."""

    def get(self, request, course_id):
        with connection.cursor() as cursor:
            cursor.execute(COURSE_BY_ID, [course_id])
            row = cursor.fetchone()
        if row is None:
            raise NotFound
        course_id, name, created_at = row
        return Response({"id": course_id, "name": name, "created_at": created_at})


urlpatterns = [
    path("ceiling", CeilingView.as_view(), name="ceiling"),
    path("ceiling/courses/<uuid:course_id>", OneReadView.as_view(), name="one-read"),
]
