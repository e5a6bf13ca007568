"""Administration of staff: profiles, authority per service area and API tokens.

Purposes and audit entries are not in the admin: both name citizens, and reading them
there would escape need-to-know and the audit log (auditors use the audit pages).
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, Authority, StaffProfile


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    extra = 0


class AuthorityInline(admin.StackedInline):
    model = Authority
    extra = 0


class StaffAdmin(UserAdmin):
    inlines = [StaffProfileInline, AuthorityInline]
    # Plain multiple selects: the two-box filter widget has selects without labels.
    filter_horizontal = ()
    # Shown, not edited: nobody should set these by hand, and the admin's split date and
    # time widget has inputs without labels.
    readonly_fields = ("last_login", "date_joined")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at")
    readonly_fields = ("key_hash", "prefix", "created_at")
    search_fields = ("name", "user__username")


User = get_user_model()
admin.site.unregister(User)
admin.site.register(User, StaffAdmin)
