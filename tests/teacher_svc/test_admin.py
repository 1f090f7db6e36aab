"""Tests of the Django admin pages of the assignments app."""

import pytest
from django.urls import reverse

from tests.teacher_svc.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def test_a_superuser_sees_the_assignment_changelist(admin_client):
    """The changelist renders every assignment's title for a superuser."""
    AssignmentFactory(title="Vector Clocks")

    response = admin_client.get(reverse("admin:assignments_assignment_changelist"))

    assert response.status_code == 200
    assert b"Vector Clocks" in response.content


def test_assignments_are_created_through_the_api_not_the_admin(admin_client):
    """The admin offers no add page: only a verified token names a creator."""
    response = admin_client.get(reverse("admin:assignments_assignment_add"))

    assert response.status_code == 403
