"""App configuration of the courses app."""

from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "admin_svc.courses"
    label = "courses"
