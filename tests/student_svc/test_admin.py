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


def test_the_changelist_shows_the_start_of_the_content(admin_client):
    """A long content is cut to a recognisable start in the list."""
    SubmissionFactory(content="Longest prefix wins. " * 20)

    response = admin_client.get(reverse("admin:submissions_submission_changelist"))

    assert b"Longest prefix wins. Longest prefix wins." in response.content
    assert b"Longest prefix wins. " * 20 not in response.content


def test_a_submission_page_shows_every_field_read_only(admin_client):
    """The record's page shows its id and student, which no form could edit."""
    submission = SubmissionFactory(student_id="student-grace", content="Done.")

    response = admin_client.get(
        reverse("admin:submissions_submission_change", args=[submission.pk])
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "student-grace" in page
    assert str(submission.pk) in page
    assert "<textarea" not in page
