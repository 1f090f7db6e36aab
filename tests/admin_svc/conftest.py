"""Fixtures of the admin-service suite."""

import pytest

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


@pytest.fixture
def expect_problem():
    """Return a checker of the JSON problem body every error reply carries."""

    def check(response, status, code):
        assert response.status_code == status, response.content
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert body.keys() >= PROBLEM_KEYS
        assert (body["status"], body["code"]) == (status, code)
        return body

    return check


@pytest.fixture
def post_json(client):
    """Return a function that posts ``body`` as JSON with the given headers."""

    def post(url, body, headers=None):
        return client.post(
            url, body, content_type="application/json", headers=headers or {}
        )

    return post
