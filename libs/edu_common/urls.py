"""URL patterns every service serves beside its own API."""

from django.contrib import admin
from django.urls import include, path, re_path
from rest_framework.permissions import AllowAny
from rest_framework.routers import APIRootView

from edu_common.health import ReadinessView, liveness


class PublicAPIRootView(APIRootView):
    """The entry page of the browsable API: links to this service's lists."""

    permission_classes = [AllowAny]


def endpoint(pattern, view, name):
    """Route ``pattern`` with or without a trailing slash, as the contract has none."""
    return re_path(rf"^{pattern}/?$", view, name=name)


def service_urlpatterns(prefix, api_patterns, *, links):
    """Return the probes, the API under ``prefix``, sign-in and the admin.

    ``links`` maps a title to a URL name listed on the API's entry page.
    """
    root = PublicAPIRootView.as_view(api_root_dict=links)
    return [
        path("health", liveness, name="health"),
        path("ready", ReadinessView.as_view(), name="ready"),
        path(f"{prefix}/auth/", include("edu_common.signin")),
        path(f"{prefix}/django-admin/", admin.site.urls),
        path(f"{prefix}/", include([path("", root, name="api-root"), *api_patterns])),
    ]


# Django looks these names up in each service's root URLconf, which imports
# them from here: errors outside DRF get the same JSON body shape.
handler400 = "edu_common.errors.bad_request"
handler403 = "edu_common.errors.permission_denied"
handler404 = "edu_common.errors.page_not_found"
handler500 = "edu_common.errors.server_error"
