"""The course, owned by admin-service (table ``admin.courses``)."""

import uuid

from django.db import models

NAME_MAX_LENGTH = 200


class Course(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    created_by = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "courses"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="courses_newest_first"),
        ]

    def __str__(self):
        return self.name
