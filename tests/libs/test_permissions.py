"""Role permissions: each role reaches what it may, and only that."""

import pytest

ROLES = ["admin", "teacher", "student"]


@pytest.mark.parametrize(
    ("path", "method", "allowed"),
    [
        ("/api/libs/admin-notes", "post", {"admin"}),
        ("/api/libs/lessons", "get", {"teacher", "student"}),
        ("/api/libs/whoami", "get", {"admin", "teacher", "student"}),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(api, bearer, path, method, allowed, role):
    """A role outside the allowed set gets 403 with a JSON body."""
    response = getattr(api, method)(
        path, {"text": "hi"}, format="json", **_meta(bearer(role))
    )

    if role in allowed:
        assert response.status_code in (200, 201)
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


def test_role_is_checked_before_the_body(api, bearer):
    """A wrong-role caller with an invalid body gets 403, not 400."""
    response = api.post(
        "/api/libs/admin-notes",
        {"text": "far too long"},
        format="json",
        **_meta(bearer("teacher")),
    )

    assert response.status_code == 403


def test_unauthenticated_caller_gets_401_not_403(api):
    """Without a token the answer is 401, so the client knows to sign in."""
    assert api.post("/api/libs/admin-notes", {}, format="json").status_code == 401


def _meta(headers):
    return {"HTTP_AUTHORIZATION": headers["Authorization"]}
