"""Django admin building blocks: the admin inspects data, the API changes it."""

from django.contrib import admin


class InspectionAdmin(admin.ModelAdmin):
    """List, search, filter and delete records; create and edit through the API.

    Records carry who created them, which only a verified token can tell.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
