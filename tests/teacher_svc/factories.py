"""Factories of teacher-service's records."""

import factory
from factory.django import DjangoModelFactory

from teacher_svc.assignments.models import Assignment


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    course_id = factory.Faker("uuid4")
    title = factory.Sequence(lambda number: f"Assignment {number}")
    created_by = factory.Faker("uuid4")
