"""Admin for the triage settings: per-department thresholds and the stored model versions.

Incoming messages are not in the admin: they hold personal data and are read through the
inbox, where every read is audited."""

from django.contrib import admin

from .models import TriageModel, TriageThreshold


@admin.register(TriageThreshold)
class TriageThresholdAdmin(admin.ModelAdmin):
    list_display = ("department", "threshold", "updated_at", "updated_by")
    list_select_related = ("department", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(TriageModel)
class TriageModelAdmin(admin.ModelAdmin):
    """Read-only: versions are made by ``triage_train`` and switched by ``triage_activate``."""

    list_display = ("version", "active", "created_at", "examples", "services", "corrections")
    fields = (
        "version",
        "active",
        "created_at",
        "activated_at",
        "created_by",
        "examples",
        "services",
        "corrections",
        "training_seconds",
        "library_version",
        "artifact_sha256",
        "metrics",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("artifact")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
