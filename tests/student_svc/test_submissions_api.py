"""Tests of student-service's submissions API (``student_svc.submissions``).

Assignment checks go to a real teacher-service on loopback, which checks
courses on a real admin-service (see ``conftest.py``).
"""

import pytest
from django.db import connection

from edu_common.pagination import NewestFirstPagination
from edu_common.tokens import mint_token
from student_svc.submissions.models import CONTENT_MAX_LENGTH, Submission
from student_svc.submissions.selectors import submission_list_for_student
from tests.conftest import TEST_JWT_SECRET, free_port
from tests.student_svc.factories import SubmissionFactory

pytestmark = pytest.mark.django_db

SUBMISSIONS = "/api/student/submissions"
# One query reads a page, however many submissions it holds.
LIST_QUERY_BUDGET = 1
CIRCUIT_FAILURE_THRESHOLD = 2
# Path ids of records no test creates.
UNKNOWN_ID = "5b0f7a52-94a1-4c4e-9f1e-2d8f3c6b7a10"


def submissions_url(assignment_id):
    return f"/api/student/assignments/{assignment_id}/submissions"


def submission_url(submission_id):
    return f"{SUBMISSIONS}/{submission_id}"


def listed_ids(response):
    return [submission["id"] for submission in response.json()["results"]]


@pytest.fixture
def unreachable_teacher_service(settings):
    """Point assignment checks at a loopback port where nothing listens."""
    settings.SIBLING_URLS = {"teacher-service": f"http://127.0.0.1:{free_port()}"}
    settings.RETRY_BACKOFF_MS = 1
    settings.CIRCUIT_FAILURE_THRESHOLD = CIRCUIT_FAILURE_THRESHOLD


# -- handing in a submission --------------------------------------------------


