"""The request body parser of every service: JSON, bounded in size and depth."""

import json

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class BoundedJSONParser(JSONParser):
    """Parse a JSON body of at most ``MAX_REQUEST_BODY_BYTES``.

    The body is read up to one byte past the limit, whatever Content-Length
    claims, so a chunked or lying request cannot make the process buffer
    more; nesting too deep for the decoder is a 400, not a crash.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.MAX_REQUEST_BODY_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise RequestTooLarge(f"The request body exceeds {limit} bytes.")

        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(body.decode(encoding), parse_constant=_reject_constant)
        except LookupError:
            raise exceptions.UnsupportedMediaType(media_type) from None
        except (UnicodeDecodeError, ValueError) as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
        except RecursionError:
            raise exceptions.ParseError(
                "JSON parse error - nested too deeply"
            ) from None


def _reject_constant(name):
    # NaN and Infinity are not JSON, whatever Python's decoder allows.
    raise ValueError(f"{name} is not valid JSON")
