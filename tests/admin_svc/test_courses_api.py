"""Tests of the courses API of admin-service (``admin_svc.courses``)."""

import base64

import pytest

from admin_svc.courses.models import Course
from edu_common.tokens import mint_token
from tests.admin_svc.factories import CourseFactory
from tests.conftest import TEST_JWT_SECRET

pytestmark = pytest.mark.django_db

COURSES = "/api/admin/courses"
# One query reads a page, however many courses it holds.
LIST_QUERY_BUDGET = 1
# A path id of no course any test creates.
UNKNOWN_ID = "0c9d7e3a-51b2-4f6e-8a4d-6e2f1b9c3d70"


def course_url(course_id):
    return f"{COURSES}/{course_id}"


def listed_ids(response):
    return [course["id"] for course in response.json()["results"]]


# -- creating a course --------------------------------------------------------


def test_an_admin_creates_a_course(post_json, bearer):
    """An admin's POST stores the course and answers 201 with its fields."""
    response = post_json(COURSES, {"name": "Distributed Systems"}, bearer("admin"))

    assert response.status_code == 201
    body = response.json()
    assert body.keys() == {"id", "name", "created_at"}
    assert body["name"] == "Distributed Systems"
    assert Course.objects.filter(pk=body["id"], name="Distributed Systems").exists()


def test_a_course_records_the_token_subject_as_its_creator(post_json, bearer):
    """The course's ``created_by`` is the ``sub`` of the admin's token."""
    response = post_json(COURSES, {"name": "Compilers"}, bearer("admin", sub="ada"))

    assert Course.objects.get(pk=response.json()["id"]).created_by == "ada"


def test_a_name_of_200_characters_is_accepted(post_json, bearer):
    """A name exactly as long as the limit is stored whole."""
    response = post_json(COURSES, {"name": "n" * 200}, bearer("admin"))

    assert response.status_code == 201
    assert response.json()["name"] == "n" * 200


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_only_admins_create_courses(post_json, bearer, expect_problem, role):
    """Any role but admin is refused with 403 and nothing is stored."""
    response = post_json(COURSES, {"name": "Databases"}, bearer(role))

    expect_problem(response, 403, "permission_denied")
    assert not Course.objects.exists()


def test_the_role_is_checked_before_the_body(post_json, bearer, expect_problem):
    """A teacher with an invalid body hears about the role, not the body."""
    response = post_json(COURSES, {"name": "", "id": "x"}, bearer("teacher"))

    expect_problem(response, 403, "permission_denied")


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": "   "}, {"name": None}, {"name": "n" * 201}],
    ids=["missing", "empty", "blank", "null", "too-long"],
)
def test_a_course_needs_a_short_name(post_json, bearer, expect_problem, body):
    """A missing, blank, null or over-long name is a 400 naming ``name``."""
    response = post_json(COURSES, body, bearer("admin"))

    problem = expect_problem(response, 400, "invalid")
    assert list(problem["errors"]) == ["name"]
    assert not Course.objects.exists()


@pytest.mark.parametrize("field", ["id", "created_at", "created_by", "teacher"])
def test_fields_the_client_may_not_set_are_rejected(
    post_json, bearer, expect_problem, field
):
    """A read-only or unknown body field is a 400 naming it, not ignored."""
    body = {"name": "Networks", field: "chosen-by-the-client"}

    response = post_json(COURSES, body, bearer("admin"))

    problem = expect_problem(response, 400, "invalid")
    assert field in problem["errors"]
    assert not Course.objects.exists()


def test_malformed_json_is_a_bad_request(post_json, bearer, expect_problem):
    """A body that does not parse as JSON is a 400."""
    response = post_json(COURSES, '{"name": "Algebra"', bearer("admin"))

    expect_problem(response, 400, "parse_error")


@pytest.mark.parametrize(
    "body", ['["Algebra"]', '"Algebra"', "42"], ids=["list", "string", "number"]
)
def test_a_body_that_is_not_a_json_object_is_a_bad_request(
    post_json, bearer, expect_problem, body
):
    """Valid JSON other than an object is a 400 validation error."""
    response = post_json(COURSES, body, bearer("admin"))

    problem = expect_problem(response, 400, "invalid")
    assert "non_field_errors" in problem["errors"]
    assert not Course.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded"]
)
def test_a_body_that_is_not_json_is_an_unsupported_media_type(
    client, bearer, expect_problem, content_type
):
    """Only JSON bodies are parsed: any other content type is a 415."""
    response = client.post(
        COURSES, "name=Algebra", content_type=content_type, headers=bearer("admin")
    )

    expect_problem(response, 415, "unsupported_media_type")
    assert not Course.objects.exists()


