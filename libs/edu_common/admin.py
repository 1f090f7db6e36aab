"""Django admin building blocks: the admin inspects data, the API changes it."""

from django.contrib import admin


class InspectionAdmin(admin.ModelAdmin):
    """List, search, filter and delete records; create and edit through the API.

    Records carry who created them, which only a verified token can tell.
    """

    list_per_page = 50
    # Counting a large table on every page costs more than it tells.
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        """Show every field on a record's page, those set by the server too."""
        return [field.name for field in self.model._meta.fields]

    def get_readonly_fields(self, request, obj=None):
        """Show every field as text: nothing is edited here."""
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
