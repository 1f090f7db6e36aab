"""Tests of teacher-service's assignments API (``teacher_svc.assignments``).

Course checks go to a real admin-service on loopback (see ``conftest.py``).
"""

import socket
import uuid

import pytest

from edu_common.tokens import mint_token
from teacher_svc.assignments.models import Assignment
from tests.conftest import TEST_JWT_SECRET, ServiceProcess, free_port
from tests.teacher_svc.factories import AssignmentFactory

pytestmark = pytest.mark.django_db

# One query reads a page, however many assignments it holds.
LIST_QUERY_BUDGET = 1
CIRCUIT_FAILURE_THRESHOLD = 2
# Path ids of records no test creates.
UNKNOWN_ID = "7e1c2b9a-3d4f-4a8e-b6c5-0f9e8d7c6b51"


def assignments_url(course_id):
    return f"/api/teacher/courses/{course_id}/assignments"


def assignment_url(assignment_id):
    return f"/api/teacher/assignments/{assignment_id}"


def listed_ids(response):
    return [assignment["id"] for assignment in response.json()["results"]]


@pytest.fixture
def fast_failures(settings):
    """Retry at once and open the circuit after two failed course checks."""
    settings.RETRY_BACKOFF_MS = 1
    settings.CIRCUIT_FAILURE_THRESHOLD = CIRCUIT_FAILURE_THRESHOLD


@pytest.fixture
def unreachable_admin_service(settings, fast_failures):
    """Point course checks at a loopback port where nothing listens."""
    settings.SIBLING_URLS = {"admin-service": f"http://127.0.0.1:{free_port()}"}


@pytest.fixture
def silent_admin_service(settings):
    """Point course checks at a socket that accepts but never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        settings.SIBLING_URLS = {
            "admin-service": f"http://127.0.0.1:{listener.getsockname()[1]}"
        }
        settings.HTTP_REQUEST_TIMEOUT = 0.2
        settings.RETRY_COUNT = 0
        yield


@pytest.fixture(scope="module")
def admin_service_without_database():
    """Serve admin-service with no database: every course check answers 503."""
    service = ServiceProcess(
        "admin",
        database_url=f"postgres://postgres@127.0.0.1:{free_port()}/edu",
    )
    try:
        yield service.start()
    finally:
        service.stop()


@pytest.fixture
def failing_admin_service(settings, fast_failures, admin_service_without_database):
    """Point course checks at an admin-service that answers 5xx."""
    settings.SIBLING_URLS = {"admin-service": admin_service_without_database.url}


# -- creating an assignment ---------------------------------------------------


def test_a_teacher_creates_an_assignment_in_a_course_admin_service_confirms(
    post_json, bearer, course
):
    """admin-service confirms the course to the teacher's own token."""
    response = post_json(
        assignments_url(course["id"]), {"title": "Raft"}, bearer("teacher")
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body.keys() == {"id", "course_id", "title", "created_at"}
    assert (body["course_id"], body["title"]) == (course["id"], "Raft")
    assert Assignment.objects.filter(pk=body["id"], course_id=course["id"]).exists()


def test_an_assignment_records_the_token_subject_as_its_creator(
    post_json, bearer, course
):
    """An assignment's ``created_by`` is the ``sub`` of the teacher's token."""
    response = post_json(
        assignments_url(course["id"]), {"title": "Paxos"}, bearer("teacher", "grace")
    )

    assert Assignment.objects.get(pk=response.json()["id"]).created_by == "grace"


def test_admin_service_verifies_the_callers_own_token(
    post_json, token, course, expect_problem
):
    """admin-service receives and verifies the caller's own token."""
    # Expired three seconds ago: within teacher-service's ten seconds of
    # leeway, but refused by the sibling, which allows none.
    just_expired = token("teacher", ttl=-3)

    response = post_json(
        assignments_url(course["id"]),
        {"title": "Gossip"},
        {"Authorization": f"Bearer {just_expired}"},
    )

    problem = expect_problem(response, 502, "sibling_failed")
    assert "401" in problem["detail"]
    assert not Assignment.objects.exists()


def test_a_course_admin_service_does_not_know_is_not_found(
    post_json, bearer, expect_problem
):
    """admin-service's 404 becomes a 404 ``course_not_found`` naming the id."""
    response = post_json(
        assignments_url(UNKNOWN_ID), {"title": "Orphan"}, bearer("teacher")
    )

    problem = expect_problem(response, 404, "course_not_found")
    assert UNKNOWN_ID in problem["detail"]
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("body", [{"title": "Orphan"}, {"title": ""}])
def test_a_course_id_that_is_not_a_uuid_is_not_found(
    post_json, bearer, expect_problem, body
):
    """A course id that cannot be a UUID is a 404 ``course_not_found``, even
    with a body that fails validation."""
    response = post_json(assignments_url("not-a-uuid"), body, bearer("teacher"))

    problem = expect_problem(response, 404, "course_not_found")
    assert "not-a-uuid" in problem["detail"]


def test_a_title_of_200_characters_is_accepted(post_json, bearer, course):
    """A title exactly as long as the limit is stored whole."""
    response = post_json(
        assignments_url(course["id"]), {"title": "t" * 200}, bearer("teacher")
    )

    assert response.status_code == 201
    assert response.json()["title"] == "t" * 200


@pytest.mark.parametrize("role", ["admin", "student"])
def test_only_teachers_create_assignments(
    post_json, bearer, expect_problem, course, role
):
    """Any role but teacher is refused with 403 and nothing is stored."""
    response = post_json(assignments_url(course["id"]), {"title": "Raft"}, bearer(role))

    expect_problem(response, 403, "permission_denied")
    assert not Assignment.objects.exists()


def test_the_role_is_checked_before_the_body(post_json, bearer, expect_problem):
    """A student with an invalid body hears about the role, not the body."""
    response = post_json(
        assignments_url(UNKNOWN_ID), {"title": "", "id": "x"}, bearer("student")
    )

    expect_problem(response, 403, "permission_denied")


@pytest.mark.parametrize(
    "body",
    [{}, {"title": ""}, {"title": "   "}, {"title": None}, {"title": "t" * 201}],
    ids=["missing", "empty", "blank", "null", "too-long"],
)
def test_an_assignment_needs_a_short_title(
    post_json, bearer, expect_problem, course, body
):
    """A missing, blank, null or over-long title is a 400 naming ``title``."""
    response = post_json(assignments_url(course["id"]), body, bearer("teacher"))

    problem = expect_problem(response, 400, "invalid")
    assert list(problem["errors"]) == ["title"]
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    "field", ["id", "course_id", "created_at", "created_by", "due"]
)
def test_fields_the_client_may_not_set_are_rejected(
    post_json, bearer, expect_problem, course, field
):
    """A read-only or unknown body field is a 400 naming it, not ignored."""
    body = {"title": "Raft", field: "chosen-by-the-client"}

    response = post_json(assignments_url(course["id"]), body, bearer("teacher"))

    problem = expect_problem(response, 400, "invalid")
    assert field in problem["errors"]
    assert not Assignment.objects.exists()


