"""Django admin pages of the assignments app, for inspecting data."""

from django.contrib import admin

from edu_common.admin import InspectionAdmin
from teacher_svc.assignments.models import Assignment


@admin.register(Assignment)
class AssignmentAdmin(InspectionAdmin):
    list_display = ["title", "course_id", "id", "created_by", "created_at"]
    search_fields = ["title", "id", "course_id", "created_by"]
    list_filter = ["created_at"]
    date_hierarchy = "created_at"
