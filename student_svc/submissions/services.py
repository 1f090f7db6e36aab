"""Writes of the submissions app."""

from edu_common.remote import RemoteResource
from student_svc.submissions.models import Submission

ASSIGNMENTS = RemoteResource(
    sibling="teacher-service", path="/api/teacher/assignments/{id}", label="assignment"
)


def submission_create(*, assignment_id, content, student_id, authorization):
    """Hand in ``content`` to an assignment that teacher-service confirms exists.

    ``assignment_id`` is a UUID (see ``edu_common.ids``); ``authorization``
    is the student's own header, forwarded unchanged.
    """
    ASSIGNMENTS.fetch(assignment_id, authorization=authorization)
    return Submission.objects.create(
        assignment_id=assignment_id, content=content, student_id=student_id
    )
