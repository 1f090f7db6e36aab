#!/usr/bin/env python3
"""One entry point for the platform's three Django projects.

    python3 manage_all.py up [SERVICE ...] [--demo]   migrate, serve, wait ready
    python3 manage_all.py serve SERVICE               serve as the container does
    python3 manage_all.py demo [--base-url URL]       run the slice over HTTP
    python3 manage_all.py token --role ROLE           print a local token
    python3 manage_all.py test [NOX ARGS]             run the checks with nox
    python3 manage_all.py bootstrap-db [OPTIONS]      the services' schemas and roles
    python3 manage_all.py COMMAND [--service S] ...   a manage.py command in each

SERVICE is admin, teacher or student. Until the environment is ready only the
standard library is used: on a machine with nothing but Python, the first run
makes ``.venv``, installs the pinned requirements into it and carries on there.
"""

import argparse
import contextlib
import hashlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / "edu-requirements.txt"
LOCAL = ROOT / ".local"


@dataclass(frozen=True)
class Service:
    name: str
    package: str
    local_port: int
    url_prefix: str

    @property
    def local_url(self):
        return f"http://127.0.0.1:{self.local_port}"

    def manage(self, *args):
        return [sys.executable, str(ROOT / self.package / "manage.py"), *args]


SERVICES = {
    "admin": Service("admin-service", "admin_svc", 8001, "/api/admin"),
    "teacher": Service("teacher-service", "teacher_svc", 8002, "/api/teacher"),
    "student": Service("student-service", "student_svc", 8003, "/api/student"),
}


def service_named(word):
    """Return the service called ``admin``, ``admin-service`` or ``admin_svc``."""
    for key, service in SERVICES.items():
        if word in (key, service.name, service.package):
            return service
    raise SystemExit(f"unknown service {word!r}: choose from {', '.join(SERVICES)}")


# -- environment --------------------------------------------------------------

# What each level of requirements must make importable.
LEVELS = {
    "base": (
        "requirements/base.txt",
        ["django", "rest_framework", "gunicorn", "edu_common"],
    ),
    "dev": ("requirements/dev.txt", ["django", "pytest", "nox", "edu_common"]),
}


def ensure_environment(level):
    """Make sure the running Python has ``level``'s packages, else use .venv."""
    requirements, modules = LEVELS[level]
    in_venv = Path(sys.prefix).resolve() == VENV.resolve()
    if not in_venv and all(importlib.util.find_spec(name) for name in modules):
        return

    # Several commands may start at once (three services, a test run): one
    # installs while the others wait for it.
    with _install_lock():
        wanted = f"{level} {_requirements_digest()}"
        installed = STAMP.read_text().split("\n") if STAMP.exists() else []
        if wanted not in installed and not (level == "base" and _dev_line(installed)):
            _install(requirements)
            STAMP.write_text("\n".join([*installed, wanted]))

    if not in_venv:
        python = str(_venv_python())
        os.execv(python, [python, str(Path(__file__).resolve()), *sys.argv[1:]])


