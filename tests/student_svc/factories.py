"""Factories of student-service's records."""

import factory
from factory.django import DjangoModelFactory

from student_svc.submissions.models import Submission


class SubmissionFactory(DjangoModelFactory):
    class Meta:
        model = Submission

    assignment_id = factory.Faker("uuid4")
    student_id = factory.Faker("uuid4")
    content = factory.Faker("paragraph")
