"""The benchmark's dataset, written straight into each service's table.

Rows are made by PostgreSQL itself (``generate_series``), not through the
API, so hundreds of thousands load in seconds. Every id is the MD5 of a
name such as ``course-17`` read as a UUID, which Python and SQL compute
alike: the load driver knows every id without reading any back.
"""

import hashlib
import uuid

import psycopg
from psycopg import sql

COURSES = 1_000
ASSIGNMENTS = 20_000
SUBMISSIONS = 200_000
STUDENTS = 5_000

# The students whose lists are read: each has a full first page (20 rows)
# in the small table as in the full one, so only the table's size differs.
LISTING_STUDENTS = 50
SMALL_SUBMISSIONS = 1_000


def entity_id(kind, number):
    """Return the id the dataset gives the ``number``-th row of ``kind``."""
    digest = hashlib.md5(f"{kind}-{number}".encode(), usedforsecurity=False)
    return str(uuid.UUID(digest.hexdigest()))


def course_id(number):
    return entity_id("course", number)


def assignment_id(number):
    return entity_id("assignment", number)


def student_id(number):
    return entity_id("student", number)


TEACHER = entity_id("teacher", 1)

_COURSES = """
INSERT INTO admin.courses (id, name, created_by, created_at)
SELECT md5('course-' || n)::uuid, 'Course ' || n || ': distributed systems',
       md5('admin-1')::uuid::text, now() - n * interval '1 hour'
FROM generate_series(1, %(courses)s::integer) AS n
"""

_ASSIGNMENTS = """
INSERT INTO teacher.assignments (id, course_id, title, created_by, created_at)
SELECT md5('assignment-' || n)::uuid,
       md5('course-' || ((n - 1) %% %(courses)s + 1))::uuid,
       'Assignment ' || n || ': design a circuit breaker',
       md5('teacher-1')::uuid::text, now() - n * interval '5 minutes'
FROM generate_series(1, %(assignments)s::integer) AS n
"""

# Submission n belongs to student (n - 1) % students + 1, to an assignment
# picked by a multiplicative hash, and is a few seconds older than n - 1.
_SUBMISSIONS = """
INSERT INTO student.submissions (id, assignment_id, student_id, content, created_at)
SELECT md5('submission-' || n)::uuid,
       md5('assignment-' || (n * 7919 %% %(assignments)s + 1))::uuid,
       md5('student-' || ((n - 1) %% %(students)s + 1))::uuid::text,
       'Open the circuit after five failures; submission ' || n || '. '
           || repeat('Retry with backoff, within the budget. ', 5),
       now() - n * interval '7 seconds'
FROM generate_series(%(first)s::integer, %(last)s::integer) AS n
"""


def load_catalogue(url):
    """Write the courses and assignments."""
    with psycopg.connect(url, autocommit=True) as connection:
        sizes = {"courses": COURSES, "assignments": ASSIGNMENTS}
        connection.execute(_COURSES, sizes)
        connection.execute(_ASSIGNMENTS, sizes)
        _settle(connection, ("admin", "courses"), ("teacher", "assignments"))


def load_small_submissions(url):
    """Write the small table: 1,000 submissions of the listing students."""
    _load_submissions(url, 1, SMALL_SUBMISSIONS, students=LISTING_STUDENTS)


def load_remaining_submissions(url):
    """Fill the table to its full size, over all the students."""
    _load_submissions(url, SMALL_SUBMISSIONS + 1, SUBMISSIONS, students=STUDENTS)


def _load_submissions(url, first, last, *, students):
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            _SUBMISSIONS,
            {
                "first": first,
                "last": last,
                "students": students,
                "assignments": ASSIGNMENTS,
            },
        )
        _settle(connection, ("student", "submissions"))


def _settle(connection, *tables):
    """Vacuum and analyze freshly loaded tables, as a live database would be.

    Done now, autovacuum has nothing left to do on them in the middle of a
    measured run, and the planner knows their sizes.
    """
    for schema, table in tables:
        name = sql.Identifier(schema, table)
        connection.execute(sql.SQL("VACUUM (ANALYZE) {}").format(name))


def submissions_by_student_plan(url):
    """Return PostgreSQL's plan of a listing student's first page."""
    query = (
        "EXPLAIN SELECT * FROM student.submissions WHERE student_id = %s "
        "ORDER BY created_at DESC, id DESC LIMIT 21"
    )
    with psycopg.connect(url) as connection:
        rows = connection.execute(query, [student_id(1)]).fetchall()
    return "\n".join(row[0] for row in rows)
