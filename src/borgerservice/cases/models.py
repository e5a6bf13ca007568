"""Cases shared by the front office and the departments.

A case's status changes only through ``services.case_transition`` (row lock, the
transition table in ``workflow.py``, a history row). Deadlines and the SLA state are
derived from the history each time they are needed (``deadlines.py``), never kept in
counters.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.core.channels import Channel
from borgerservice.core.i18n import BilingualMixin

from .workflow import Status


class CaseType(BilingualMixin, models.Model):
    """How cases of one level-2 or level-3 service are handled."""

    service = models.OneToOneField(
        "catalogue.Service", on_delete=models.PROTECT, related_name="case_type"
    )
    name_da = models.CharField(_("Danish name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    processing_days = models.PositiveSmallIntegerField(_("processing-time target (working days)"))
    suspension_allowed = models.BooleanField(_("the clock may be paused"), default=True)
    extension_allowed = models.BooleanField(_("the deadline may be extended"), default=True)
    legal_basis_da = models.TextField(_("legal basis (Danish)"), blank=True)
    legal_basis_en = models.TextField(_("legal basis (English)"), blank=True)
    complaint_guidance_da = models.TextField(_("complaint guidance (Danish)"), blank=True)
    complaint_guidance_en = models.TextField(_("complaint guidance (English)"), blank=True)
    citizen_texts = models.JSONField(
        _("status texts for the citizen"),
        default=dict,
        blank=True,
        help_text=_('Per status, e.g. {"received": {"da": "...", "en": "..."}}.'),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("retention after closing (years)"), default=5
    )

    class Meta:
        verbose_name = _("case type")
        verbose_name_plural = _("case types")
        constraints = [
            models.CheckConstraint(
                condition=Q(processing_days__gte=1), name="case_type_processing_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    class Confidentiality(models.TextChoices):
        NORMAL = "normal", _("Normal")
        CONFIDENTIAL = "confidential", _("Confidential")

    number = models.CharField(_("case number"), max_length=20, unique=True)
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    kle_code = models.CharField(_("KLE number"), max_length=8, blank=True)
    action_facet = models.CharField(_("KLE action facet"), max_length=3, blank=True)
    department = models.ForeignKey(
        "catalogue.Department",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("responsible department"),
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("caseworker"),
    )
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAL,
    )
    channel = models.CharField(_("came in by"), max_length=20, choices=Channel.choices)
    received_on = models.DateField(_("received"), default=timezone.localdate)
    contacts = models.ManyToManyField("contacts.Contact", blank=True, related_name="cases")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["department", "status", "received_on"], name="case_inbox_idx"),
            models.Index(fields=["caseworker", "status"], name="case_caseworker_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="case_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseParty(models.Model):
    class Role(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        PARTY = "party", _("Party")
        REPRESENTATIVE = "representative", _("Representative")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    citizen = models.ForeignKey(
        "citizens.Citizen", on_delete=models.PROTECT, related_name="case_parties"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("case party")
        verbose_name_plural = _("case parties")
        constraints = [
            models.UniqueConstraint(fields=["case", "citizen", "role"], name="case_party_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.citizen_id}:{self.role}"


class CaseEvent(models.Model):
    """The history of a case: every transition, extension and transfer, in order."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        TRANSITION = "transition", _("Status changed")
        EXTENSION = "extension", _("Deadline extended")
        TRANSFER = "transfer", _("Transferred")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    on = models.DateField(_("date"), default=timezone.localdate)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extended by (working days)"), default=0)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "at"], name="case_event_time_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="extension") | (Q(extension_days__gte=1) & ~Q(reason="")),
                name="case_extension_has_days_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.from_status}→{self.to_status}"