def test_a_student_hands_in_to_an_assignment_teacher_service_confirms(
    post_json, bearer, assignment
):
    """teacher-service confirms the assignment to the student's own token."""
    response = post_json(
        submissions_url(assignment["id"]),
        {"content": "Open after five failures."},
        bearer("student", "alan"),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body.keys() == {"id", "assignment_id", "student_id", "content", "created_at"}
    assert (body["assignment_id"], body["student_id"], body["content"]) == (
        assignment["id"],
        "alan",
        "Open after five failures.",
    )
    stored = Submission.objects.get(pk=body["id"])
    assert (str(stored.assignment_id), stored.student_id) == (assignment["id"], "alan")


@pytest.mark.parametrize("body", [{}, {"content": None}], ids=["absent", "null"])
def test_a_submission_may_have_no_content(post_json, bearer, assignment, body):
    """With ``content`` left out or null, the submission stores none."""
    response = post_json(submissions_url(assignment["id"]), body, bearer("student"))

    assert response.status_code == 201, response.content
    assert response.json()["content"] is None
    assert Submission.objects.get(pk=response.json()["id"]).content is None


def test_content_as_long_as_the_limit_is_accepted(post_json, bearer, assignment):
    """Content of exactly 10000 characters is stored whole."""
    content = "c" * CONTENT_MAX_LENGTH

    response = post_json(
        submissions_url(assignment["id"]), {"content": content}, bearer("student")
    )

    assert response.status_code == 201
    assert response.json()["content"] == content


def test_content_over_the_limit_is_rejected(
    post_json, bearer, expect_problem, assignment
):
    """Content of 10001 characters is a 400 naming ``content``."""
    response = post_json(
        submissions_url(assignment["id"]),
        {"content": "c" * (CONTENT_MAX_LENGTH + 1)},
        bearer("student"),
    )

    problem = expect_problem(response, 400, "invalid")
    assert list(problem["errors"]) == ["content"]
    assert not Submission.objects.exists()


def test_teacher_service_verifies_the_callers_own_token(
    post_json, token, assignment, expect_problem
):
    """teacher-service receives and verifies the caller's own token."""
    # Expired three seconds ago: within student-service's ten seconds of
    # leeway, but refused by the sibling, which allows none.
    just_expired = token("student", ttl=-3)

    response = post_json(
        submissions_url(assignment["id"]),
        {"content": "Late"},
        {"Authorization": f"Bearer {just_expired}"},
    )

    problem = expect_problem(response, 502, "sibling_failed")
    assert "401" in problem["detail"]
    assert not Submission.objects.exists()


def test_an_assignment_teacher_service_does_not_know_is_not_found(
    post_json, bearer, expect_problem
):
    """teacher-service's 404 is a 404 ``assignment_not_found`` with the id."""
    response = post_json(submissions_url(UNKNOWN_ID), {}, bearer("student"))

    problem = expect_problem(response, 404, "assignment_not_found")
    assert UNKNOWN_ID in problem["detail"]
    assert not Submission.objects.exists()


@pytest.mark.parametrize("body", [{}, {"content": 5}])
def test_an_assignment_id_that_is_not_a_uuid_is_not_found(
    post_json, bearer, expect_problem, body
):
    """A non-UUID assignment id is a 404 ``assignment_not_found``, even with a
    body that fails validation."""
    response = post_json(submissions_url("not-a-uuid"), body, bearer("student"))

    problem = expect_problem(response, 404, "assignment_not_found")
    assert "not-a-uuid" in problem["detail"]


@pytest.mark.parametrize("role", ["admin", "teacher"])
def test_only_students_hand_in(post_json, bearer, expect_problem, assignment, role):
    """Any role but student is refused with 403 and nothing is stored."""
    response = post_json(
        submissions_url(assignment["id"]), {"content": "Mine"}, bearer(role)
    )

    expect_problem(response, 403, "permission_denied")
    assert not Submission.objects.exists()


def test_the_role_is_checked_before_the_body(post_json, bearer, expect_problem):
    """A teacher with an invalid body hears about the role, not the body."""
    response = post_json(
        submissions_url(UNKNOWN_ID), {"student_id": "someone"}, bearer("teacher")
    )

    expect_problem(response, 403, "permission_denied")


@pytest.mark.parametrize(
    "field", ["id", "assignment_id", "student_id", "created_at", "grade"]
)
def test_fields_the_client_may_not_set_are_rejected(
    post_json, bearer, expect_problem, assignment, field
):
    """A read-only or unknown body field is a 400 naming it, not ignored."""
    body = {"content": "Mine", field: "chosen-by-the-client"}

    response = post_json(submissions_url(assignment["id"]), body, bearer("student"))

    problem = expect_problem(response, 400, "invalid")
    assert field in problem["errors"]
    assert not Submission.objects.exists()


def test_malformed_json_is_a_bad_request(post_json, bearer, expect_problem, assignment):
    """A body that does not parse as JSON is a 400."""
    response = post_json(
        submissions_url(assignment["id"]), '{"content": "Mine"', bearer("student")
    )

    expect_problem(response, 400, "parse_error")


@pytest.mark.parametrize(
    "body", ['["Mine"]', '"Mine"', "42"], ids=["list", "string", "number"]
)
def test_a_body_that_is_not_a_json_object_is_a_bad_request(
    post_json, bearer, expect_problem, assignment, body
):
    """Valid JSON other than an object is a 400 validation error."""
    response = post_json(submissions_url(assignment["id"]), body, bearer("student"))

    problem = expect_problem(response, 400, "invalid")
    assert "non_field_errors" in problem["errors"]
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded"]
)
def test_a_body_that_is_not_json_is_an_unsupported_media_type(
    client, bearer, expect_problem, assignment, content_type
):
    """Only JSON bodies are parsed: any other content type is a 415."""
    response = client.post(
        submissions_url(assignment["id"]),
        "content=Mine",
        content_type=content_type,
        headers=bearer("student"),
    )

    expect_problem(response, 415, "unsupported_media_type")
    assert not Submission.objects.exists()


def test_an_unreachable_teacher_service_is_a_502_until_the_circuit_opens(
    post_json, bearer, expect_problem, unreachable_teacher_service
):
    """Failed checks answer 502; past the threshold, 503 with Retry-After."""
    url = submissions_url(UNKNOWN_ID)

    failures = [
        post_json(url, {"content": "Mine"}, bearer("student"))
        for _ in range(CIRCUIT_FAILURE_THRESHOLD)
    ]
    refused = post_json(url, {"content": "Mine"}, bearer("student"))

    for failure in failures:
        expect_problem(failure, 502, "sibling_failed")
    expect_problem(refused, 503, "circuit_open")
    assert int(refused["Retry-After"]) > 0
    assert not Submission.objects.exists()


# -- reading one's submissions ------------------------------------------------


def test_a_student_reads_their_own_submission(client, bearer):
    """GET by id answers the submission's fields to the student who made it."""
    submission = SubmissionFactory(student_id="alan", content="Mine")

    response = client.get(
        submission_url(submission.pk), headers=bearer("student", "alan")
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": str(submission.pk),
        "assignment_id": str(submission.assignment_id),
        "student_id": "alan",
        "content": "Mine",
        "created_at": response.json()["created_at"],
    }


def test_another_students_submission_is_not_found(client, bearer, expect_problem):
    """A submission of someone else is a 404, as if it did not exist."""
    submission = SubmissionFactory(student_id="alan")

    response = client.get(
        submission_url(submission.pk), headers=bearer("student", "barbara")
    )

    expect_problem(response, 404, "submission_not_found")


