"""Create requests retried with an Idempotency-Key create nothing twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from admin_svc.courses.models import Course
from edu_common.models import IdempotencyKey

pytestmark = pytest.mark.django_db

COURSES = "/api/admin/courses"


def post_course(post_json, headers, name="Compilers", key="key-1"):
    return post_json(
        COURSES, {"name": name}, headers={**headers, "Idempotency-Key": key}
    )


def test_a_retry_with_the_same_key_returns_the_first_answer(post_json, bearer):
    """Same key, body and caller: same id and status, one row, marked replayed."""
    admin = bearer("admin", sub="ada")

    first = post_course(post_json, admin)
    again = post_course(post_json, admin)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Course.objects.filter(name="Compilers").count() == 1


def test_the_same_key_with_another_body_is_422(post_json, bearer, expect_problem):
    """A key reused for a different request is refused, and stores nothing."""
    admin = bearer("admin", sub="ada")
    post_course(post_json, admin)

    response = post_course(post_json, admin, name="Databases")

    expect_problem(response, 422, "idempotency_key_reused")
    assert not Course.objects.filter(name="Databases").exists()


def test_keys_belong_to_their_caller(post_json, bearer):
    """Two callers using the same key create two courses."""
    post_course(post_json, bearer("admin", sub="ada"))
    post_course(post_json, bearer("admin", sub="grace"))

    assert Course.objects.filter(name="Compilers").count() == 2


def test_a_key_older_than_a_day_is_honoured_no_more(post_json, bearer):
    """After 24 hours the same key creates anew."""
    admin = bearer("admin", sub="ada")
    post_course(post_json, admin)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))

    response = post_course(post_json, admin)

    assert response.status_code == 201
    assert Course.objects.filter(name="Compilers").count() == 2


def test_a_failed_request_does_not_use_up_its_key(post_json, bearer):
    """Only a success is remembered: after a 400 the key works for a fix."""
    admin = bearer("admin", sub="ada")
    failed = post_course(post_json, admin, name="")

    fixed = post_course(post_json, admin, name="")
    assert failed.status_code == fixed.status_code == 400
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\tkey"])
def test_a_malformed_key_is_400(post_json, bearer, expect_problem, key):
    """An empty, overlong or unprintable key is refused before anything runs."""
    response = post_course(post_json, bearer("admin"), key=key)

    expect_problem(response, 400, "invalid_idempotency_key")
    assert not Course.objects.exists()


def test_without_a_key_every_request_creates(post_json, bearer):
    """The header is optional: plain retries create again."""
    admin = bearer("admin")
    post_json(COURSES, {"name": "Compilers"}, headers=admin)
    post_json(COURSES, {"name": "Compilers"}, headers=admin)

    assert Course.objects.filter(name="Compilers").count() == 2
