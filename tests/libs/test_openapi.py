"""Tests of the roles read from permissions, the error replies and page text."""

import pytest
from rest_framework.permissions import AllowAny, IsAuthenticated

from edu_common.openapi import problems
from edu_common.permissions import IsAdmin, IsStudent, IsTeacher, allowed_roles


@pytest.mark.parametrize(
    ("permissions", "roles"),
    [
        ([IsAdmin()], ["admin"]),
        ([(IsAdmin | IsTeacher)()], ["admin", "teacher"]),
        ([(IsTeacher | IsStudent)(), IsStudent()], ["student"]),
        ([(IsAdmin & IsTeacher)()], []),
        ([IsAuthenticated()], ["admin", "teacher", "student"]),
        ([(IsAdmin | AllowAny)()], None),
        ([AllowAny()], None),
        ([], None),
    ],
)
def test_allowed_roles_reads_the_permissions(permissions, roles):
    """Role permissions, | and &, IsAuthenticated and AllowAny."""
    assert allowed_roles(permissions) == roles


def test_problems_groups_codes_by_status():
    """Codes of one status share one reply that names each of them."""
    replies = problems("circuit_open", "course_not_found", "database_unavailable")

    assert list(replies) == [404, 503]
    assert replies[404].codes == ("course_not_found",)
    assert replies[503].codes == ("circuit_open", "database_unavailable")
    assert "`course_not_found`: no such course." in replies[404].description


def test_an_unknown_code_is_refused():
    """A typo in a view's declared errors fails when the module loads."""
    with pytest.raises(KeyError):
        problems("sibling_on_fire")


def test_the_browsable_api_names_the_roles_of_a_plain_view(api, token):
    """A page shows, under the view's docstring, each method's roles."""
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token('teacher')}")

    response = api.get("/api/libs/lessons", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert b"- GET: Roles: teacher, student." in response.content


def test_the_api_root_page_names_no_roles(api):
    """The entry page is open to anyone: no roles line is added."""
    response = api.get("/api/libs/", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert b"Roles:" not in response.content
    assert b"Open to anyone" not in response.content
