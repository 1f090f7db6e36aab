"""Factories of admin-service's records."""

import factory
from factory.django import DjangoModelFactory

from admin_svc.courses.models import Course


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    name = factory.Sequence(lambda number: f"Course {number}")
    created_by = factory.Faker("uuid4")
