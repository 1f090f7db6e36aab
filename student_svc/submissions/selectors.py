"""Reads of the submissions app: a student sees their own submissions only."""

from edu_common.exceptions import ResourceNotFound
from edu_common.ids import resource_id
from student_svc.submissions.models import Submission


def submission_get_for_student(submission_id, *, student_id):
    """Return the student's own submission; anyone else's does not exist."""
    try:
        return Submission.objects.get(
            pk=resource_id("submission", submission_id), student_id=student_id
        )
    except Submission.DoesNotExist:
        raise ResourceNotFound("submission", submission_id) from None


def submission_list_for_student(*, student_id):
    """Return the student's own submissions, newest first."""
    return Submission.objects.filter(student_id=student_id)
