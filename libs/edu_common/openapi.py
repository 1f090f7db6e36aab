"""The explorer's view of a service: its OpenAPI description and browsable pages.

drf-spectacular builds each schema from the views. This module adds what
every view shares, so that no view repeats it: the Bearer token, the roles
each operation allows (read from its permissions), the problem body of each
error reply with its codes, and the ``X-Request-ID`` header. The browsable
API shows the same roles beside each method.
"""

import copy

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.utils import formatting
from rest_framework.views import get_view_description

from edu_common.conf import ROLES
from edu_common.permissions import allowed_roles
from edu_common.tracing import REQUEST_ID_HEADER, REQUEST_ID_PATTERN

# Every error code a service answers with, by status, and what it means.
# A code "<resource>_not_found" needs no entry: it is a 404 naming the kind.
ERROR_CODES = {
    "invalid": (400, "the body fails validation; `errors` names each field"),
    "parse_error": (400, "the body is not valid JSON"),
    "invalid_idempotency_key": (400, "the `Idempotency-Key` header is malformed"),
    "not_authenticated": (401, "no token was sent"),
    "token_not_valid": (401, "the token fails verification"),
    "permission_denied": (403, "the token's role may not do this"),
    "not_found": (404, "no such page, or the list's `cursor` is not valid"),
    "length_required": (411, "the body came in chunks, without `Content-Length`"),
    "request_too_large": (413, "the body is larger than the service accepts"),
    "unsupported_media_type": (415, "the body is not `application/json`"),
    "idempotency_key_reused": (
        422,
        "the `Idempotency-Key` was used before with another body",
    ),
    "sibling_failed": (
        502,
        "a sibling service failed, refused the call or could not be reached",
    ),
    "circuit_open": (503, "a sibling keeps failing; retry after `Retry-After`"),
    "sibling_busy": (503, "a sibling is overloaded; retry after `Retry-After`"),
    "database_unavailable": (503, "the database is unavailable; retry shortly"),
    "sibling_timeout": (502, "a sibling service did not answer in time"),
}
SIBLING_ERRORS = ("sibling_failed", "circuit_open", "sibling_busy", "sibling_timeout")
BODY_ERRORS = (
    "invalid",
    "parse_error",
    "length_required",
    "request_too_large",
    "unsupported_media_type",
)
TOKEN_ERRORS = ("not_authenticated", "token_not_valid")

IDEMPOTENCY_HEADERS = [
    OpenApiParameter(
        "Idempotency-Key",
        str,
        OpenApiParameter.HEADER,
        pattern=r"^[\x20-\x7E]{1,255}$",
        description="Send a create again with the same key and body: the first "
        "answer comes back and nothing new is created (kept 24 hours).",
    ),
    OpenApiParameter(
        "Idempotent-Replayed",
        str,
        OpenApiParameter.HEADER,
        enum=["true"],
        description="Present when this is the stored answer to an earlier request.",
        response=[201],
    ),
]

_HEADERS = [
    OpenApiParameter(
        REQUEST_ID_HEADER,
        str,
        OpenApiParameter.HEADER,
        pattern=REQUEST_ID_PATTERN,
        description="An id for the request, logged by every service it reaches; "
        "a new one is made when it is missing or malformed.",
    ),
    OpenApiParameter(
        REQUEST_ID_HEADER,
        str,
        OpenApiParameter.HEADER,
        required=True,
        description="The request's id, as sent or newly made.",
        response=True,
    ),
    OpenApiParameter(
        "WWW-Authenticate",
        str,
        OpenApiParameter.HEADER,
        required=True,
        description="The Bearer scheme the token must use.",
        response=[401],
    ),
]
_RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    int,
    OpenApiParameter.HEADER,
    description="Seconds to wait before retrying (`circuit_open`, `sibling_busy`).",
    response=[503],
)


class ProblemSerializer(serializers.Serializer):
    """An error reply: RFC 9457 problem details with a stable code."""

    type = serializers.CharField(help_text="Always `about:blank`.")
    title = serializers.CharField(help_text="The status's reason phrase.")
    status = serializers.IntegerField(help_text="The HTTP status.")
    detail = serializers.CharField(help_text="What went wrong, for a person.")
    code = serializers.CharField(help_text="What went wrong, for a program.")
    request_id = serializers.CharField(
        required=False, help_text="The request's id, as in `X-Request-ID`."
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="With `invalid`: each field's messages.",
    )


def _status_of(code):
    if code.endswith("_not_found") and code not in ERROR_CODES:
        return 404
    return ERROR_CODES[code][0]


def _meaning_of(code):
    if code.endswith("_not_found") and code not in ERROR_CODES:
        return f"no such {code.removesuffix('_not_found').replace('_', ' ')}"
    return ERROR_CODES[code][1]


class _ProblemReplies(OpenApiResponse):
    """The error replies of one status, with the codes they may carry."""

    def __init__(self, codes):
        self.codes = tuple(codes)
        super().__init__(
            ProblemSerializer,
            description=" ".join(f"`{code}`: {_meaning_of(code)}." for code in codes),
        )


