"""Settings of the ceiling: DRF with no middleware, authentication or ORM.

With ``DATABASE_URL`` set, its second view reads from that database over a
connection kept for 60 s, Django's stock backend with no health check.
"""

import os

import environ

# Nothing here is signed: the key only satisfies Django's start-up check.
SECRET_KEY = "edu-platform-benchmark-ceiling"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["rest_framework"]
MIDDLEWARE = []
ROOT_URLCONF = "tests.bench.ceiling.urls"
WSGI_APPLICATION = "tests.bench.ceiling.wsgi.application"
DATABASES = (
    {"default": {**environ.Env().db_url("DATABASE_URL"), "CONN_MAX_AGE": 60}}
    if os.environ.get("DATABASE_URL")
    else {}
)
USE_TZ = True
USE_I18N = False
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": os.environ.get("LOG_LEVEL", "INFO")},
}
