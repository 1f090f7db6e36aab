"""URL patterns every service serves beside its own API."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.routers import APIRootView

from edu_common.health import ReadinessView, liveness
from edu_common.metrics import metrics


class PublicAPIRootView(APIRootView):
    """The entry page of the browsable API: links to this service's lists."""

    permission_classes = [AllowAny]

    def get_view_name(self):
        return settings.SERVICE_NAME


def endpoint(pattern, view, name):
    """Route ``pattern`` with or without a trailing slash, as the contract has none."""
    return re_path(rf"^{pattern}/?$", view, name=name)


def service_urlpatterns(prefix, api_patterns, *, links):
    """Return the probes, metrics, the API and its docs under ``prefix``, the admin.

    ``links`` maps a title to a URL name listed on the API's entry page.
    The probes and ``/metrics`` sit outside the prefix, where the Ingress
    does not route.
    """
    links = {**links, "openapi schema": "openapi-schema", "api docs": "openapi-docs"}
    root = PublicAPIRootView.as_view(api_root_dict=links)
    docs = SpectacularSwaggerView.as_view(url_name="openapi-schema")
    return [
        endpoint("health", liveness, "health"),
        endpoint("ready", ReadinessView.as_view(), "ready"),
        endpoint("metrics", metrics, "metrics"),
        path(f"{prefix}/auth/", include("edu_common.signin")),
        path(f"{prefix}/django-admin/", admin.site.urls),
        path(
            f"{prefix}/",
            include(
                [
                    path("", root, name="api-root"),
                    endpoint("schema", SpectacularAPIView.as_view(), "openapi-schema"),
                    endpoint("docs", docs, "openapi-docs"),
                    *api_patterns,
                ]
            ),
        ),
    ]


# Django looks these names up in each service's root URLconf, which imports
# them from here: errors outside DRF get the same JSON body shape.
handler400 = "edu_common.errors.bad_request"
handler403 = "edu_common.errors.permission_denied"
handler404 = "edu_common.errors.page_not_found"
handler500 = "edu_common.errors.server_error"
