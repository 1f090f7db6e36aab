"""Checks of the edu platform: ``nox`` runs the tests, ``nox -s lint`` the linters."""

import contextlib
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import nox

nox.needs_version = ">=2024.10.9"
nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/edu"
TEST_JWT_SECRET = "edu-platform-test-secret-0123456789abcdef"

# Each service is its own Django project, so each suite runs in its own
# pytest process with that project's settings (None: no Django in-process).
SUITES = {
    "libs": "tests.libs.settings",
    "admin_svc": "admin_svc.settings",
    "teacher_svc": "teacher_svc.settings",
    "student_svc": "student_svc.settings",
    "manage_all": None,
    "e2e": None,
}
SERVICE_PACKAGES = ("admin_svc", "teacher_svc", "student_svc")


@nox.session
def tests(session):
    """Run every suite against PostgreSQL; posargs go to each pytest run."""
    session.install("-r", "requirements/dev.txt", "-e", "libs")
    with postgres(session) as database_url:
        env = suite_environment(database_url)
        for suite, settings_module in SUITES.items():
            django = (
                ["--ds", settings_module] if settings_module else ["-p", "no:django"]
            )
            session.run("pytest", f"tests/{suite}", *django, *session.posargs, env=env)


@nox.session
def schema(session):
    """Check each committed OpenAPI schema against the code; posarg --write updates."""
    session.install("-r", "requirements/base.txt", "-e", "libs")
    write = "--write" in session.posargs
    # DEBUG: describing the API needs neither a database nor a secret.
    env = {"DEBUG": "true", "DATABASE_URL": "", "JWT_SECRET": ""}
    stale = []
    for package in SERVICE_PACKAGES:
        committed = Path(package, "openapi.yaml")
        generated = committed if write else Path(session.create_tmp(), committed.name)
        session.run(
            *("python", f"{package}/manage.py", "spectacular"),
            *(f"--file={generated}", "--validate", "--fail-on-warn"),
            env=env,
        )
        if not committed.exists() or generated.read_text() != committed.read_text():
            stale.append(str(committed))
    if stale:
        session.error(
            f"{', '.join(stale)} differ from the code: "
            "run `nox -s schema -- --write` and commit the result"
        )


@nox.session
def fuzz(session):
    """Fuzz the three running services through their schemas (a few minutes)."""
    session.install("-r", "requirements/fuzz.txt", "-e", "libs")
    with postgres(session) as database_url:
        session.run(
            *("pytest", "tests/e2e/test_fuzz.py", "-p", "no:django", "-m", "fuzz"),
            *session.posargs,
            env=suite_environment(database_url),
        )


@nox.session
def bench(session):
    """Load-test the services as deployed and write BENCHMARKS.md (about 9 minutes)."""
    session.install("-r", "requirements/bench.txt", "-e", "libs")
    with postgres(session) as database_url:
        session.run(
            "python",
            *("-m", "tests.bench", *session.posargs),
            env=suite_environment(database_url),
        )


@nox.session
def lint(session):
    """Check style and formatting with ruff."""
    session.install("-r", "requirements/dev.txt")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


def suite_environment(database_url):
    """Return the environment the suites and the services they start run with."""
    return {
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "JWT_SECRET": os.environ.get("JWT_SECRET", TEST_JWT_SECRET),
    }


