"""Tests of the browsable API of admin-service and its token sign-in page."""

import pytest

from tests.admin_svc.factories import CourseFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "/api/admin/auth/login/"
COURSES = "/api/admin/courses"


def test_anyone_may_open_the_sign_in_page(client):
    """An anonymous GET of the sign-in page is 200 HTML with the token form."""
    response = client.get(SIGN_IN)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b'name="token"' in response.content


def test_a_signed_in_browser_sees_the_course_list_as_html(client, token):
    """After pasting a token, the list renders as an HTML page."""
    CourseFactory(name="Type Systems")

    signed_in = client.post(SIGN_IN, {"token": token("admin")})
    response = client.get(COURSES, headers={"Accept": "text/html"})

    assert signed_in.status_code == 302
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"Type Systems" in response.content


def test_a_token_that_fails_verification_does_not_sign_in(client):
    """A rejected token re-shows the form and the list stays closed."""
    signed_in = client.post(SIGN_IN, {"token": "not-a-jwt"})
    response = client.get(COURSES, headers={"Accept": "text/html"})

    assert signed_in.status_code == 200
    assert b"not accepted" in signed_in.content
    assert response.status_code == 401