def test_malformed_json_is_a_bad_request(post_json, bearer, expect_problem, course):
    """A body that does not parse as JSON is a 400."""
    response = post_json(
        assignments_url(course["id"]), '{"title": "Raft"', bearer("teacher")
    )

    expect_problem(response, 400, "parse_error")


@pytest.mark.parametrize(
    "body", ['["Raft"]', '"Raft"', "42"], ids=["list", "string", "number"]
)
def test_a_body_that_is_not_a_json_object_is_a_bad_request(
    post_json, bearer, expect_problem, course, body
):
    """Valid JSON other than an object is a 400 validation error."""
    response = post_json(assignments_url(course["id"]), body, bearer("teacher"))

    problem = expect_problem(response, 400, "invalid")
    assert "non_field_errors" in problem["errors"]
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded"]
)
def test_a_body_that_is_not_json_is_an_unsupported_media_type(
    client, bearer, expect_problem, course, content_type
):
    """Only JSON bodies are parsed: any other content type is a 415."""
    response = client.post(
        assignments_url(course["id"]),
        "title=Raft",
        content_type=content_type,
        headers=bearer("teacher"),
    )

    expect_problem(response, 415, "unsupported_media_type")
    assert not Assignment.objects.exists()


# -- when admin-service fails -------------------------------------------------


def test_an_unreachable_admin_service_is_a_502_until_the_circuit_opens(
    post_json, bearer, expect_problem, unreachable_admin_service
):
    """Failed course checks are 502s; past the threshold, 503 + Retry-After."""
    url = assignments_url(UNKNOWN_ID)

    failures = [
        post_json(url, {"title": "Raft"}, bearer("teacher"))
        for _ in range(CIRCUIT_FAILURE_THRESHOLD)
    ]
    refused = post_json(url, {"title": "Raft"}, bearer("teacher"))

    for failure in failures:
        expect_problem(failure, 502, "sibling_failed")
    expect_problem(refused, 503, "circuit_open")
    assert int(refused["Retry-After"]) > 0
    assert not Assignment.objects.exists()


def test_an_admin_service_answering_5xx_is_a_502(
    post_json, bearer, expect_problem, failing_admin_service
):
    """A sibling that keeps answering 5xx through the retries is a 502."""
    response = post_json(
        assignments_url(UNKNOWN_ID), {"title": "Raft"}, bearer("teacher")
    )

    problem = expect_problem(response, 502, "sibling_failed")
    assert "503" in problem["detail"]
    assert not Assignment.objects.exists()


def test_a_silent_admin_service_is_a_502(
    post_json, bearer, expect_problem, silent_admin_service
):
    """A course check that gets no answer in time is a 502 sibling_timeout."""
    response = post_json(
        assignments_url(UNKNOWN_ID), {"title": "Raft"}, bearer("teacher")
    )

    expect_problem(response, 502, "sibling_timeout")
    assert not Assignment.objects.exists()


