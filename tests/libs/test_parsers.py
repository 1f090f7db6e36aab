"""Request bodies: bounded in size and depth, JSON only."""

import pytest

NOTES = "/api/libs/admin-notes"


@pytest.fixture
def admin(api, bearer):
    api.credentials(HTTP_AUTHORIZATION=bearer("admin")["Authorization"])
    return api


def post_raw(admin, body):
    return admin.generic("POST", NOTES, body, content_type="application/json")


def test_a_body_over_the_limit_is_413(admin, settings):
    """A body larger than MAX_REQUEST_BODY_BYTES answers 413 with JSON."""
    settings.MAX_REQUEST_BODY_BYTES = 100

    response = post_raw(admin, '{"text": "' + "x" * 200 + '"}')

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_a_body_at_the_limit_is_parsed(admin, settings):
    """The limit is inclusive: a body of exactly that size is read."""
    body = '{"text": "ok"}'
    settings.MAX_REQUEST_BODY_BYTES = len(body)

    assert post_raw(admin, body).status_code == 201


def test_deeply_nested_json_is_400(admin):
    """Nesting too deep for the decoder is a parse error, not a crash."""
    response = post_raw(admin, "[" * 5_000 + "]" * 5_000)

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize(
    "body", ['{"text": NaN}', '{"text": Infinity}', b'{"text": "\xff"}']
)
def test_non_json_values_are_400(admin, body):
    """NaN, Infinity and bytes that are not UTF-8 are not JSON."""
    assert post_raw(admin, body).status_code == 400


@pytest.mark.parametrize("text", [7, ["a"], {"a": 1}, None, True])
def test_a_wrong_json_type_is_400(admin, text):
    """A value of the wrong JSON type is a validation error naming the field."""
    response = admin.post(NOTES, {"text": text}, format="json")

    assert response.status_code == 400
    assert "text" in response.json()["errors"]


def test_a_null_character_is_400(admin):
    """A NUL in a string is refused (PostgreSQL could not store it)."""
    response = admin.post(NOTES, {"text": "a\x00b"}, format="json")

    assert response.status_code == 400


def test_a_body_over_the_default_limit_is_413_whoever_reads_it(admin):
    """Past 64 KiB the answer is 413 even when Django reads the body first."""
    response = post_raw(admin, '{"text": "' + "x" * 100_000 + '"}')

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


@pytest.mark.parametrize("charset", ["rot13", "base64", "zlib", "hex"])
def test_a_charset_that_is_not_a_text_encoding_is_415(admin, charset):
    """A body declared in a codec that does not decode text is not accepted."""
    response = admin.generic(
        "POST",
        NOTES,
        '{"text": "ok"}',
        content_type=f"application/json; charset={charset}",
    )

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