def problems(*codes):
    """Describe error replies by their codes, for ``extend_schema(responses=...)``.

    The replies every operation shares (a missing token, a wrong role, a
    bad body, the database) are added by the schema class itself.
    """
    by_status = {}
    for code in dict.fromkeys(codes):
        by_status.setdefault(_status_of(code), []).append(code)
    return {status: _ProblemReplies(by_status[status]) for status in sorted(by_status)}


class PlatformAutoSchema(AutoSchema):
    """drf-spectacular's schema of a view, with the platform's conventions."""

    def get_summary(self):
        """Use the first line of the action's docstring."""
        return super().get_description().partition("\n")[0].strip() or None

    def get_description(self):
        """Name the roles allowed, then what the docstring says after its summary."""
        rest = super().get_description().partition("\n")[2].strip()
        allowed = _sentence(allowed_roles(self.view.get_permissions()))
        return f"{allowed}\n\n{rest}" if rest else allowed

    def get_override_parameters(self):
        """Add the request id and the headers error replies carry."""
        parameters = [*super().get_override_parameters(), *_HEADERS]
        if {"circuit_open", "sibling_busy"} & set(self._error_codes()):
            parameters.append(_RETRY_AFTER)
        return parameters

    def _get_response_bodies(self, direction="response"):
        """Add the error replies every operation of its kind may give.

        ``extend_schema(responses=...)`` replaces ``get_response_serializers``
        in a subclass, so the usual replies join the declared ones here.
        """
        bodies = super()._get_response_bodies(direction)
        if not any(status.startswith("2") for status in bodies):
            success = str(self._success_status())
            bodies[success] = self._get_response_for_code(
                self._get_serializer(), success, direction=direction
            )
        for status, replies in problems(*self._error_codes()).items():
            bodies[str(status)] = self._get_response_for_code(
                replies, str(status), direction=direction
            )
        return dict(sorted(bodies.items()))

    def _declared_responses(self):
        declared = self.get_response_serializers()
        if isinstance(declared, dict):
            return declared
        return {self._success_status(): declared}

    def _success_status(self):
        return 201 if self.method == "POST" else 200

    def _error_codes(self):
        """Return the codes of the operation's error replies, usual ones first."""
        codes = list(self._usual_error_codes())
        for response in self._declared_responses().values():
            if isinstance(response, _ProblemReplies):
                codes.extend(response.codes)
        return codes

    def _usual_error_codes(self):
        roles = allowed_roles(self.view.get_permissions())
        if roles is not None:
            yield from TOKEN_ERRORS
            if len(roles) < len(ROLES):
                yield "permission_denied"
        if self.method in ("POST", "PUT", "PATCH"):
            yield from BODY_ERRORS
        if getattr(self.view, "action", None) == "list":
            yield "not_found"
        yield "database_unavailable"


def without_trailing_slash(result, generator, request, public):
    """Show each path as the API documents it: with no trailing slash.

    drf-spectacular's postprocessing hook; every path also answers with one.
    """
    result["paths"] = {
        path.rstrip("/") or "/": item for path, item in result["paths"].items()
    }
    return result


class StrictBodyExtension(OpenApiSerializerExtension):
    """Say that a strict serializer's request body takes no other field."""

    target_class = "edu_common.serializers.StrictSerializerMixin"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        """Map the serializer as usual; close a request body to unknown fields."""
        schema = auto_schema._map_serializer(
            self.target, direction, bypass_extensions=True
        )
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


class BearerTokenScheme(SimpleJWTScheme):
    """The Bearer JWT every operation accepts."""

    target_class = "edu_common.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        """Describe the token and where the caller's role comes from."""
        return {
            **super().get_security_definition(auto_schema),
            "description": "A JWT from the identity provider. Its subject is the "
            "caller; its role claim (admin, teacher or student) decides what the "
            "caller may do.",
        }


class SessionTokenScheme(SessionScheme):
    """The browsable API's session, which holds a token pasted at sign-in."""

    target_class = "edu_common.authentication.SessionTokenAuthentication"


def view_description(view, html=False):
    """Describe a view for the browsable API: its docstring, then who may call it."""
    description = get_view_description(view)
    methods = list(_methods(view))
    if any(roles is not None for _, _, roles in methods):
        lines = [
            " ".join(filter(None, [f"- {method.upper()}:", summary, _sentence(roles)]))
            for method, summary, roles in methods
        ]
        description = "\n".join([description, "", *lines]).strip()
    if html:
        return formatting.markup_description(description)
    return description


def _methods(view):
    """Yield each method of the view with its summary and the roles it allows."""
    # A viewset maps methods to actions; a plain view's handler is the method.
    actions = getattr(view, "action_map", None) or {
        method: method for method in view.http_method_names if hasattr(view, method)
    }
    for method, action in actions.items():
        if method in ("head", "options"):
            continue
        probe = copy.copy(view)
        probe.action = action
        handler = getattr(view, action, None)
        summary = formatting.dedent(getattr(handler, "__doc__", None) or "").strip()
        yield method, summary.partition("\n")[0], allowed_roles(probe.get_permissions())


def _sentence(roles):
    if roles is None:
        return "Open to anyone."
    return f"Roles: {', '.join(roles)}."
