"""Staff, their authority per service area, purposes for opening a citizen, and the audit log.

Roles are Django groups named by the codes in ``roles.py``. What a staff member may
see of a citizen follows need-to-know: the person only with a purpose (an active
contact, ticket, appointment or case, or a reason typed in), and only the contacts
and data of services in the staff member's portfolio (the areas they have authority
for). Every read of personal data writes one ``AuditEntry``; the log is append-only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    centre = models.ForeignKey(
        "catalogue.ServiceCentre",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("centre or unit"),
    )
    department = models.ForeignKey(
        "catalogue.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("department"),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)


class Authority(models.Model):
    """What a staff member may do for the services of one area (and its sub-areas)."""

    class Level(models.IntegerChoices):
        INFORM = 1, _("May inform and guide (level 1)")
        DECIDE_RULE_BASED = 2, _("May decide rule-based (level 2)")
        DECIDE_DISCRETION = 3, _("May decide with discretion (level 3)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authorities"
    )
    area = models.ForeignKey(
        "catalogue.ServiceArea",
        on_delete=models.CASCADE,
        related_name="authorities",
        verbose_name=_("service area"),
    )
    level = models.PositiveSmallIntegerField(_("authority level"), choices=Level.choices)

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        constraints = [
            models.UniqueConstraint(fields=["user", "area"], name="authority_one_per_area"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=3), name="authority_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.area} {self.level}"


class AccessPurpose(models.Model):
    """Why a staff member may open a citizen right now; expires after a while."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("Active contact")
        TICKET = "ticket", _("Queue ticket")
        APPOINTMENT = "appointment", _("Appointment")
        CASE = "case", _("Case")
        REASON = "reason", _("Reason given")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_purposes"
    )
    citizen = models.ForeignKey(
        "citizens.Citizen", on_delete=models.CASCADE, related_name="access_purposes"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("access purpose")
        verbose_name_plural = _("access purposes")
        indexes = [
            models.Index(fields=["user", "citizen", "expires_at"], name="purpose_lookup_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("granted_at")), name="purpose_expires_after_grant"
            ),
            models.CheckConstraint(
                condition=~Q(kind="reason") | ~Q(reason=""), name="purpose_reason_given"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}→{self.citizen_id} {self.kind}"


class AuditEntry(models.Model):
    """One read of personal data by staff. Append-only (database triggers reject changes).

    On PostgreSQL the table is partitioned by month on ``occurred_at`` and its primary
    key is (id, occurred_at); ``id`` alone is still unique because it comes from one
    sequence. Actor and citizens are kept without foreign-key constraints so the log
    outlives the rows it mentions.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        SEARCH = "search", _("Search result")
        LIST = "list", _("List")
        EXPORT = "export", _("Export")
        REVEAL = "reveal", _("Full CPR number revealed")
        CHANGE = "change", _("Changed")

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("staff member"),
    )
    actor_username = models.CharField(_("username"), max_length=150)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    what = models.CharField(_("what was shown"), max_length=300)
    purpose_kind = models.CharField(_("purpose"), max_length=12, blank=True)
    purpose_reference = models.CharField(_("purpose reference"), max_length=100, blank=True)
    purpose_text = models.TextField(_("purpose text"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, default="ui")
    citizen_count = models.PositiveIntegerField(_("citizens shown"), default=0)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_time_idx"),
            models.Index(fields=["occurred_at"], name="audit_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"


class AuditSubject(models.Model):
    """A citizen whose data an audit entry shows (a search may show several)."""

    id = models.BigAutoField(primary_key=True)
    entry = models.ForeignKey(
        AuditEntry,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="subjects",
    )
    occurred_at = models.DateTimeField(_("time"))
    citizen = models.ForeignKey(
        "citizens.Citizen",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("audited citizen")
        verbose_name_plural = _("audited citizens")
        indexes = [
            models.Index(fields=["citizen", "occurred_at"], name="audit_subject_citizen_idx"),
            models.Index(fields=["entry"], name="audit_subject_entry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.citizen_id}"


class ApiToken(models.Model):
    """A bearer token for API clients acting as a staff member. Only the hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    prefix = models.CharField(_("first characters"), max_length=8)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
