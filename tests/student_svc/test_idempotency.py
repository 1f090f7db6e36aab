"""A submission sent again with its Idempotency-Key is handed in once."""

import pytest

from edu_common.remote import reset_siblings
from student_svc.submissions.models import Submission
from tests.conftest import free_port

pytestmark = pytest.mark.django_db


def hand_in(post_json, assignment, headers, content="First draft", key="key-1"):
    return post_json(
        f"/api/student/assignments/{assignment['id']}/submissions",
        {"content": content},
        headers={**headers, "Idempotency-Key": key},
    )


def test_a_retry_is_answered_from_the_first_without_asking_teacher_service(
    post_json, bearer, assignment, settings
):
    """Same key, body and student: the first answer, one row, no sibling call."""
    student = bearer("student", sub="alan")
    first = hand_in(post_json, assignment, student)
    # Nothing listens here: a retry that asked teacher-service would fail.
    settings.SIBLING_URLS = {"teacher-service": f"http://127.0.0.1:{free_port()}"}
    reset_siblings()

    again = hand_in(post_json, assignment, student)

    assert first.status_code == again.status_code == 201, again.content
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Submission.objects.filter(student_id="alan").count() == 1


def test_the_same_key_with_other_content_is_422(
    post_json, bearer, assignment, expect_problem
):
    """A key reused for a different submission is refused and stores nothing."""
    student = bearer("student", sub="alan")
    hand_in(post_json, assignment, student)

    response = hand_in(post_json, assignment, student, content="Second draft")

    expect_problem(response, 422, "idempotency_key_reused")
    assert Submission.objects.filter(student_id="alan").count() == 1
