"""Minimal Django settings for testing the shared library on its own."""

SECRET_KEY = "edu-libs-tests-only"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "edu_libs",
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": "5432",
    }
}

USE_TZ = True
