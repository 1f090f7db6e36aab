"""Django admin pages of the submissions app, for inspecting data."""

from django.contrib import admin
from django.utils.text import Truncator

from edu_common.admin import InspectionAdmin
from student_svc.submissions.models import Submission


@admin.register(Submission)
class SubmissionAdmin(InspectionAdmin):
    list_display = ["id", "student_id", "assignment_id", "content_start", "created_at"]
    search_fields = ["id", "student_id", "assignment_id", "content"]
    list_filter = ["created_at"]
    date_hierarchy = "created_at"

    @admin.display(description="content")
    def content_start(self, submission):
        """Show the first words of the content, enough to recognise it."""
        return Truncator(submission.content or "").chars(60)
