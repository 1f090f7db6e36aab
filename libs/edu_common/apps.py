"""Django app of the shared library: wires its signal handlers at start."""

import logging

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_migrate

logger = logging.getLogger(__name__)


class EduCommonConfig(AppConfig):
    name = "edu_common"
    verbose_name = "edu platform"

    def ready(self):
        # openapi registers drf-spectacular's extensions by being imported.
        from edu_common import metrics, openapi  # noqa: F401
        from edu_common.authentication import configure_key_set_client
        from edu_common.schema import create_service_schema

        configure_key_set_client()
        pre_migrate.connect(create_service_schema, dispatch_uid="edu_common.schema")
        # Each sibling's circuit shows as closed before the first call to it.
        for sibling in settings.SIBLING_URLS:
            metrics.record_circuit_state(sibling, "closed")

        database = settings.DATABASES["default"]
        if database["ENGINE"] == "django.db.backends.sqlite3":
            logger.info(
                "DATABASE_URL is unset and DEBUG is on: keeping data in %s",
                database["NAME"],
            )