@contextlib.contextmanager
def postgres(session):
    """Yield DATABASE_URL: the environment's, the local server, or an embedded one.

    On a machine without PostgreSQL the pgserver wheel runs a private server
    under .nox/ for as long as the session lasts.
    """
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
    elif _answers("127.0.0.1", 5432):
        yield LOCAL_POSTGRES
    else:
        session.log("No PostgreSQL on 127.0.0.1:5432: starting an embedded one")
        session.install("pgserver==0.1.4")
        holder = subprocess.Popen(
            [
                str(Path(session.bin, "python")),
                "-c",
                "import pgserver, sys; server = pgserver.get_server(sys.argv[1]); "
                "print(server.get_uri(), flush=True); sys.stdin.read()",
                str(Path(".nox", "postgres").resolve()),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            socket_dir = parse_qs(urlsplit(holder.stdout.readline()).query)["host"][0]
            yield f"postgres://postgres@/postgres?host={quote(socket_dir, safe='')}"
        finally:
            holder.stdin.close()  # the holder's exit stops the server
            holder.wait(timeout=60)


def _answers(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


# -- Kubernetes -----------------------------------------------------------------

K8S_NAMESPACE = "edu"
K8S_SERVICES = ("admin-service", "teacher-service", "student-service")
K8S_LOCAL_PORTS = (8081, 8082, 8083)  # where k8s_port_forward puts each service
K8S_IMAGE = "edu-platform"
K8S_IMAGE_LOADERS = {
    "kind": ("kind", "load", "docker-image"),
    "minikube": ("minikube", "image", "load"),
}
# The Kubernetes release the rendered manifests are validated against.
K8S_VERSION = "1.37.0"
# kubernetes-validate has schemas for built-in kinds only: for the External
# Secrets Operator's ExternalSecret it can only warn, and that warning passes.
K8S_UNCHECKED_KIND = re.compile(
    r"WARN .* kind ExternalSecret with api version external-secrets\.io/v1 "
)


@nox.session
def manifests(session):
    """Lint, render, validate and scan the Kubernetes manifests and the Dockerfile."""
    session.install("-r", "requirements/k8s.txt")
    session.run(
        *("yamllint", "--strict", "--config-file", ".yamllint.yaml"),
        *("kubernetes", ".yamllint.yaml", ".checkov.yaml"),
    )

    # Render a copy whose dev secret files are the committed examples: a
    # clean clone renders, and no developer's real dev secret is read.
    tree = Path(session.create_tmp(), "kubernetes")
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree("kubernetes", tree)
    for example in tree.glob("overlays/dev/*.env.example"):
        shutil.copy(example, example.with_suffix(""))

    for overlay in ("dev", "prod"):
        rendered = str(tree / f"{overlay}.yaml")
        source = str(tree / "overlays" / overlay)
        session.run(
            "kubectl", "kustomize", source, f"--output={rendered}", external=True
        )
        report = session.run(
            *("kubernetes-validate", "--strict", "--kubernetes-version", K8S_VERSION),
            rendered,
            silent=True,
        )
        problems = [
            line
            for line in report.splitlines()
            if re.search(r"\b(ERROR|WARN)", line) and not K8S_UNCHECKED_KIND.match(line)
        ]
        if problems:
            session.error("kubernetes-validate:\n" + "\n".join(problems))
        session.log(f"kubernetes-validate: {overlay} is valid for {K8S_VERSION}")
        session.run("python", "kubernetes/check_rendered.py", rendered)
        session.run(
            *("checkov", "--config-file", ".checkov.yaml"),
            *("--framework", "kubernetes", "--file", rendered),
        )
    session.run(
        *("checkov", "--config-file", ".checkov.yaml"),
        *("--framework", "dockerfile", "--file", "Dockerfile"),
    )


def kubectl(session, *args, **kwargs):
    """Run kubectl in the platform's namespace."""
    return session.run(
        "kubectl", "--namespace", K8S_NAMESPACE, *args, external=True, **kwargs
    )


@nox.session(python=False)
def k8s_build(session):
    """Build the image; posargs: a tag (default dev), then kind or minikube."""
    tag, *clusters = session.posargs or ["dev"]
    image = f"{K8S_IMAGE}:{tag}"
    session.run("docker", "build", "--tag", image, ".", external=True)
    for cluster in clusters:
        session.run(*K8S_IMAGE_LOADERS[cluster], image, external=True)


@nox.session(python=False)
def k8s_deploy(session):
    """Apply an overlay (posarg: dev or prod, default dev) and wait for the rollout."""
    overlay = session.posargs[0] if session.posargs else "dev"
    if overlay == "dev":
        # First deploy: the dev secrets start as their committed examples.
        for example in Path("kubernetes/overlays/dev").glob("*.env.example"):
            if not example.with_suffix("").exists():
                shutil.copy(example, example.with_suffix(""))
    # A Job cannot be changed once made: the apply makes the migration and
    # bootstrap Jobs anew, so they run again with the new image.
    kubectl(
        session,
        *("delete", "jobs", "--ignore-not-found"),
        "--selector=app.kubernetes.io/part-of=edu-platform",
    )
    source = f"kubernetes/overlays/{overlay}"
    session.run("kubectl", "apply", f"--kustomize={source}", external=True)
    for service in K8S_SERVICES:
        kubectl(session, "rollout", "status", f"deployment/{service}", "--timeout=10m")


@nox.session(python=False)
def k8s_rollout(session):
    """Restart one service (posarg, e.g. admin-service) or all, and wait for it."""
    services = session.posargs or K8S_SERVICES
    for service in services:
        kubectl(session, "rollout", "restart", f"deployment/{service}")
    for service in services:
        kubectl(session, "rollout", "status", f"deployment/{service}", "--timeout=10m")


@nox.session(python=False)
def k8s_status(session):
    """Show what runs in the namespace: workloads, pods, Services, Ingress, scaling."""
    kubectl(
        session,
        *("get", "deployments,statefulsets,jobs,pods,services,ingresses,hpa,pdb"),
        *("--output=wide", "--selector=app.kubernetes.io/part-of=edu-platform"),
    )


@nox.session(python=False)
def k8s_port_forward(session):
    """Forward 127.0.0.1:8081-8083 to admin-, teacher- and student-service."""
    command = ["kubectl", "--namespace", K8S_NAMESPACE, "port-forward"]
    forwards = [
        subprocess.Popen([*command, f"service/{service}", f"{port}:http"])
        for service, port in zip(K8S_SERVICES, K8S_LOCAL_PORTS, strict=True)
    ]
    session.log("Forwarding until Ctrl-C; `nox -s k8s_demo` uses these ports.")
    try:
        for forward in forwards:
            forward.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for forward in forwards:
            forward.terminate()


@nox.session
def k8s_demo(session):
    """Run the demo slice in the cluster: posargs --base-url URL, else port-forwards."""
    session.install("-r", "requirements/base.txt", "-e", "libs")
    urls = session.posargs or [
        f"--{service.split('-')[0]}-url=http://127.0.0.1:{port}"
        for service, port in zip(K8S_SERVICES, K8S_LOCAL_PORTS, strict=True)
    ]
    # The demo signs its tokens as the cluster does: with its key and claims.
    pod_env = kubectl(
        session, "exec", "deployment/admin-service", "--", "env", silent=True
    )
    signing = dict(
        line.split("=", 1)
        for line in pod_env.splitlines()
        if line.startswith(("JWT_SECRET=", "JWT_ISSUER=", "JWT_AUDIENCE="))
    )
    session.run("python", "manage_all.py", "demo", *urls, env=signing)
