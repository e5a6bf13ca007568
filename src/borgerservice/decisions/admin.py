"""Instant decisions in the admin: read-only, for staff who hold the view permission.

The list shows the citizen by id only (no name or CPR number); the decision's inputs and
explanation are on the detail page.
"""

from __future__ import annotations

from django.contrib import admin

from .models import InstantDecision


@admin.register(InstantDecision)
class InstantDecisionAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "rule_set",
        "outcome",
        "decided_on",
        "rule_version",
        "citizen_id",
        "created_at",
    )
    list_filter = ("rule_set", "outcome", "decided_on")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    fields = (
        "rule_set",
        "rule_version",
        "decided_on",
        "outcome",
        "amount",
        "percentage",
        "reasons",
        "inputs",
        "explanation",
        "complaint_guidance_da",
        "complaint_guidance_en",
        "citizen_id",
        "case_id",
        "created_at",
    )
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
