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

# Signs tokens only where DEBUG is on and JWT_SECRET is unset (local runs).
DEVELOPMENT_JWT_SECRET = "edu-platform-development-secret-do-not-deploy"  # noqa: S105

MINIMUM_SECRET_BYTES = 32

_SEARCH_PATH = re.compile(r"search_path\s*=\s*([\w,\s\"$]+)")


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class _Environment:
    """Read typed variables through django-environ, naming the culprit on error."""

    def __init__(self):
        self._env = environ.Env()

    def __call__(self, name, cast="str", default=environ.Env.NOTSET):
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
    database = _database(env, debug, schema, package, base_dir)
    body_limit = env("MAX_REQUEST_BODY_BYTES", "int", default=64 * 1024)

    return {
        "SERVICE_NAME": env("SERVICE_NAME", default=service_name),
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
            "edu_common",
            domain_app,
        ],
        "MIDDLEWARE": [
            "edu_common.budget.RequestBudgetMiddleware",
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
        },
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
        "JWT_ROLE_CLAIM": env("JWT_ROLE_CLAIM", default="role"),
        "JWT_JWKS_CACHE_SECONDS": env("JWT_JWKS_CACHE_SECONDS", "float", default=300.0),
        "JWT_JWKS_REFRESH_COOLDOWN": env(
            "JWT_JWKS_REFRESH_COOLDOWN", "float", default=30.0
        ),
        "MAX_REQUEST_BODY_BYTES": body_limit,
        "DATA_UPLOAD_MAX_MEMORY_SIZE": body_limit,
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
        "READINESS_TIMEOUT": env("READINESS_TIMEOUT", "float", default=1.5),
        "LOGGING": _logging(service_name, log_level),
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
        options = database.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", 2)
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


def _logging(service_name, level):
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "line": {
                "format": "%(asctime)s %(levelname)s "
                f"{service_name} %(name)s %(message)s",
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "line"},
        },
        "root": {"handlers": ["console"], "level": level},
        # edu_common.remote logs each call to a sibling; httpx would repeat it.
        "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
    }
