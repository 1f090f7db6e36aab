"""Tests of the Django admin pages of the submissions app."""

import pytest
from django.urls import reverse

from tests.student_svc.factories import SubmissionFactory

pytestmark = pytest.mark.django_db


def test_a_superuser_sees_the_submission_changelist(admin_client):
    """The changelist renders every submission's student for a superuser."""
    SubmissionFactory(student_id="student-ada")

    response = admin_client.get(reverse("admin:submissions_submission_changelist"))

    assert response.status_code == 200
    assert b"student-ada" in response.content


def test_submissions_are_created_through_the_api_not_the_admin(admin_client):
    """The admin offers no add page: only a verified token names a student."""
    response = admin_client.get(reverse("admin:submissions_submission_add"))

    assert response.status_code == 403
