"""App configuration of the assignments app."""

from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "teacher_svc.assignments"
    label = "assignments"
