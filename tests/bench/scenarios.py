"""What the benchmark asks of the platform: one scenario per kind of request."""

import random
from dataclasses import dataclass

from edu_common.tokens import mint_token
from tests.bench import dataset
from tests.bench.load import PlannedRequest

# Distinct requests in each scenario's plan, which wrk cycles through.
PLAN_SIZE = 1_000


@dataclass(frozen=True)
class Scenario:
    """A kind of request, the server it goes to and the status it must get."""

    key: str
    title: str
    server: str
    expected_status: int
    requests: list
    ceiling: bool = False


class Tokens:
    """Sign tokens as the identity provider would, for the deployed settings."""

    def __init__(self, settings):
        self.signing = {
            "secret": settings["JWT_SECRET"],
            "issuer": settings.get("JWT_ISSUER") or None,
            "audience": settings.get("JWT_AUDIENCE") or None,
        }

    def bearer(self, role, sub):
        token = mint_token(role=role, sub=sub, ttl=6 * 3600, **self.signing)
        return f"Bearer {token}"


def build(tokens, seed=6):
    """Return every scenario, keyed, with reproducible plans."""
    rng = random.Random(seed)
    teacher = tokens.bearer("teacher", dataset.TEACHER)

    def some(count):
        return [rng.randint(1, count) for _ in range(PLAN_SIZE)]

    students = {
        number: tokens.bearer("student", dataset.student_id(number))
        for number in set(some(dataset.STUDENTS))
        | set(range(1, dataset.LISTING_STUDENTS + 1))
    }
    student_numbers = sorted(students)

    def any_student():
        return students[rng.choice(student_numbers)]

    listing = [
        PlannedRequest(
            "GET",
            "/api/student/submissions",
            students[1 + index % dataset.LISTING_STUDENTS],
        )
        for index in range(PLAN_SIZE)
    ]
    submissions = [
        PlannedRequest(
            "POST",
            f"/api/student/assignments/{dataset.assignment_id(number)}/submissions",
            any_student(),
            {"content": "Open after five failures, retry after thirty seconds."},
        )
        for number in some(dataset.ASSIGNMENTS)
    ]
    # The yardstick reads the same courses as GET a course.
    courses = some(dataset.COURSES)
    scenarios = [
        Scenario(
            "ceiling",
            "Ceiling: bare DRF view",
            "ceiling",
            200,
            [PlannedRequest("GET", "/ceiling")],
            ceiling=True,
        ),
        Scenario(
            "ceiling_read",
            "Ceiling + one SQL read (no ORM)",
            "ceiling",
            200,
            [
                PlannedRequest("GET", f"/ceiling/courses/{dataset.course_id(number)}")
                for number in courses
            ],
        ),
        Scenario(
            "health",
            "GET /health",
            "admin-service",
            200,
            [PlannedRequest("GET", "/health")],
        ),
        Scenario(
            "course_get",
            "GET a course (teacher)",
            "admin-service",
            200,
            [
                PlannedRequest(
                    "GET", f"/api/admin/courses/{dataset.course_id(number)}", teacher
                )
                for number in courses
            ],
        ),
        Scenario(
            "assignment_get",
            "GET an assignment (student)",
            "teacher-service",
            200,
            [
                PlannedRequest(
                    "GET",
                    f"/api/teacher/assignments/{dataset.assignment_id(number)}",
                    any_student(),
                )
                for number in some(dataset.ASSIGNMENTS)
            ],
        ),
        Scenario(
            "submissions_list_small",
            f"List own submissions ({dataset.SMALL_SUBMISSIONS:,} rows)",
            "student-service",
            200,
            listing,
        ),
        Scenario(
            "submissions_list",
            f"List own submissions ({dataset.SUBMISSIONS:,} rows)",
            "student-service",
            200,
            listing,
        ),
        Scenario(
            "assignment_post",
            "POST an assignment (1 hop)",
            "teacher-service",
            201,
            [
                PlannedRequest(
                    "POST",
                    f"/api/teacher/courses/{dataset.course_id(number)}/assignments",
                    teacher,
                    {"title": "Measure before changing anything"},
                )
                for number in some(dataset.COURSES)
            ],
        ),
        Scenario(
            "submission_post",
            "POST a submission (2 hops)",
            "student-service",
            201,
            submissions,
        ),
        Scenario(
            "submission_post_circuit_open",
            "POST a submission, circuit open",
            "student-service (circuit open)",
            503,
            submissions,
        ),
    ]
    return {scenario.key: scenario for scenario in scenarios}
