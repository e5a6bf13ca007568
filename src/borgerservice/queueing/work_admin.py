"""Admin for work-item routing: the work queues (skills), agents' skills and presence.

Work items themselves are not in the admin: they hold citizens' data and change only through
the routing's services (the agents' pages and the API), which write history and audit.
"""

from django.contrib import admin

from .models import AgentPresence, AgentSkill, WorkQueue


class AgentSkillInline(admin.TabularInline):
    model = AgentSkill
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(WorkQueue)
class WorkQueueAdmin(admin.ModelAdmin):
    list_display = ["code", "name_da", "name_en", "overflow_minutes", "department", "active"]
    list_filter = ["active", "department"]
    search_fields = ["code", "name_da", "name_en"]
    filter_horizontal = ["services"]
    ordering = ["sort_order", "code"]
    inlines = [AgentSkillInline]


@admin.register(AgentSkill)
class AgentSkillAdmin(admin.ModelAdmin):
    list_display = ["user", "queue", "proficiency"]
    list_filter = ["queue", "proficiency"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "queue__code"]
    autocomplete_fields = ["user"]


@admin.register(AgentPresence)
class AgentPresenceAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "status_since", "last_seen_at", "wip_limit"]
    list_filter = ["status"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "status", "status_since", "last_seen_at"]
    fields = ["user", "status", "status_since", "last_seen_at", "wip_limit"]

    def has_add_permission(self, request) -> bool:
        return False  # created on an agent's first use
