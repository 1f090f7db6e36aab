"""Fuzz each running service through its own OpenAPI schema with schemathesis.

Run by ``nox -s fuzz`` (marker ``fuzz``), not by the test suite: each
service gets a time budget. Every reply must be below 500 and match the
schema: its status, content type, headers and body.
"""

import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.fuzz

# Per service: examples per operation, and the run's time budget in seconds.
MAX_EXAMPLES = 40
MAX_SECONDS = 40
# Fixed, so that a failure in CI can be replayed; change it to explore more.
SEED = 20261203
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
STUDENT = str(uuid.uuid4())
# Which path parameter names which kind of record, per service.
PATH_IDS = {
    "admin": {"id": "course"},
    "teacher": {"course_id": "course", "id": "assignment"},
    "student": {"assignment_id": "assignment", "id": "submission"},
}


@pytest.fixture
def records(platform, bearer):
    """Create a course, an assignment and a submission the fuzzer may name."""
    admin, teacher, student = (platform[key] for key in ("admin", "teacher", "student"))
    with httpx.Client(timeout=30) as http:
        course = http.post(
            f"{admin.url}/api/admin/courses",
            json={"name": "Fuzzing"},
            headers=bearer("admin"),
        ).json()
        assignment = http.post(
            f"{teacher.url}/api/teacher/courses/{course['id']}/assignments",
            json={"title": "Every reply in the schema"},
            headers=bearer("teacher"),
        ).json()
        submission = http.post(
            f"{student.url}/api/student/assignments/{assignment['id']}/submissions",
            json={"content": "None of them a 5xx."},
            headers=bearer("student", sub=STUDENT),
        ).json()
    return {"course": course, "assignment": assignment, "submission": submission}


def fuzz_config(path, key, records):
    """Write a schemathesis configuration: half the path ids name real records."""
    lines = []
    for parameter, kind in PATH_IDS[key].items():
        lines += [
            f"[dictionaries.{parameter}]",
            f'values = ["{records[kind]["id"]}"]',
        ]
    lines.append("[parameters]")
    lines += [
        f'"path.{parameter}" = {{ dictionary = "{parameter}", probability = 0.5 }}'
        for parameter in PATH_IDS[key]
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("key", ["admin", "teacher", "student"])
def test_no_reply_is_a_server_error_or_outside_the_schema(
    platform, records, token, key, tmp_path
):
    """Each service as the role that may call most of it: admin, teacher, student."""
    service = platform[key]
    caller = token(key, sub=STUDENT if key == "student" else None)
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        f"--config-file={fuzz_config(tmp_path / 'schemathesis.toml', key, records)}",
        "run",
        f"{service.url}/api/{key}/schema/?format=json",
        f"--url={service.url}",
        f"--header=Authorization: Bearer {caller}",
        f"--checks={','.join(CHECKS)}",
        f"--max-examples={MAX_EXAMPLES}",
        f"--max-time={MAX_SECONDS}",
        f"--seed={SEED}",
        # One worker: hypothesis's source inspection is not thread-safe on 3.11.
        "--workers=1",
        "--request-timeout=10",
    ]

    # Run from the test's folder: schemathesis keeps a cache where it runs.
    result = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=MAX_SECONDS + 120,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
