"""Tests of admin-service's OpenAPI schema, docs page and browsable API text."""

import json

import pytest

PREFIX = "/api/admin"
# Each operation, and the roles its description must name.
OPERATIONS = {
    ("/api/admin/courses", "get"): ["admin", "teacher"],
    ("/api/admin/courses", "post"): ["admin"],
    ("/api/admin/courses/{id}", "get"): ["admin", "teacher"],
}
NOT_FOUND = {
    ("/api/admin/courses/{id}", "get"): "course_not_found",
}


@pytest.fixture
def schema(client):
    """Return the service's schema, fetched as JSON."""
    response = client.get(f"{PREFIX}/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_served_as_yaml_and_as_json(client, schema):
    """YAML by default, JSON with ?format=json, both without a token."""
    response = client.get(f"{PREFIX}/schema")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert response.content.startswith(b"openapi: 3.")
    assert schema["info"]["title"] == "admin-service"


def test_the_docs_page_loads_swagger_ui_from_the_service(client):
    """The page uses the schema and the service's own static files, no CDN."""
    response = client.get(f"{PREFIX}/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert f"{PREFIX}/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert f"{PREFIX}/schema" in page


def test_the_api_root_links_the_schema_and_the_docs(client):
    """The browsable API's entry page leads to the schema and the docs."""
    links = client.get(f"{PREFIX}/", headers={"Accept": "application/json"}).json()

    assert links["openapi schema"].endswith(f"{PREFIX}/schema")
    assert links["api docs"].endswith(f"{PREFIX}/docs")


def test_every_operation_names_its_roles_token_and_error_replies(schema):
    """Roles in the description, the Bearer token, a problem body per error."""
    operations = {
        (path, method): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }

    assert set(operations) == set(OPERATIONS)
    for key, roles in OPERATIONS.items():
        operation = operations[key]
        assert operation["description"].startswith(f"Roles: {', '.join(roles)}.")
        assert {"bearerAuth": []} in operation["security"]
        assert {"401", "503"} <= set(operation["responses"])
        if key[1] == "post":
            assert {"400", "411", "413", "415"} <= set(operation["responses"])
        for status, reply in operation["responses"].items():
            assert "X-Request-ID" in reply["headers"]
            if status >= "400":
                body = reply["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Problem"}


def test_missing_resources_are_described_by_their_code(schema):
    """Each 404 a path id can cause is named with its code."""
    for (path, method), code in NOT_FOUND.items():
        reply = schema["paths"][path][method]["responses"]["404"]
        assert f"`{code}`" in reply["description"]


@pytest.mark.django_db
def test_the_browsable_api_shows_each_methods_roles(client, token):
    """A signed-in browser sees, for each method, the roles it allows."""
    client.post(f"{PREFIX}/auth/login/", {"token": token("admin")})

    response = client.get(f"{PREFIX}/courses", headers={"Accept": "text/html"})

    assert response.status_code == 200
    page = response.content.decode()
    for sentence in (
        "GET: List courses",
        "Roles: admin, teacher.",
        "POST: Create a course",
        "Roles: admin.",
    ):
        assert sentence in page
