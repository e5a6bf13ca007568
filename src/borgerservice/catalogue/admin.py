"""The Django admin for catalogue editors.

Stacked inlines and plain multiple selects are used on purpose: every field then has
its own label, which the tabular inlines and the two-box filter widget lack.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    AreaVolume,
    Department,
    KleTopic,
    LifeSituation,
    OpeningHours,
    Service,
    ServiceArea,
    ServiceCentre,
    ServiceChannel,
    ServiceLevelTarget,
)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name_da", "name_en", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name_da", "name_en")


class AreaVolumeInline(admin.StackedInline):
    model = AreaVolume
    extra = 0


class ServiceLevelTargetInline(admin.StackedInline):
    model = ServiceLevelTarget
    extra = 0


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name_da", "kind", "department", "parent")
    list_filter = ("kind", "department")
    search_fields = ("code", "name_da", "name_en")
    inlines = [AreaVolumeInline, ServiceLevelTargetInline]


class ServiceChannelInline(admin.StackedInline):
    model = ServiceChannel
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = (
        "name_da",
        "code",
        "department",
        "area",
        "level_1",
        "level_2",
        "level_3",
        "handled_in",
        "status",
        "self_service",
    )
    list_filter = (
        "department",
        "level_1",
        "level_2",
        "level_3",
        "handled_in",
        "status",
        "self_service",
        "life_situations",
    )
    search_fields = ("code", "name_da", "name_en", "kle_code")
    inlines = [ServiceChannelInline]
    readonly_fields = ("updated_at",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "name_da",
                    "name_en",
                    "department",
                    "source_departments",
                    "area",
                    "kle_code",
                )
            },
        ),
        (_("For citizens"), {"fields": ("description_da", "description_en")}),
        (
            _("Staff guidance"),
            {
                "fields": (
                    "guidance_da",
                    "guidance_en",
                    "bring_da",
                    "bring_en",
                    "elsewhere_da",
                    "elsewhere_en",
                    "note_da",
                    "note_en",
                )
            },
        ),
        (
            _("Handling"),
            {
                "fields": (
                    "task_lists",
                    "level_1",
                    "level_2",
                    "level_3",
                    "handled_in",
                    "status",
                    "sla_working_days",
                    "sla_note",
                )
            },
        ),
        (_("Channels"), {"fields": ("preferred_channel", "self_service")}),
        (_("Search"), {"fields": ("life_situations", "synonyms_da", "synonyms_en", "updated_at")}),
    )


@admin.register(LifeSituation)
class LifeSituationAdmin(admin.ModelAdmin):
    list_display = ("code", "name_da", "name_en", "sort_order")


class OpeningHoursInline(admin.StackedInline):
    model = OpeningHours
    extra = 0


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = ("name_da", "code", "kind", "sort_order")
    inlines = [OpeningHoursInline]


@admin.register(KleTopic)
class KleTopicAdmin(admin.ModelAdmin):
    list_display = ("code", "title")
    search_fields = ("code", "title")
