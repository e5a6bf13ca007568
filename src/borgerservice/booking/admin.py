"""Admin for booking: resources and slot templates are edited here; slots can only be
opened or closed; bookings are a read-only list without personal data (the person is
looked up in the staff workplace, where reading is audited)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from borgerservice.core.errors import ServiceError

from .models import Booking, Resource, Slot, SlotTemplate
from .services import horizon_days, horizon_end, slots_generate


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("name", "centre", "kind", "staff", "active")
    list_filter = ("centre", "kind", "active")
    search_fields = ("name",)
    autocomplete_fields = ("staff",)


@admin.action(description=_("Generate slots for the booking horizon"))
def generate_slots(modeladmin, request, queryset):
    start = timezone.localdate()
    end = horizon_end(start=start, days=horizon_days())
    created = 0
    for template in queryset.prefetch_related("resources"):
        try:
            created += slots_generate(template=template, start=start, end=end)
        except ServiceError as exc:  # pragma: no cover - the range is always valid here
            modeladmin.message_user(request, exc.message, messages.ERROR)
            return
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d new slot up to %(end)s.",
            "%(count)d new slots up to %(end)s.",
            created,
        )
        % {"count": created, "end": end.strftime("%d.%m.%Y")},
        messages.SUCCESS,
    )


@admin.register(SlotTemplate)
class SlotTemplateAdmin(admin.ModelAdmin):
    list_display = (
        "service",
        "centre",
        "weekday",
        "starts",
        "ends",
        "duration_minutes",
        "capacity",
        "valid_from",
        "valid_to",
    )
    list_filter = ("centre", "weekday")
    search_fields = ("service__code", "service__name_da", "service__name_en")
    autocomplete_fields = ("service",)
    filter_horizontal = ("resources",)
    actions = [generate_slots]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    """Slots come from the templates; here a slot can only be closed or opened."""

    list_display = ("starts_at", "ends_at", "service", "centre", "resource", "capacity", "active")
    list_filter = ("centre", "active", ("starts_at", admin.DateFieldListFilter))
    list_editable = ("active",)
    search_fields = ("service__code",)
    date_hierarchy = "starts_at"
    list_select_related = ("service", "centre", "resource")
    readonly_fields = (
        "template",
        "centre",
        "service",
        "resource",
        "starts_at",
        "ends_at",
        "capacity",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read only, and without the person: no CPR, name, email or phone."""

    list_display = ("code", "service", "centre", "starts_at", "state", "created_at")
    list_filter = ("state", "slot__centre")
    search_fields = ("code",)
    list_select_related = ("service", "slot", "slot__centre")
    fields = (
        "code",
        "service",
        "slot",
        "state",
        "seat_number",
        "created_at",
        "cancelled_at",
        "checked_in_at",
        "finished_at",
        "reminder_sent_at",
        "rebooked_from",
    )
    readonly_fields = fields

    @admin.display(description=_("service centre"), ordering="slot__centre")
    def centre(self, obj: Booking):
        return obj.slot.centre

    @admin.display(description=_("starts"), ordering="slot__starts_at")
    def starts_at(self, obj: Booking):
        return obj.slot.starts_at

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
