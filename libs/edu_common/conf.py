"""Django settings shared by the three services, read from the environment.

Each service's ``settings.py`` calls :func:`service_settings` once and adds
what is its own. A missing or malformed variable stops the process with one
line that names the variable and never shows its value.
"""

import hashlib
import re
import sys
from pathlib import Path

import environ
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured

ROLES = ("admin", "teacher", "student")
DEFAULT_ROLE_CLAIM = "role"

# Signs tokens only where DEBUG is on and JWT_SECRET is unset (local runs).
DEVELOPMENT_JWT_SECRET = "edu-platform-development-secret-do-not-deploy"  # noqa: S105

MINIMUM_SECRET_BYTES = 32

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

_SEARCH_PATH = re.compile(r"search_path\s*=\s*([\w,\s\"$]+)")


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class _Environment:
    """Read typed variables through django-environ, naming the culprit on error."""

    def __init__(self):
        self._env = environ.Env()

    def __call__(self, name, cast="str", default=environ.Env.NOTSET):
        if cast == "bool" and self.is_set(name):
            # django-environ reads any unknown word as false; refuse it.
            words = {
                *environ.Env.BOOLEAN_TRUE_STRINGS,
                "false",
                "f",
                "no",
                "n",
                "off",
                "0",
            }
            if self._env.str(name).strip().lower() not in words:
                raise ConfigurationError(f"{name} must be true or false")
        try:
            return getattr(self._env, cast)(name, default=default)
        except ImproperlyConfigured:
            raise ConfigurationError(f"{name} must be set") from None
        except (TypeError, ValueError):
            raise ConfigurationError(f"{name} is malformed") from None

    def is_set(self, name):
        return bool(self._env.str(name, default=""))


def service_settings(
    *,
    service_name,
    package,
    domain_app,
    schema,
    url_prefix,
    base_dir,
    siblings=(),
):
    """Return the settings of one service; exit with one line if any is bad."""
    try:
        return _build(
            service_name=service_name,
            package=package,
            domain_app=domain_app,
            schema=schema,
            url_prefix=url_prefix,
            base_dir=Path(base_dir),
            siblings=siblings,
        )
    except ConfigurationError as error:
        sys.exit(f"{service_name}: configuration error: {error}")