# -- reading assignments ------------------------------------------------------


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_teachers_and_students_read_an_assignment(client, bearer, role):
    """GET by id answers the assignment's fields to teachers and students."""
    assignment = AssignmentFactory(title="Consensus")

    response = client.get(assignment_url(assignment.pk), headers=bearer(role))

    assert response.status_code == 200
    body = response.json()
    assert body.keys() == {"id", "course_id", "title", "created_at"}
    assert (body["id"], body["course_id"], body["title"]) == (
        str(assignment.pk),
        str(assignment.course_id),
        "Consensus",
    )


def test_admins_may_not_read_assignments(client, bearer, expect_problem):
    """The assignment endpoints are for teachers and students only."""
    assignment = AssignmentFactory()

    response = client.get(assignment_url(assignment.pk), headers=bearer("admin"))

    expect_problem(response, 403, "permission_denied")


def test_an_unknown_assignment_is_not_found(client, bearer, expect_problem):
    """A well-formed id of no assignment is a 404 that names the id."""
    response = client.get(assignment_url(UNKNOWN_ID), headers=bearer("student"))

    problem = expect_problem(response, 404, "assignment_not_found")
    assert UNKNOWN_ID in problem["detail"]


def test_an_assignment_id_that_is_not_a_uuid_is_not_found(
    client, bearer, expect_problem
):
    """A path id that cannot be a UUID is a 404, not a server error."""
    response = client.get(assignment_url("not-a-uuid"), headers=bearer("teacher"))

    expect_problem(response, 404, "assignment_not_found")


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_a_course_lists_its_own_assignments_newest_first(client, bearer, role):
    """The list holds the course's assignments only, most recent first."""
    course_id = uuid.uuid4()
    oldest, newest = AssignmentFactory.create_batch(2, course_id=course_id)
    AssignmentFactory()

    response = client.get(assignments_url(course_id), headers=bearer(role))

    assert response.status_code == 200
    assert response.json().keys() == {"next", "previous", "results"}
    assert listed_ids(response) == [str(newest.pk), str(oldest.pk)]


def test_an_unknown_course_lists_no_assignments(client, bearer):
    """A well-formed course id with no assignments is an empty list."""
    AssignmentFactory()

    response = client.get(assignments_url(UNKNOWN_ID), headers=bearer("teacher"))

    assert response.status_code == 200
    assert response.json() == {"next": None, "previous": None, "results": []}


def test_listing_under_a_course_id_that_is_not_a_uuid_is_not_found(
    client, bearer, expect_problem
):
    """The list under a course id that cannot be a UUID is a 404."""
    response = client.get(assignments_url("not-a-uuid"), headers=bearer("student"))

    expect_problem(response, 404, "course_not_found")


def test_the_list_is_paged_by_cursor(client, bearer):
    """``page_size`` cuts the list; ``next`` walks on to the rest."""
    course_id = uuid.uuid4()
    oldest, middle, newest = AssignmentFactory.create_batch(3, course_id=course_id)
    headers = bearer("teacher")

    first = client.get(assignments_url(course_id), {"page_size": 2}, headers=headers)
    second = client.get(first.json()["next"], headers=headers)

    assert listed_ids(first) == [str(newest.pk), str(middle.pk)]
    assert listed_ids(second) == [str(oldest.pk)]
    assert second.json()["next"] is None


def test_listing_assignments_costs_the_same_queries_for_any_page(
    client, bearer, django_assert_max_num_queries
):
    """A page of 25 assignments is read without a query per assignment."""
    course_id = uuid.uuid4()
    AssignmentFactory.create_batch(25, course_id=course_id)

    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = client.get(
            assignments_url(course_id), {"page_size": 25}, headers=bearer("student")
        )

    assert len(listed_ids(response)) == 25


def test_admins_may_not_list_assignments(client, bearer, expect_problem):
    """The list is for teachers and students only."""
    response = client.get(assignments_url(UNKNOWN_ID), headers=bearer("admin"))

    expect_problem(response, 403, "permission_denied")


# -- what every endpoint shares -----------------------------------------------

ENDPOINTS = pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", assignments_url(UNKNOWN_ID)),
        ("get", assignments_url(UNKNOWN_ID)),
        ("get", assignment_url(UNKNOWN_ID)),
    ],
    ids=["create", "list", "read"],
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
        mint_token(secret="another-platform-secret-0123456789abcdef", role="teacher"),
        mint_token(secret=TEST_JWT_SECRET, role="teacher", ttl=-60),
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
        {"title": "Raft"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw_token}"},
    )

    expect_problem(response, 401, "token_not_valid")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("put", assignments_url(UNKNOWN_ID)),
        ("delete", assignments_url(UNKNOWN_ID)),
        ("delete", assignment_url(UNKNOWN_ID)),
    ],
    ids=["put-list", "delete-list", "delete-one"],
)
def test_a_method_the_endpoint_does_not_serve_is_not_allowed(
    client, bearer, expect_problem, method, url
):
    """Methods outside the contract are a 405."""
    response = getattr(client, method)(url, headers=bearer("teacher"))

    expect_problem(response, 405, "method_not_allowed")
