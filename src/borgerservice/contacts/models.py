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


# --- Triage of free text ------------------------------------------------------------------------
#
# Messages that arrive in writing (email, the portal's "write to us", scanned letters) are
# classified into the catalogue by a versioned model (``contacts.triage``). Above the
# threshold of the suggested service's department a message is routed to that service's work
# queue at once; below it, it waits in the triage queue until staff accept or correct the
# suggestion. Every decision by staff is kept as feedback, and the next training uses it.


class TriageModel(models.Model):
    """One trained version of the classifier. Exactly one version is active at a time (a
    partial unique index); switching back to an earlier version is one update."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("trained"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trained by"),
    )
    active = models.BooleanField(_("active"), default=False)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    artifact = models.BinaryField(_("model data"))
    artifact_sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64)
    library_version = models.CharField(_("scikit-learn version"), max_length=20)
    examples = models.PositiveIntegerField(_("training examples"))
    services = models.PositiveIntegerField(_("services"))
    corrections = models.PositiveIntegerField(_("staff decisions used"), default=0)
    training_seconds = models.FloatField(_("training time (seconds)"))
    metrics = models.JSONField(_("figures"), default=dict, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="triage_model_one_active"
            ),
            models.CheckConstraint(
                condition=Q(artifact_sha256__regex=r"^[0-9a-f]{64}$"),
                name="triage_model_checksum_sha256",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="triage_model_version_pos"),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class TriageThreshold(models.Model):
    """The confidence above which messages for a department's services are routed without
    a person looking first. 1.00 sends every message of the department to the triage queue."""

    department = models.OneToOneField(
        "catalogue.Department",
        on_delete=models.CASCADE,
        related_name="triage_threshold",
        verbose_name=_("department"),
    )
    threshold = models.DecimalField(
        _("threshold for automatic routing"), max_digits=3, decimal_places=2
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["department"]
        verbose_name = _("triage threshold")
        verbose_name_plural = _("triage thresholds")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gte=0) & Q(threshold__lte=1),
                name="triage_threshold_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department_id}: {self.threshold}"


class InboundMessage(models.Model):
    """A written inquiry as it arrived, with the classifier's suggestions and where it went."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        WEB = "web", _("Web message")
        LETTER = "letter", _("Scanned letter")

    class State(models.TextChoices):
        TRIAGE = "triage", _("Awaiting triage")
        ROUTED = "routed", _("Routed automatically")
        ACCEPTED = "accepted", _("Suggestion accepted")
        CORRECTED = "corrected", _("Routed to another service")
        DISMISSED = "dismissed", _("Dismissed (spam or not for the municipality)")

    kind = models.CharField(_("came in as"), max_length=10, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    sender_name = models.CharField(_("sender"), max_length=200, blank=True)
    sender_email = models.EmailField(_("sender's email address"), blank=True)
    citizen = models.ForeignKey(
        "citizens.Citizen",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_messages",
        verbose_name=_("citizen"),
        help_text=_("Known when the citizen wrote from Min side."),
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    # NULL, not "", when there is no key: the unique constraints ignore NULLs.
    message_id = models.CharField(  # noqa: DJ001
        _("Message-ID"), max_length=300, null=True, blank=True
    )
    idempotency_key = models.CharField(  # noqa: DJ001
        _("idempotency key"), max_length=100, null=True, blank=True
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.TRIAGE)
    suggestions = models.JSONField(
        _("suggestions"),
        default=list,
        blank=True,
        help_text=_("The classifier's best services: [{code, confidence}], best first."),
    )
    model_version = models.PositiveIntegerField(_("model version"), null=True, blank=True)
    confidence = models.FloatField(_("confidence of the best suggestion"), null=True, blank=True)
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_messages",
        verbose_name=_("service"),
    )
    work_item = models.OneToOneField(
        "queueing.WorkItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_message",
        verbose_name=_("work item"),
    )
    triage_note = models.CharField(_("why it waits for triage"), max_length=300, blank=True)
    routed_at = models.DateTimeField(_("routed"), null=True, blank=True)
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("routed by"),
        help_text=_("Empty when the message was routed automatically."),
    )

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("incoming message")
        verbose_name_plural = _("incoming messages")
        constraints = [
            models.UniqueConstraint(fields=["message_id"], name="inbound_message_id_unique"),
            models.UniqueConstraint(fields=["idempotency_key"], name="inbound_idempotency_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["email", "web", "letter"]), name="inbound_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["triage", "routed", "accepted", "corrected", "dismissed"]),
                name="inbound_state_valid",
            ),
            # Routed messages know their service and when; waiting ones have neither.
            models.CheckConstraint(
                condition=(
                    Q(state__in=["routed", "accepted", "corrected"])
                    & Q(service__isnull=False, routed_at__isnull=False)
                )
                | (Q(state="triage") & Q(service__isnull=True, routed_at__isnull=True))
                | Q(state="dismissed", service__isnull=True, routed_at__isnull=False),
                name="inbound_routed_has_service",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["accepted", "corrected", "dismissed"])
                | Q(routed_by__isnull=False),
                name="inbound_staff_decision_has_person",
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
                name="inbound_confidence_probability",
            ),
        ]
        indexes = [
            models.Index(
                fields=["received_at", "id"],
                condition=Q(state="triage"),
                name="inbound_triage_queue_idx",
            ),
            models.Index(fields=["-received_at"], name="inbound_received_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def text(self) -> str:
        return f"{self.subject}\n{self.body}" if self.subject else self.body


class TriageFeedback(models.Model):
    """A person's decision on a suggestion: accepted, or corrected to another service. The
    text is stored masked (no CPR numbers, phone numbers or email addresses) and becomes
    training data at the next ``triage_train``."""

    message = models.ForeignKey(
        InboundMessage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("message"),
    )
    text = models.TextField(_("text (masked)"))
    suggested = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggested service"),
    )
    chosen = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.CASCADE,
        related_name="triage_feedback",
        verbose_name=_("chosen service"),
    )
    corrected = models.BooleanField(_("corrected"))
    model_version = models.PositiveIntegerField(_("model version"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="triage_feedback",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("triage decision")
        verbose_name_plural = _("triage decisions")
        indexes = [models.Index(fields=["decided_at"], name="triage_feedback_time_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="triage_feedback_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.chosen_id} ({'corrected' if self.corrected else 'accepted'})"