def _build(
    *, service_name, package, domain_app, schema, url_prefix, base_dir, siblings
):
    env = _Environment()
    debug = env("DEBUG", "bool", default=False)
    token_keys = _token_keys(env, debug)
    log_level = env("LOG_LEVEL", default="INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigurationError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    database = _database(env, debug, schema, package, base_dir)
    body_limit = env("MAX_REQUEST_BODY_BYTES", "int", default=64 * 1024)
    secure_cookies = env("SECURE_COOKIES", "bool", default=not debug)
    shown_name = env("SERVICE_NAME", default=service_name)

    return {
        "SERVICE_NAME": shown_name,
        "DEBUG": debug,
        "SECRET_KEY": _secret_key(env, debug, token_keys),
        "ALLOWED_HOSTS": env(
            "ALLOWED_HOSTS",
            "list",
            default=["localhost", "127.0.0.1", "[::1]", service_name],
        ),
        "CSRF_TRUSTED_ORIGINS": env("CSRF_TRUSTED_ORIGINS", "list", default=[]),
        "INSTALLED_APPS": [
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
            "rest_framework",
            "drf_spectacular",
            "drf_spectacular_sidecar",
            "edu_common",
            domain_app,
        ],
        "MIDDLEWARE": [
            # First, so that every answer and every log line has the id.
            "edu_common.tracing.RequestIdMiddleware",
            "edu_common.access.AccessLogMiddleware",
            "edu_common.budget.RequestBudgetMiddleware",
            "edu_common.errors.JsonErrorPageMiddleware",
            "edu_common.errors.LengthRequiredMiddleware",
            "django.middleware.security.SecurityMiddleware",
            "whitenoise.middleware.WhiteNoiseMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "ROOT_URLCONF": f"{package}.urls",
        "WSGI_APPLICATION": f"{package}.wsgi.application",
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ],
                },
            },
        ],
        "DATABASES": {"default": database},
        "DATABASE_SCHEMA": search_path_schema(database) or schema,
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "LANGUAGE_CODE": "en-us",
        "USE_I18N": False,
        "STATIC_URL": f"/{url_prefix}/static/",
        "STATIC_ROOT": env(
            "STATIC_ROOT", default=str(base_dir / "staticfiles" / package)
        ),
        # Behind the Ingress every service shares one host: keep cookies apart.
        "SESSION_COOKIE_NAME": f"{schema}_sessionid",
        "SESSION_COOKIE_PATH": f"/{url_prefix}/",
        "SESSION_COOKIE_HTTPONLY": True,
        # The session carries a bearer token: over HTTPS only, unless told.
        "SESSION_COOKIE_SECURE": secure_cookies,
        "CSRF_COOKIE_SECURE": secure_cookies,
        "CSRF_COOKIE_NAME": f"{schema}_csrftoken",
        "CSRF_COOKIE_PATH": f"/{url_prefix}/",
        "CSRF_FAILURE_VIEW": "edu_common.errors.csrf_failure",
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "LOGIN_URL": f"/{url_prefix}/auth/login/",
        "REST_FRAMEWORK": {
            "DEFAULT_AUTHENTICATION_CLASSES": [
                "edu_common.authentication.BearerTokenAuthentication",
                "edu_common.authentication.SessionTokenAuthentication",
            ],
            "DEFAULT_PERMISSION_CLASSES": [
                "rest_framework.permissions.IsAuthenticated",
            ],
            "DEFAULT_PARSER_CLASSES": ["edu_common.parsers.BoundedJSONParser"],
            "DEFAULT_RENDERER_CLASSES": [
                "rest_framework.renderers.JSONRenderer",
                "rest_framework.renderers.BrowsableAPIRenderer",
            ],
            "DEFAULT_PAGINATION_CLASS": "edu_common.pagination.NewestFirstPagination",
            "PAGE_SIZE": 20,
            "EXCEPTION_HANDLER": "edu_common.errors.exception_handler",
            "UNAUTHENTICATED_USER": None,
            "DEFAULT_SCHEMA_CLASS": "edu_common.openapi.PlatformAutoSchema",
            "VIEW_DESCRIPTION_FUNCTION": "edu_common.openapi.view_description",
        },
        "SPECTACULAR_SETTINGS": _openapi(service_name),
        "SIMPLE_JWT": {
            **token_keys,
            "ISSUER": env("JWT_ISSUER", default="") or None,
            "AUDIENCE": env("JWT_AUDIENCE", default="") or None,
            "LEEWAY": env("JWT_LEEWAY", "int", default=10),
            "AUTH_HEADER_TYPES": ("Bearer",),
            "USER_ID_CLAIM": "sub",
            "TOKEN_TYPE_CLAIM": None,
            "JTI_CLAIM": None,
            "TOKEN_USER_CLASS": "edu_common.authentication.TokenIdentity",
            "UPDATE_LAST_LOGIN": False,
        },
        "JWT_ROLE_CLAIM": env("JWT_ROLE_CLAIM", default=DEFAULT_ROLE_CLAIM),
        "JWT_JWKS_CACHE_SECONDS": env("JWT_JWKS_CACHE_SECONDS", "float", default=300.0),
        "JWT_JWKS_REFRESH_COOLDOWN": env(
            "JWT_JWKS_REFRESH_COOLDOWN", "float", default=30.0
        ),
        "MAX_REQUEST_BODY_BYTES": body_limit,
        "DATA_UPLOAD_MAX_MEMORY_SIZE": body_limit,
        # Below gunicorn's graceful timeout (35 s), so a request accepted
        # before a SIGTERM can still finish.
        "REQUEST_TIME_BUDGET": env("REQUEST_TIME_BUDGET", "float", default=30.0),
        "SIBLING_URLS": {
            sibling: env(variable, default=f"http://{sibling}:8080")
            for sibling, variable in siblings
        },
        "HTTP_CONNECT_TIMEOUT": env("HTTP_CONNECT_TIMEOUT", "float", default=5.0),
        "HTTP_REQUEST_TIMEOUT": env("HTTP_REQUEST_TIMEOUT", "float", default=30.0),
        "RETRY_COUNT": env("RETRY_COUNT", "int", default=3),
        "RETRY_BACKOFF_MS": env("RETRY_BACKOFF_MS", "int", default=100),
        "CIRCUIT_FAILURE_THRESHOLD": env("CIRCUIT_FAILURE_THRESHOLD", "int", default=5),
        "CIRCUIT_OPEN_DURATION": env("CIRCUIT_OPEN_DURATION", "float", default=30.0),
        "READINESS_TIMEOUT": env("READINESS_TIMEOUT", "float", default=2.0),
        # Set by edu_common.gunicorn_conf: the worker processes' metric files.
        "PROMETHEUS_MULTIPROC_DIR": env("PROMETHEUS_MULTIPROC_DIR", default=""),
        "LOGGING_CONFIG": "edu_common.logs.configure",
        "LOGGING": _logging(shown_name, log_level, debug),
    }


