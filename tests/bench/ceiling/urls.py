"""The ceiling's routes: a bare DRF view, and the same view plus one query.

The second is no ceiling but a yardstick: a request that makes a single
primary-key read, sent as plain SQL over a kept connection, and renders
the row, on the same servers and the same database, with no ORM,
middleware or authentication. A service's read cannot be cheaper.
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
    """Answer a course read with one SQL query and no ORM."""

    def get(self, request, course_id):
        with connection.cursor() as cursor:
            cursor.execute(COURSE_BY_ID, [course_id])
            row = cursor.fetchone()
        if row is None:
            raise NotFound
        found_id, name, created_at = row
        return Response({"id": found_id, "name": name, "created_at": created_at})


urlpatterns = [
    path("ceiling", CeilingView.as_view(), name="ceiling"),
    path("ceiling/courses/<uuid:course_id>", OneReadView.as_view(), name="one-read"),
]
