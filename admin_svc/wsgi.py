"""WSGI entry point of admin-service, served by gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "admin_svc.settings")

application = get_wsgi_application()
