"""Tests of the browsable API of admin-service and its token sign-in page."""

import pytest
from django.test import Client

from admin_svc.courses.models import Course
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


def test_a_signed_in_browser_creates_with_its_csrf_token(token):
    """The browsable API's form posts as the session's token holder, with CSRF."""
    browser = Client(enforce_csrf_checks=True)
    browser.get(SIGN_IN)
    csrf = browser.cookies["admin_csrftoken"].value
    browser.post(
        SIGN_IN, {"token": token("admin", sub="ada"), "csrfmiddlewaretoken": csrf}
    )
    csrf = browser.cookies["admin_csrftoken"].value

    without = browser.post(
        COURSES, {"name": "No CSRF"}, content_type="application/json"
    )
    created = browser.post(
        COURSES,
        {"name": "From the browser"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )

    assert without.status_code == 403
    assert created.status_code == 201
    assert Course.objects.get(name="From the browser").created_by == "ada"
    assert not Course.objects.filter(name="No CSRF").exists()