def _install(requirements):
    if not VENV.exists():
        print(
            f"Creating {VENV.name} for the platform's dependencies ...", file=sys.stderr
        )
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    print(f"Installing {requirements} into {VENV.name} ...", file=sys.stderr)
    subprocess.run(
        [
            str(_venv_python()),
            *("-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
            *("-r", str(ROOT / requirements), "-e", str(ROOT / "libs")),
        ],
        check=True,
    )


@contextlib.contextmanager
def _install_lock():
    import fcntl

    LOCAL.mkdir(exist_ok=True)
    with open(LOCAL / "install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _dev_line(installed):
    return f"dev {_requirements_digest()}" in installed


def _requirements_digest():
    digest = hashlib.sha256()
    sources = [
        ROOT / "requirements/base.txt",
        ROOT / "requirements/dev.txt",
        ROOT / "libs/pyproject.toml",
    ]
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _venv_python():
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


# -- commands -----------------------------------------------------------------


def up(argv):
    """Migrate, then serve the services locally until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="manage_all.py up", description=up.__doc__)
    parser.add_argument(
        "services", nargs="*", metavar="SERVICE", default=list(SERVICES)
    )
    parser.add_argument(
        "--demo", action="store_true", help="run the demo slice once ready"
    )
    args = parser.parse_args(argv)
    services = [service_named(word) for word in args.services]
    env = local_environment()
    # A port already taken would have the readiness checks and the demo
    # talk to whatever holds it, not to these services.
    for service in services:
        if not _port_is_free(service.local_port):
            raise SystemExit(
                f"{service.name}: port {service.local_port} on 127.0.0.1 is in use; "
                "stop what holds it (another `manage_all.py up`?) and try again"
            )

    for service in services:
        print(f"Preparing {service.name} ...", flush=True)
        for command in (
            ["migrate", "--noinput", "-v0"],
            ["collectstatic", "--noinput", "-v0"],
        ):
            subprocess.run(service.manage(*command), env=env, check=True, cwd=ROOT)

    processes = {service: start_gunicorn(service, env) for service in services}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        wait_until_ready(processes)
        print_welcome(services)
        if args.demo and run_demo(_local_urls(), env) != 0:
            return 1
        print("Serving; press Ctrl-C to stop.", flush=True)
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
        for service, process in processes.items():
            if process.poll() is not None:
                print(
                    f"{service.name} stopped unexpectedly "
                    f"(exit status {process.returncode}); stopping the others.",
                    file=sys.stderr,
                )
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop(processes.values())


def serve(argv):
    """Serve one service with gunicorn, as its container does (no migrations)."""
    parser = argparse.ArgumentParser(
        prog="manage_all.py serve", description=serve.__doc__
    )
    parser.add_argument("service", metavar="SERVICE")
    service = service_named(parser.parse_args(argv).service)

    os.chdir(ROOT)
    command = gunicorn_command(service)
    os.execv(command[0], command)


def demo(argv):
    """Run the slice over HTTP: a course, an assignment, a submission."""
    parser = argparse.ArgumentParser(
        prog="manage_all.py demo", description=demo.__doc__
    )
    parser.add_argument(
        "--base-url", help="one address for all three, e.g. the Ingress"
    )
    for key, service in SERVICES.items():
        parser.add_argument(
            f"--{key}-url", default=service.local_url, help=service.name
        )
    args = parser.parse_args(argv)

    urls = {key: args.base_url or getattr(args, f"{key}_url") for key in SERVICES}
    return run_demo(urls, os.environ)


def token(argv):
    """Print a token signed with JWT_SECRET (the development secret when unset)."""
    from edu_common.tokens import mint_token

    parser = argparse.ArgumentParser(
        prog="manage_all.py token", description=token.__doc__
    )
    parser.add_argument(
        "--role", required=True, choices=["admin", "teacher", "student"]
    )
    parser.add_argument("--sub", help="the caller's id (default: a new UUID)")
    parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    args = parser.parse_args(argv)

    print(
        mint_token(role=args.role, sub=args.sub, ttl=args.ttl, **_signing(os.environ))
    )
    return 0


def test(argv):
    """Run the platform's checks with nox (default: the test suite)."""
    return subprocess.run([sys.executable, "-m", "nox", *argv], cwd=ROOT).returncode


def manage(command, argv):
    """Run a manage.py command in each project, or in one with --service."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--service")
    args, rest = parser.parse_known_args(argv)
    services = [service_named(args.service)] if args.service else SERVICES.values()

    for service in services:
        print(
            f"== {service.name}: manage.py {command} {' '.join(rest)}".rstrip(),
            flush=True,
        )
        # The same default as `up`: DEBUG on, so a local run needs no secret.
        env = {"DEBUG": "true", **os.environ, "SERVICE_NAME": service.name}
        result = subprocess.run(service.manage(command, *rest), env=env, cwd=ROOT)
        if result.returncode:
            return result.returncode
    return 0


# -- running services -----------------------------------------------------------


def local_environment():
    """Return the environment of a local run: DEBUG on, siblings on loopback."""
    return {
        "DEBUG": "true",
        **os.environ,
        "HTTP_HOST": "127.0.0.1",
        "ADMIN_SERVICE_URL": os.environ.get(
            "ADMIN_SERVICE_URL", SERVICES["admin"].local_url
        ),
        "TEACHER_SERVICE_URL": os.environ.get(
            "TEACHER_SERVICE_URL", SERVICES["teacher"].local_url
        ),
    }


def gunicorn_command(service):
    return [
        sys.executable,
        *("-m", "gunicorn", "-c", "python:edu_common.gunicorn_conf"),
        f"{service.package}.wsgi",
    ]


def start_gunicorn(service, env):
    env = {**env, "SERVICE_NAME": service.name, "HTTP_PORT": str(service.local_port)}
    return subprocess.Popen(gunicorn_command(service), env=env, cwd=ROOT)


def wait_until_ready(processes, timeout=90):
    """Poll each service's /ready until it answers 200; fail if one exits."""
    deadline = time.monotonic() + timeout
    pending = dict(processes)
    while pending:
        for service, process in list(pending.items()):
            if process.poll() is not None:
                raise SystemExit(
                    f"{service.name} exited with status {process.returncode}"
                )
            if _answers_ok(f"{service.local_url}/ready"):
                print(f"{service.name} is ready on {service.local_url}", flush=True)
                del pending[service]
        if time.monotonic() > deadline:
            raise SystemExit(
                f"not ready after {timeout} s: {', '.join(s.name for s in pending)}"
            )
        time.sleep(0.3)


def _port_is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As gunicorn binds: a port whose last connections linger is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _answers_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def stop(processes, grace=40):
    """Ask each process to stop gracefully, then wait for all of them.

    ``grace`` outlasts gunicorn's graceful timeout (35 s), as a pod's does.
    """
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def print_welcome(services):
    print("\nThe platform is up:")
    for service in services:
        base = f"{service.local_url}{service.url_prefix}"
        print(
            f"  {service.name:16} API {base}/   docs {base}/docs/   "
            f"admin {base}/django-admin/   metrics {service.local_url}/metrics"
        )
    print(
        "\nBrowse the API: open a URL above, choose 'Log in' and paste a token from"
        "\n  python3 manage_all.py token --role admin"
        "\nDjango admin:  python3 manage_all.py createsuperuser --service admin\n",
        flush=True,
    )


# -- the demo slice -------------------------------------------------------------


def _local_urls():
    return {key: service.local_url for key, service in SERVICES.items()}


def _signing(env):
    from edu_common.conf import DEVELOPMENT_JWT_SECRET

    return {
        "secret": env.get("JWT_SECRET") or DEVELOPMENT_JWT_SECRET,
        "issuer": env.get("JWT_ISSUER") or None,
        "audience": env.get("JWT_AUDIENCE") or None,
    }


class DemoFailed(Exception):
    """A step of the demo slice did not get the answer it expects."""


def run_demo(urls, env):
    """Create a course, an assignment in it and a submission to it; 0 on success."""
    import httpx

    from edu_common.tokens import mint_token

    signing = _signing(env)
    student = str(uuid.uuid4())
    # One id for the whole slice, so that its lines in all three logs are found
    # with one search.
    request_id = f"demo-{uuid.uuid4()}"
    tokens = {
        role: mint_token(
            role=role, sub=student if role == "student" else None, **signing
        )
        for role in ("admin", "teacher", "student")
    }

    def step(title, role, method, url, body=None, expected=201):
        headers = {
            "Authorization": f"Bearer {tokens[role]}",
            "X-Request-ID": request_id,
        }
        try:
            response = client.request(method, url, headers=headers, json=body)
        except httpx.HTTPError as error:
            raise DemoFailed(f"{title}: {type(error).__name__}: {error}") from None
        outcome = "ok" if response.status_code == expected else "FAILED"
        print(f"- {title} ({role}): {method} {url}", flush=True)
        print(f"  {response.status_code} {outcome}: {response.text}", flush=True)
        if response.status_code != expected:
            raise DemoFailed(
                f"{title}: expected {expected}, got {response.status_code}"
            )
        return response.json()

    admin, teacher, student_url = (urls[key].rstrip("/") for key in SERVICES)
    print("\nDemo slice:", flush=True)
    try:
        with httpx.Client(timeout=40) as client:
            course = step(
                "An admin creates a course",
                "admin",
                "POST",
                f"{admin}/api/admin/courses",
                {"name": "Distributed Systems"},
            )
            assignment = step(
                "A teacher sets an assignment in it",
                "teacher",
                "POST",
                f"{teacher}/api/teacher/courses/{course['id']}/assignments",
                {"title": "Design a circuit breaker"},
            )
            submission = step(
                "A student hands in a submission",
                "student",
                "POST",
                f"{student_url}/api/student/assignments/{assignment['id']}/submissions",
                {"content": "Open after five failures, retry after thirty seconds."},
            )
            step(
                "The student reads it back",
                "student",
                "GET",
                f"{student_url}/api/student/submissions/{submission['id']}",
                expected=200,
            )
    except DemoFailed as failure:
        print(f"The slice failed: {failure}", file=sys.stderr, flush=True)
        return 1
    print(
        f"The slice succeeded. Its requests carry X-Request-ID {request_id}: "
        "every log line they caused, in each service, has that request_id.\n",
        flush=True,
    )
    return 0


# -- database bootstrap ---------------------------------------------------------

BOOTSTRAP_EPILOG = """\
Each service gets a schema named after it (admin, teacher, student) and a
login role PREFIX + schema that owns that schema and nothing else: it runs
its own migrations there, cannot use the other schemas, and may not create
anything in public. Running the command again changes nothing but the
passwords, which it sets again.

A role's password is read from <SERVICE>_DB_PASSWORD (ADMIN_DB_PASSWORD,
...), else from the service's own URL in <SERVICE>_DATABASE_URL, which must
then name that role: the cluster's Job passes each service's DATABASE_URL so
that a password is written down once. The owner needs CREATEROLE and must
own the database (a superuser will do)."""


def bootstrap_db(argv):
    """Create each service's schema and login role; print how each connects."""
    parser = argparse.ArgumentParser(
        prog="manage_all.py bootstrap-db",
        description=bootstrap_db.__doc__,
        epilog=BOOTSTRAP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--owner-url",
        default=os.environ.get("DATABASE_URL"),
        help="postgres:// URL of the database's owner (default: DATABASE_URL)",
    )
    parser.add_argument(
        "--role-prefix", default="edu_", help="role names start with this (edu_)"
    )
    parser.add_argument(
        "--show-passwords",
        action="store_true",
        help="print the passwords in the URLs (hidden by default)",
    )
    args = parser.parse_args(argv)
    if not args.owner_url:
        parser.error("give --owner-url or set DATABASE_URL")
    roles = {key: f"{args.role_prefix}{key}" for key in SERVICES}
    passwords = {key: _role_password(key, role) for key, role in roles.items()}

    import psycopg

    with psycopg.connect(args.owner_url, autocommit=True) as connection:
        database = connection.info.dbname
        with connection.transaction():
            for key, role in roles.items():
                created = _bootstrap_role(
                    connection, database, key, role, passwords[key]
                )
                print(f"role {role}: {'created' if created else 'updated'}")
            _close_foreign_schemas(connection, roles)

    print(f"\nThe services connect to database {database} with:")
    for key, role in roles.items():
        password = passwords[key] if args.show_passwords else None
        url = _service_database_url(args.owner_url, role, password, schema=key)
        print(f"  {SERVICES[key].name:16} DATABASE_URL={url}")
    if not args.show_passwords:
        print("Passwords are shown as ***; --show-passwords prints them.")
    return 0


def _bootstrap_role(connection, database, schema, role, password):
    """Create or update ``role`` as the owner of ``schema``; True if created."""
    from psycopg import sql

    names = {
        "schema": sql.Identifier(schema),
        "role": sql.Identifier(role),
        "database": sql.Identifier(database),
    }
    found = connection.execute(
        "SELECT 1 FROM pg_roles WHERE rolname = %s", [role]
    ).fetchone()
    # Only a SCRAM verifier reaches the server, never the password itself.
    verifier = connection.pgconn.encrypt_password(
        password.encode(), role.encode(), b"scram-sha-256"
    )
    connection.execute(
        sql.SQL("{verb} ROLE {role} WITH LOGIN PASSWORD {verifier}").format(
            verb=sql.SQL("ALTER" if found else "CREATE"),
            verifier=sql.Literal(verifier.decode()),
            **names,
        )
    )
    if connection.info.parameter_status("is_superuser") != "on":
        # Handing a schema to a role takes membership in that role.
        connection.execute(sql.SQL("GRANT {role} TO CURRENT_USER").format(**names))
    for statement in (
        "CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION {role}",
        "ALTER SCHEMA {schema} OWNER TO {role}",
        "GRANT CONNECT ON DATABASE {database} TO {role}",
        "ALTER ROLE {role} IN DATABASE {database} SET search_path = {schema}",
    ):
        connection.execute(sql.SQL(statement).format(**names))
    return found is None


def _close_foreign_schemas(connection, roles):
    """Revoke every role's rights on the other services' schemas and public."""
    from psycopg import sql

    for schema in roles:
        for other_role in (role for key, role in roles.items() if key != schema):
            connection.execute(
                sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(
                    sql.Identifier(schema), sql.Identifier(other_role)
                )
            )
    connection.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")


def _role_password(key, role):
    """Return the password of ``role`` from the environment, or exit naming it."""
    variable = f"{key.upper()}_DB_PASSWORD"
    if os.environ.get(variable):
        return os.environ[variable]

    url_variable = f"{key.upper()}_DATABASE_URL"
    parts = urllib.parse.urlsplit(os.environ.get(url_variable, ""))
    if parts.password:
        if urllib.parse.unquote(parts.username or "") != role:
            raise SystemExit(
                f"{url_variable} connects as {parts.username!r}, not as {role!r}"
            )
        return urllib.parse.unquote(parts.password)
    raise SystemExit(f"set {variable} (or {url_variable}) to give {role} a password")


def _service_database_url(owner_url, role, password, *, schema):
    """Return ``owner_url`` for ``role`` with ``schema`` first on its search path."""
    owner = urllib.parse.urlsplit(owner_url)
    secret = "***" if password is None else urllib.parse.quote(password, safe="")
    host = owner.netloc.rpartition("@")[2]
    query = [
        (name, value)
        for name, value in urllib.parse.parse_qsl(owner.query)
        if name != "options"
    ]
    query.append(("options", f"-c search_path={schema}"))
    return urllib.parse.urlunsplit(
        (
            owner.scheme,
            f"{urllib.parse.quote(role, safe='')}:{secret}@{host}",
            owner.path,
            urllib.parse.urlencode(query, quote_via=urllib.parse.quote),
            "",
        )
    )


# -- dispatch -------------------------------------------------------------------

# Each command with the requirements it needs before it runs.
COMMANDS = {
    "up": (up, "base"),
    "serve": (serve, "base"),
    "demo": (demo, "base"),
    "token": (token, "base"),
    "test": (test, "dev"),
    "bootstrap-db": (bootstrap_db, "base"),
}


def main(argv):
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0

    word, rest = argv[0], argv[1:]
    function, level = COMMANDS.get(word, (None, "base"))
    ensure_environment(level)
    if function is None:
        return manage(word, rest)
    return function(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