TOKEN_ALGORITHMS = ("HS256", "RS256", "ES256")


def _token_keys(env, debug):
    """Return simplejwt's key settings: a shared secret, a public key or a JWKS."""
    algorithm = env("JWT_ALGORITHM", default="HS256").upper()
    if algorithm not in TOKEN_ALGORITHMS:
        raise ConfigurationError(
            f"JWT_ALGORITHM must be one of {', '.join(TOKEN_ALGORITHMS)}"
        )
    if algorithm == "HS256":
        secret = _jwt_secret(env, debug)
        return {"ALGORITHM": algorithm, "SIGNING_KEY": secret, "VERIFYING_KEY": ""}

    public_key = env("JWT_PUBLIC_KEY", default="")
    jwks_url = env("JWT_JWKS_URL", default="")
    if bool(public_key) == bool(jwks_url):
        raise ConfigurationError(
            f"{algorithm} needs one of JWT_PUBLIC_KEY or JWT_JWKS_URL"
        )
    if public_key:
        try:
            serialization.load_pem_public_key(public_key.encode())
        except ValueError:
            raise ConfigurationError("JWT_PUBLIC_KEY is malformed") from None
    return {
        "ALGORITHM": algorithm,
        "SIGNING_KEY": None,
        "VERIFYING_KEY": public_key,
        "JWK_URL": jwks_url or None,
    }


def _secret_key(env, debug, token_keys):
    if env.is_set("DJANGO_SECRET_KEY"):
        return env("DJANGO_SECRET_KEY")
    if token_keys["SIGNING_KEY"]:
        return _derived_key(token_keys["SIGNING_KEY"])
    if debug:
        return _derived_key(DEVELOPMENT_JWT_SECRET)
    raise ConfigurationError("DJANGO_SECRET_KEY must be set when tokens are not HS256")


def _jwt_secret(env, debug):
    if not env.is_set("JWT_SECRET"):
        if debug:
            return DEVELOPMENT_JWT_SECRET
        raise ConfigurationError("JWT_SECRET must be set when DEBUG is off")

    secret = env("JWT_SECRET")
    if len(secret.encode()) < MINIMUM_SECRET_BYTES:
        raise ConfigurationError(
            f"JWT_SECRET is too short: use at least {MINIMUM_SECRET_BYTES} bytes"
        )
    return secret


def _derived_key(jwt_secret):
    # Django signs sessions and CSRF tokens with SECRET_KEY; derive one from
    # the token secret so a deployment needs one secret less, one-way.
    return hashlib.sha256(
        b"edu-platform/django-secret-key/" + jwt_secret.encode()
    ).hexdigest()


