"""The submission, owned by student-service (table ``student.submissions``).

``assignment_id`` names an assignment that teacher-service owns; no foreign
key crosses the schemas. ``student_id`` is the token's ``sub`` of the
student who created it, so it also records the creator.
"""

import uuid

from django.db import models

CONTENT_MAX_LENGTH = 10_000


class Submission(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assignment_id = models.UUIDField()
    student_id = models.CharField(max_length=255, editable=False)
    # The contract lets a submission have no content at all: null, not "".
    content = models.TextField(null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "submissions"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["student_id", "-created_at", "-id"],
                name="submissions_by_student",
            ),
            models.Index(fields=["assignment_id"], name="submissions_by_assignment"),
        ]

    def __str__(self):
        return f"{self.student_id} → {self.assignment_id}"
