"""WSGI entry point of teacher-service, served by gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teacher_svc.settings")

application = get_wsgi_application()
