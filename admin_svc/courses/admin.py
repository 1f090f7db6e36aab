"""Django admin pages of the courses app, for inspecting data."""

from django.contrib import admin

from admin_svc.courses.models import Course
from edu_common.admin import InspectionAdmin


@admin.register(Course)
class CourseAdmin(InspectionAdmin):
    list_display = ["name", "id", "created_by", "created_at"]
    search_fields = ["name", "id", "created_by"]
    list_filter = ["created_at"]
    date_hierarchy = "created_at"