@pytest.mark.parametrize("role", ["admin", "teacher"])
def test_no_one_but_its_student_finds_a_submission(
    client, bearer, expect_problem, role
):
    """Teachers and admins get 404 from a submission's page, as anyone else."""
    submission = SubmissionFactory()

    response = client.get(submission_url(submission.pk), headers=bearer(role))

    expect_problem(response, 404, "submission_not_found")


@pytest.mark.parametrize("submission_id", [UNKNOWN_ID, "not-a-uuid"])
def test_an_unknown_submission_is_not_found(
    client, bearer, expect_problem, submission_id
):
    """An id of no submission, or one that cannot be a UUID, is a 404."""
    response = client.get(submission_url(submission_id), headers=bearer("student"))

    problem = expect_problem(response, 404, "submission_not_found")
    assert submission_id in problem["detail"]


def test_a_student_lists_only_their_own_submissions_newest_first(client, bearer):
    """The list holds the caller's submissions only, most recent first."""
    oldest, newest = SubmissionFactory.create_batch(2, student_id="alan")
    SubmissionFactory(student_id="barbara")

    response = client.get(SUBMISSIONS, headers=bearer("student", "alan"))

    assert response.status_code == 200
    assert response.json().keys() == {"next", "previous", "results"}
    assert listed_ids(response) == [str(newest.pk), str(oldest.pk)]


def test_the_list_is_paged_by_cursor(client, bearer):
    """``page_size`` cuts the list; ``next`` walks on to the rest."""
    oldest, middle, newest = SubmissionFactory.create_batch(3, student_id="alan")
    headers = bearer("student", "alan")

    first = client.get(SUBMISSIONS, {"page_size": 2}, headers=headers)
    second = client.get(first.json()["next"], headers=headers)

    assert listed_ids(first) == [str(newest.pk), str(middle.pk)]
    assert listed_ids(second) == [str(oldest.pk)]
    assert second.json()["next"] is None


def test_listing_submissions_costs_the_same_queries_for_any_page(
    client, bearer, django_assert_max_num_queries
):
    """A page of 25 submissions is read without a query per submission."""
    SubmissionFactory.create_batch(25, student_id="alan")

    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = client.get(
            SUBMISSIONS, {"page_size": 25}, headers=bearer("student", "alan")
        )

    assert len(listed_ids(response)) == 25


def test_a_page_of_submissions_is_read_from_the_students_index_in_order():
    """The list walks submissions_by_student: no scan of others' rows, no sort."""
    SubmissionFactory.create_batch(3, student_id="alan")
    ordering = NewestFirstPagination.ordering
    page = submission_list_for_student(student_id="alan").order_by(*ordering)[:21]

    with connection.cursor() as cursor:
        # A table this small is cheaper to scan: ask whether the index serves.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = page.explain()

    assert "submissions_by_student" in plan
    assert "Sort" not in plan


@pytest.mark.parametrize("role", ["admin", "teacher"])
def test_only_students_list_submissions(client, bearer, expect_problem, role):
    """Teachers and admins get 403 from the list."""
    response = client.get(SUBMISSIONS, headers=bearer(role))

    expect_problem(response, 403, "permission_denied")


# -- what every endpoint shares -----------------------------------------------

ENDPOINTS = pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", submissions_url(UNKNOWN_ID)),
        ("get", SUBMISSIONS),
        ("get", submission_url(UNKNOWN_ID)),
    ],
    ids=["hand-in", "list", "read"],
)


@ENDPOINTS
def test_a_request_without_a_token_is_unauthorized(client, expect_problem, method, url):
    """No Authorization header is a 401 that names the Bearer scheme."""
    response = getattr(client, method)(url, {}, content_type="application/json")

    expect_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "raw_token",
    [
        "not-a-jwt",
        mint_token(secret="another-platform-secret-0123456789abcdef", role="student"),
        mint_token(secret=TEST_JWT_SECRET, role="student", ttl=-60),
    ],
    ids=["garbage", "foreign-signature", "expired"],
)
@ENDPOINTS
def test_a_token_that_fails_verification_is_unauthorized(
    client, expect_problem, method, url, raw_token
):
    """A malformed, foreign or expired token is a 401 Bearer challenge."""
    response = getattr(client, method)(
        url,
        {"content": "Mine"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw_token}"},
    )

    expect_problem(response, 401, "token_not_valid")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", submissions_url(UNKNOWN_ID)),
        ("post", SUBMISSIONS),
        ("delete", submission_url(UNKNOWN_ID)),
    ],
    ids=["read-hand-in", "post-list", "delete-one"],
)
def test_a_method_the_endpoint_does_not_serve_is_not_allowed(
    client, bearer, expect_problem, method, url
):
    """Methods outside the contract are a 405."""
    response = getattr(client, method)(url, headers=bearer("student"))

    expect_problem(response, 405, "method_not_allowed")