def _database(env, debug, schema, package, base_dir):
    if not env.is_set("DATABASE_URL"):
        if debug:
            return _embedded_database(package, base_dir)
        raise ConfigurationError("DATABASE_URL must be set when DEBUG is off")

    # Check the scheme first: django-environ warns about an unknown one with
    # the parsed URL, password included.
    scheme = env("DATABASE_URL").partition("://")[0]
    if scheme not in environ.Env.DB_SCHEMES:
        raise ConfigurationError("DATABASE_URL is malformed")
    database = env("DATABASE_URL", "db_url")
    if not database.get("NAME"):
        raise ConfigurationError("DATABASE_URL is malformed")

    database["CONN_MAX_AGE"] = env("DATABASE_CONN_MAX_AGE", "int", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    if database["ENGINE"] == "django.db.backends.postgresql":
        # The same backend, with a health check that sends no query.
        database["ENGINE"] = "edu_common.postgresql"
        options = database.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", 2)
        # A database host lost without closing its connections: a query on
        # one fails once its bytes stay unacknowledged this long (ms), and
        # keepalives notice it on an idle one, instead of the kernel's
        # quarter of an hour.
        options.setdefault("tcp_user_timeout", 10_000)
        options.setdefault("keepalives", 1)
        options.setdefault("keepalives_idle", 30)
        options.setdefault("keepalives_interval", 10)
        options.setdefault("keepalives_count", 3)
        if "search_path" not in options.get("options", ""):
            options["options"] = (
                f"{options.get('options', '')} -c search_path={schema}".strip()
            )
        database["TEST"] = {"NAME": f"test_{database['NAME']}_{schema}"}
    return database


def _embedded_database(package, base_dir):
    folder = base_dir / ".local"
    folder.mkdir(exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(folder / f"{package}.sqlite3"),
    }


def search_path_schema(database):
    """Return the first schema of a PostgreSQL connection's ``search_path``."""
    match = _SEARCH_PATH.search(database.get("OPTIONS", {}).get("options", ""))
    if not match:
        return None
    return match.group(1).split(",")[0].strip().strip('"') or None


def _openapi(service_name):
    # The service's own name, not SERVICE_NAME: the committed schema must
    # not change with a deployment's settings.
    return {
        "TITLE": service_name,
        "DESCRIPTION": OPENAPI_DESCRIPTION,
        "VERSION": "1.0.0",
        "SERVE_INCLUDE_SCHEMA": False,
        "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
        "SERVE_AUTHENTICATION": [],
        # Request bodies get their own components, without read-only fields.
        "COMPONENT_SPLIT_REQUEST": True,
        # Swagger UI's files come with the image, not from a CDN.
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "edu_common.openapi.without_trailing_slash",
        ],
    }


OPENAPI_DESCRIPTION = """\
Part of the edu platform. Every call needs a Bearer JWT from the identity
provider; its `role` claim (admin, teacher or student) decides what the
caller may do, and each operation names the roles it allows.

Every error reply is an RFC 9457 problem document with a stable `code`.
Every reply carries `X-Request-ID`: send one (up to 128 letters, digits,
`.`, `_`, `:` or `-`) to choose it, and find it in each error body and on
every log line the request caused, in this service and its siblings."""


def _logging(service_name, level, debug):
    # One JSON object per line on stdout, stamped with the service and the
    # request id; one readable line instead while developing.
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request": {
                "()": "edu_common.logs.RequestContextFilter",
                "service": service_name,
            },
        },
        "formatters": {
            "json": {"()": "edu_common.logs.JsonLineFormatter"},
            "console": {"()": "edu_common.logs.ConsoleFormatter"},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "filters": ["request"],
                "formatter": "console" if debug else "json",
            },
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Django's own console handler would write its lines twice.
            "django": {"handlers": [], "level": level},
            "py.warnings": {"handlers": []},
            # The access line reports every 4xx; a 5xx keeps its traceback.
            "django.request": {"level": "ERROR"},
            # A request for a host not in ALLOWED_HOSTS is the client's 400,
            # which its access line reports: no ERROR and traceback per probe.
            "django.security.DisallowedHost": {"handlers": [], "propagate": False},
            # gunicorn's lines (start, workers, timeouts) in the same format.
            "gunicorn.error": {
                "handlers": ["stdout"],
                "level": level,
                "propagate": False,
            },
            # edu_common.remote logs each call to a sibling; httpx would repeat it.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
            # /ready's answer says which check failed; no traceback per probe.
            "health_check": {"level": "ERROR"},
        },
    }
