"""The ceiling's one route: a DRF view that answers a constant JSON object."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView


class CeilingView(APIView):
    """Answer a small constant object: the least work a DRF request can do."""

    def get(self, request):
        return Response({"status": "ok"})


urlpatterns = [path("ceiling", CeilingView.as_view(), name="ceiling")]
