"""Tests of the browsable API of student-service and its token sign-in page."""

import pytest

from tests.student_svc.factories import SubmissionFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "/api/student/auth/login/"
SUBMISSIONS = "/api/student/submissions"


def test_anyone_may_open_the_sign_in_page(client):
    """An anonymous GET of the sign-in page is 200 HTML with the token form."""
    response = client.get(SIGN_IN)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b'name="token"' in response.content


def test_a_signed_in_browser_sees_its_submissions_as_html(client, token):
    """After pasting a token, the student's own submissions render as HTML."""
    SubmissionFactory(student_id="alan", content="Quorum reads")
    SubmissionFactory(student_id="barbara", content="Someone else's")

    signed_in = client.post(SIGN_IN, {"token": token("student", sub="alan")})
    response = client.get(SUBMISSIONS, headers={"Accept": "text/html"})

    assert signed_in.status_code == 302
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"Quorum reads" in response.content
    assert b"Someone else" not in response.content
