"""The assignment, owned by teacher-service (table ``teacher.assignments``).

``course_id`` names a course that admin-service owns: no foreign key crosses
the schemas; the course is checked over HTTP when an assignment is created.
"""

import uuid

from django.db import models

TITLE_MAX_LENGTH = 200


class Assignment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course_id = models.UUIDField()
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    created_by = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "assignments"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["course_id", "-created_at", "-id"],
                name="assignments_by_course",
            ),
        ]

    def __str__(self):
        return self.title
