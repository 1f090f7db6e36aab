"""Django admin pages of the submissions app, for inspecting data."""

from django.contrib import admin

from edu_common.admin import InspectionAdmin
from student_svc.submissions.models import Submission


@admin.register(Submission)
class SubmissionAdmin(InspectionAdmin):
    list_display = ["id", "student_id", "assignment_id", "created_at"]
    search_fields = ["id", "student_id", "assignment_id", "content"]
    list_filter = ["created_at"]
    date_hierarchy = "created_at"
