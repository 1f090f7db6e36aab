"""WSGI entry point of the ceiling, served by gunicorn with the services' settings."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.ceiling.settings")

application = get_wsgi_application()
