"""Tests of the browsable API of teacher-service and its token sign-in page."""

import uuid

import pytest

from tests.teacher_svc.factories import AssignmentFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "/api/teacher/auth/login/"


def test_anyone_may_open_the_sign_in_page(client):
    """An anonymous GET of the sign-in page is 200 HTML with the token form."""
    response = client.get(SIGN_IN)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b'name="token"' in response.content


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_a_signed_in_browser_sees_a_course_assignments_as_html(client, token, role):
    """After pasting a token, a course's assignments render as an HTML page."""
    course_id = uuid.uuid4()
    AssignmentFactory(course_id=course_id, title="Lamport Clocks")

    signed_in = client.post(SIGN_IN, {"token": token(role)})
    response = client.get(
        f"/api/teacher/courses/{course_id}/assignments",
        headers={"Accept": "text/html"},
    )

    assert signed_in.status_code == 302
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"Lamport Clocks" in response.content
