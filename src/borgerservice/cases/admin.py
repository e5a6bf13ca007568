"""Case types for catalogue editors and case units for administrators, in the Django admin.

Cases themselves are not in the admin: they hold personal data, and every read of them
goes through need-to-know and the audit log in the staff workplace.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import CaseType, Unit


@admin.register(CaseType)
class CaseTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name_da",
        "processing_days",
        "suspension_allowed",
        "extension_allowed",
        "retention_years",
    )
    list_filter = ("suspension_allowed", "extension_allowed", "service__department")
    search_fields = ("name_da", "name_en", "service__code")
    readonly_fields = ("service",)
    fieldsets = (
        (None, {"fields": ("service", "name_da", "name_en")}),
        (
            _("Deadline"),
            {"fields": ("processing_days", "suspension_allowed", "extension_allowed")},
        ),
        (
            _("Legal basis and complaint guidance"),
            {
                "fields": (
                    "legal_basis_da",
                    "legal_basis_en",
                    "complaint_guidance_da",
                    "complaint_guidance_en",
                )
            },
        ),
        (_("Citizen texts and retention"), {"fields": ("citizen_texts", "retention_years")}),
    )

    def has_add_permission(self, request):
        # A case type belongs to a level-2 or level-3 service and is made with it.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name_da", "department", "email")
    list_filter = ("department",)
    search_fields = ("code", "name_da", "name_en")
