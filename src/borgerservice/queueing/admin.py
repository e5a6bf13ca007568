from . import work_admin  # noqa: F401  (the work-item models' admin)

# ruff: noqa: I001  (the import above stays first: it loads the work-item admin)

# Queue groups and counters for the people whose role gives them the permissions; the
# tickets as a read-only list without personal data (no citizen, no contact details).

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Counter, QueueGroup, Ticket


@admin.register(QueueGroup)
class QueueGroupAdmin(admin.ModelAdmin):
    list_display = (
        "prefix",
        "name_da",
        "centre",
        "default_service_minutes",
        "active",
        "sort_order",
    )
    list_filter = ("centre", "active")
    list_editable = ("active", "sort_order")
    search_fields = ("code", "name_da", "name_en", "prefix")
    filter_horizontal = ("services",)
    fieldsets = (
        (None, {"fields": ("centre", "code", "prefix", "name_da", "name_en")}),
        (
            _("Services and estimate"),
            {"fields": ("services", "default_service_minutes")},
        ),
        (_("Kiosk"), {"fields": ("active", "sort_order")}),
    )


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "centre", "active", "sort_order")
    list_filter = ("centre", "active")
    list_editable = ("active", "sort_order")
    search_fields = ("code", "name")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read only: tickets change only through the counter and the kiosk."""

    list_display = ("code", "day", "centre", "group", "state", "drawn_at", "called_at", "counter")
    list_filter = ("state", "centre", "day")
    search_fields = ("code",)
    date_hierarchy = "day"
    fields = (
        "code",
        "day",
        "centre",
        "group",
        "state",
        "drawn_at",
        "queued_at",
        "called_at",
        "announced_at",
        "recalls",
        "served_at",
        "parked_seconds",
        "finished_at",
        "counter",
        "booking_reference",
        "due_at",
        "transferred_from",
    )
    readonly_fields = fields
    list_select_related = ("centre", "group", "counter")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