# -- reading courses ----------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "teacher"])
def test_admins_and_teachers_read_a_course(client, bearer, role):
    """GET by id answers the course's fields to admins and teachers."""
    course = CourseFactory(name="Operating Systems")

    response = client.get(course_url(course.pk), headers=bearer(role))

    assert response.status_code == 200
    assert response.json() == {
        "id": str(course.pk),
        "name": "Operating Systems",
        "created_at": response.json()["created_at"],
    }


def test_an_unknown_course_is_not_found(client, bearer, expect_problem):
    """A well-formed id of no course is a 404 that names the id."""
    response = client.get(course_url(UNKNOWN_ID), headers=bearer("admin"))

    problem = expect_problem(response, 404, "course_not_found")
    assert UNKNOWN_ID in problem["detail"]


def test_a_course_id_that_is_not_a_uuid_is_not_found(client, bearer, expect_problem):
    """A path id that cannot be a UUID is a 404, not a server error."""
    response = client.get(course_url("not-a-uuid"), headers=bearer("teacher"))

    expect_problem(response, 404, "course_not_found")


@pytest.mark.parametrize("role", ["admin", "teacher"])
def test_courses_are_listed_newest_first(client, bearer, role):
    """The list holds every course, the most recently created first."""
    oldest, middle, newest = CourseFactory.create_batch(3)

    response = client.get(COURSES, headers=bearer(role))

    assert response.status_code == 200
    assert response.json().keys() == {"next", "previous", "results"}
    assert listed_ids(response) == [str(newest.pk), str(middle.pk), str(oldest.pk)]


def test_the_list_is_paged_by_cursor(client, bearer):
    """``page_size`` cuts the list; ``next`` and ``previous`` walk it."""
    oldest, middle, newest = CourseFactory.create_batch(3)
    headers = bearer("admin")

    first = client.get(COURSES, {"page_size": 2}, headers=headers)
    second = client.get(first.json()["next"], headers=headers)

    assert listed_ids(first) == [str(newest.pk), str(middle.pk)]
    assert first.json()["previous"] is None
    assert listed_ids(second) == [str(oldest.pk)]
    assert second.json()["next"] is None
    assert second.json()["previous"] is not None


def test_a_page_holds_at_most_100_courses(client, bearer):
    """A ``page_size`` above 100 is capped at 100."""
    CourseFactory.create_batch(101)

    response = client.get(COURSES, {"page_size": 500}, headers=bearer("admin"))

    assert len(listed_ids(response)) == 100
    assert response.json()["next"] is not None


def test_listing_courses_costs_the_same_queries_for_any_page(
    client, bearer, django_assert_max_num_queries
):
    """A page of 25 courses is read without a query per course."""
    CourseFactory.create_batch(25)

    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = client.get(COURSES, {"page_size": 25}, headers=bearer("admin"))

    assert len(listed_ids(response)) == 25


@pytest.mark.parametrize("url", [COURSES, course_url(UNKNOWN_ID)], ids=["list", "read"])
def test_students_may_not_read_courses(client, bearer, expect_problem, url):
    """Students get 403 from the list and from a course's page."""
    response = client.get(url, headers=bearer("student"))

    expect_problem(response, 403, "permission_denied")


# -- what every endpoint shares -----------------------------------------------

ENDPOINTS = pytest.mark.parametrize(
    ("method", "url"),
    [("post", COURSES), ("get", COURSES), ("get", course_url(UNKNOWN_ID))],
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
        mint_token(secret="another-platform-secret-0123456789abcdef", role="admin"),
        mint_token(secret=TEST_JWT_SECRET, role="admin", ttl=-60),
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
        {"name": "Logic"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw_token}"},
    )

    expect_problem(response, 401, "token_not_valid")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Course.objects.exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [("put", COURSES), ("delete", COURSES), ("delete", course_url(UNKNOWN_ID))],
    ids=["put-list", "delete-list", "delete-one"],
)
def test_a_method_the_endpoint_does_not_serve_is_not_allowed(
    client, bearer, expect_problem, method, url
):
    """Methods outside the contract are a 405."""
    response = getattr(client, method)(url, headers=bearer("admin"))

    expect_problem(response, 405, "method_not_allowed")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "position",
    [b"p=not-a-date", b"r=1&p=x", b"o=-1", b"p=2024-02-30T00:00:00", b"p=2024-13-01"],
)
def test_a_forged_cursor_is_not_found(client, bearer, expect_problem, position):
    """A cursor that decodes but holds no usable position is a 404, not a 500."""
    cursor = base64.b64encode(position).decode()

    response = client.get(COURSES, {"cursor": cursor}, headers=bearer("admin"))

    expect_problem(response, 404, "not_found")
