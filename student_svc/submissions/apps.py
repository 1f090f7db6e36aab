"""App configuration of the submissions app."""

from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "student_svc.submissions"
    label = "submissions"
