"""Contacts: one row per inquiry, whatever the channel."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.core.channels import Channel


class Contact(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "inbound", _("From the citizen")
        OUTBOUND = "outbound", _("To the citizen")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Resolved at first contact")
        CASE_TO_BE_CREATED = "case", _("Case to be created")
        HANDED_OVER = "handed_over", _("Handed over to a unit with context")
        APPOINTMENT_BOOKED = "appointment", _("Appointment booked")
        REFERRED_SELF_SERVICE = "self_service", _("Referred to self-service (link sent)")
        FORWARDED_AUTHORITY = "forwarded", _("Forwarded to another authority, citizen informed")

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INBOUND
    )
    citizen = models.ForeignKey(
        "citizens.Citizen",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # contact_citizen_time_idx starts with the citizen
        related_name="contacts",
        verbose_name=_("citizen"),
        help_text=_("Empty for an anonymous contact."),
    )
    services = models.ManyToManyField(
        "catalogue.Service", through="ContactService", related_name="contacts"
    )
    centre = models.ForeignKey(
        "catalogue.ServiceCentre",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("centre or unit"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # contact_staff_time_idx starts with the staff member
        related_name="contacts",
        verbose_name=_("staff member"),
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    handed_over_to = models.ForeignKey(
        "catalogue.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handed_over_contacts",
        verbose_name=_("handed over to"),
    )
    forwarded_to = models.CharField(_("forwarded to authority"), max_length=200, blank=True)
    citizen_informed = models.BooleanField(_("citizen informed"), default=False)
    could_be_digital = models.BooleanField(_("could have been done digitally"), default=False)
    note = models.TextField(_("note"), blank=True)
    # NULL, not "", for contacts without a key: the unique constraint ignores NULLs.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("idempotency key"), max_length=100, null=True, blank=True
    )
    request_fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["citizen", "-started_at"], name="contact_citizen_time_idx"),
            models.Index(fields=["started_at"], name="contact_time_idx"),
            models.Index(fields=["staff", "-started_at"], name="contact_staff_time_idx"),
        ]
        constraints = [
            # A retried request finds the contact by its key; a plain unique constraint
            # (no extra pattern index as unique=True would add on PostgreSQL).
            models.UniqueConstraint(fields=["idempotency_key"], name="contact_idempotency_unique"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="contact_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=[c.value for c in Channel]), name="contact_channel_valid"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="handed_over") | Q(handed_over_to__isnull=False),
                name="contact_handover_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="forwarded")
                | (~Q(forwarded_to="") & Q(citizen_informed=True)),
                name="contact_forward_informs_citizen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.started_at:%Y-%m-%d %H:%M}"


class ContactService(models.Model):
    # Both columns lead an index already (the unique constraint and contact_service_idx).
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="service_links", db_index=False
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="contact_links", db_index=False
    )

    class Meta:
        verbose_name = _("contact service")
        verbose_name_plural = _("contact services")
        constraints = [
            models.UniqueConstraint(fields=["contact", "service"], name="contact_service_unique"),
        ]
        indexes = [models.Index(fields=["service", "contact"], name="contact_service_idx")]

    def __str__(self) -> str:
        return f"{self.contact_id}:{self.service_id}"


class SelfServiceLink(models.Model):
    """A link to a service's self-service that staff sent the citizen from a contact
    (channel shift). Only the SHA-256 of the link's random token is stored: the token
    itself exists only in the message sent. Opening the link records the first use and
    counts every use, so the share of referrals that reached the self-service can be
    measured per service."""

    class Via(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message (SMS)")

    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="self_service_links",
        verbose_name=_("contact"),
    )
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.PROTECT,
        related_name="self_service_links",
        verbose_name=_("service"),
    )
    citizen = models.ForeignKey(
        "citizens.Citizen",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("citizen"),
    )
    token_hash = models.CharField(_("token (SHA-256)"), max_length=64)
    via = models.CharField(_("sent as"), max_length=5, choices=Via.choices)
    sent_to = models.CharField(_("sent to (masked)"), max_length=100)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member"),
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    used_at = models.DateTimeField(_("first used"), null=True, blank=True)
    use_count = models.PositiveIntegerField(_("times used"), default=0)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("self-service link")
        verbose_name_plural = _("self-service links")
        indexes = [models.Index(fields=["sent_at", "service"], name="ss_link_sent_idx")]
        constraints = [
            models.UniqueConstraint(fields=["token_hash"], name="ss_link_token_unique"),
            models.CheckConstraint(
                condition=Q(token_hash__regex=r"^[0-9a-f]{64}$"),  # noqa: S106 (a hash, not a secret)
                name="ss_link_token_sha256",
            ),
            models.CheckConstraint(condition=Q(via__in=["email", "sms"]), name="ss_link_via_valid"),
            models.CheckConstraint(condition=~Q(sent_to=""), name="ss_link_has_recipient"),
            models.CheckConstraint(
                condition=(Q(used_at__isnull=True) & Q(use_count=0))
                | (Q(used_at__isnull=False) & Q(use_count__gte=1)),
                name="ss_link_used_iff_counted",
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(used_at__gte=F("sent_at")),
                name="ss_link_used_after_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}:{self.service_id} {self.via} {self.sent_at:%Y-%m-%d}"
