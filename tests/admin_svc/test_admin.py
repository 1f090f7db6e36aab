"""Tests of the Django admin pages of the courses app."""

import pytest
from django.urls import reverse

from tests.admin_svc.factories import CourseFactory

pytestmark = pytest.mark.django_db


def test_a_superuser_sees_the_course_changelist(admin_client):
    """The changelist renders every course's name for a superuser."""
    CourseFactory(name="Category Theory")

    response = admin_client.get(reverse("admin:courses_course_changelist"))

    assert response.status_code == 200
    assert b"Category Theory" in response.content


def test_courses_are_created_through_the_api_not_the_admin(admin_client):
    """The admin offers no add page: only a verified token names a creator."""
    response = admin_client.get(reverse("admin:courses_course_add"))

    assert response.status_code == 403
