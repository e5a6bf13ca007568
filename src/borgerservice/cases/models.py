"""Cases shared by the front office and the departments.

A case's status changes only through ``services.case_transition`` (row lock, the
transition table in ``workflow.py``, a history row). Deadlines and the SLA state are
derived from the history each time they are needed (``deadlines.py``), never kept in
counters.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
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


class Unit(BilingualMixin, models.Model):
    """A team in a department that works cases; its members see its inbox."""

    department = models.ForeignKey(
        "catalogue.Department",
        on_delete=models.PROTECT,
        related_name="units",
        verbose_name=_("department"),
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_da = models.CharField(_("Danish name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    email = models.EmailField(
        _("email for deadline notices"),
        blank=True,
        help_text=_("Notices of cases at risk or overdue are also sent here."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="case_units", verbose_name=_("members")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

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
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="cases", verbose_name=_("unit")
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
    # A projection of the history, rewritten by every service that adds an event
    # (``services.deadline_refresh``), so the inbox can sort and filter a million cases
    # in SQL. ``deadlines.deadline_of`` derives the same values from the events; a
    # paused case's real due date moves on each working day it stays paused.
    due_on = models.DateField(_("due"))
    at_risk_on = models.DateField(_("at risk from"))
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["department", "status", "received_on"], name="case_inbox_idx"),
            models.Index(fields=["caseworker", "status"], name="case_caseworker_idx"),
            models.Index(
                fields=["unit", "due_on", "id"],
                condition=~Q(status="closed"),
                name="case_unit_open_due_idx",
            ),
            models.Index(fields=["unit", "status", "due_on"], name="case_unit_status_due_idx"),
            models.Index(
                fields=["closed_on"],
                condition=Q(status="closed", anonymised_at__isnull=True),
                name="case_retention_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(at_risk_on__lte=F("due_on")), name="case_at_risk_before_due"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="case_closed_has_date",
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
        ASSIGNMENT = "assignment", _("Caseworker assigned")
        ANONYMISED = "anonymised", _("Anonymised")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    on = models.DateField(_("date"), default=timezone.localdate)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extended by (working days)"), default=0)
    reason = models.TextField(_("reason"), blank=True)
    from_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    detail = models.JSONField(_("details"), default=dict, blank=True)
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
            models.CheckConstraint(
                condition=~Q(kind="transfer") | Q(to_unit__isnull=False),
                name="case_transfer_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.from_status}→{self.to_status}"


class Direction(models.TextChoices):
    INCOMING = "in", _("Received")
    OUTGOING = "out", _("Sent")
    INTERNAL = "internal", _("Internal")


def _document_path(instance, filename: str) -> str:
    # The stored name carries no personal data: case id, document id, version, extension.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    doc = instance.document
    return f"cases/{doc.case_id}/{doc.pk}-v{instance.number}.{ext[:8]}"


class CaseDocument(models.Model):
    """A document on a case; its content lives in versions (the newest is current)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    document_date = models.DateField(_("document date"), default=timezone.localdate)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=[d.value for d in Direction]),
                name="case_document_direction_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DocumentVersion(models.Model):
    class Scan(models.TextChoices):
        CLEAN = "clean", _("Scanned, clean")
        NOT_SCANNED = "not_scanned", _("Not scanned")

    document = models.ForeignKey(CaseDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=_document_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    scan = models.CharField(_("malware scan"), max_length=12, choices=Scan.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["document_id", "number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique"),
            models.CheckConstraint(condition=Q(size__gt=0), name="document_version_not_empty"),
            models.CheckConstraint(condition=Q(number__gte=1), name="document_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class JournalEntry(models.Model):
    """The case's journal (offentlighedsloven § 15): every document received or sent,
    with its date and title, numbered in order within the case (aktnummer)."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        LETTER = "letter", _("Letter")
        DECISION = "decision", _("Decision")
        HEARING = "hearing", _("Hearing")
        NOTE = "note", _("Note")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="journal")
    number = models.PositiveIntegerField(_("entry number"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    document = models.ForeignKey(
        CaseDocument, on_delete=models.SET_NULL, null=True, blank=True, related_name="journal"
    )
    letter = models.ForeignKey(
        "outbox.OutboxMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="journal",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        ordering = ["case_id", "number"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="journal_number_unique"),
            models.CheckConstraint(condition=~Q(title=""), name="journal_has_title"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.number} {self.title}"


class CaseNote(models.Model):
    """A caseworker's note on the case (notatpligt): facts learnt by phone or in person."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="case_note_has_text")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.created_at:%Y-%m-%d}"


class Hearing(models.Model):
    """Partshøring (forvaltningsloven § 19): the party is heard on facts against them
    before an adverse decision, with a deadline to answer."""

    class State(models.TextChoices):
        OPEN = "open", _("Awaiting the answer")
        ANSWERED = "answered", _("Answered")
        EXPIRED = "expired", _("No answer by the deadline")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="hearings")
    facts = models.TextField(_("the facts the party is heard on"))
    sent_on = models.DateField(_("sent"))
    answer_by = models.DateField(_("answer by"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="open")
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["sent_on", "id"]
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(state="open"), name="hearing_one_open_per_case"
            ),
            models.CheckConstraint(
                condition=Q(answer_by__gt=F("sent_on")), name="hearing_deadline_after_sending"
            ),
            models.CheckConstraint(condition=~Q(facts=""), name="hearing_has_facts"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.sent_on} {self.state}"


class Decision(models.Model):
    """An afgørelse with the rules applied, the reasons (begrundelse, forvaltningsloven
    §§ 22–24) and the complaint guidance (§ 25); its letter is a PDF on the case."""

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Granted")
        PARTLY_GRANTED = "partly", _("Partly granted")
        REFUSED = "refused", _("Refused")
        DISMISSED = "dismissed", _("Dismissed")

    ADVERSE = frozenset({Outcome.PARTLY_GRANTED, Outcome.REFUSED, Outcome.DISMISSED})

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    rules_applied = models.TextField(_("rules applied"))
    facts = models.TextField(_("facts relied on"), blank=True)
    reasons = models.TextField(_("reasons"))
    complaint_guidance = models.TextField(_("complaint guidance"), blank=True)
    hearing = models.ForeignKey(
        Hearing, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("decided"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    letter = models.ForeignKey(
        CaseDocument, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        ordering = ["decided_on", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["granted", "partly", "refused", "dismissed"]),
                name="decision_outcome_valid",
            ),
            models.CheckConstraint(condition=~Q(reasons=""), name="decision_has_reasons"),
            models.CheckConstraint(condition=~Q(rules_applied=""), name="decision_has_rules"),
            models.CheckConstraint(
                condition=Q(outcome="granted") | ~Q(complaint_guidance=""),
                name="decision_adverse_has_guidance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.outcome} {self.decided_on}"


class DeadlineNotice(models.Model):
    """A notice to the unit that a case is at risk of missing, or has missed, its
    deadline. One per case, kind and due date, so a re-run of the scan sends nothing twice."""

    class Kind(models.TextChoices):
        AT_RISK = "at_risk", _("At risk")
        BREACHED = "breached", _("Overdue")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="notices")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    due_on = models.DateField(_("due"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("deadline notice")
        verbose_name_plural = _("deadline notices")
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "due_on"], name="deadline_notice_once"),
        ]
        indexes = [models.Index(fields=["unit", "-created_at"], name="notice_unit_time_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.due_on}"


# For the length constraint of CaseMessage.
from django.db.models.functions import Length  # noqa: E402
from django.db.models.lookups import LessThanOrEqual  # noqa: E402

MESSAGE_MAX_LENGTH = 5000


class CaseMessage(models.Model):
    """A message between the citizen (on Min side) and the caseworker about a case.

    ``read_at`` is when the other side read it: for a message from the citizen ("in"),
    when a caseworker of the case's unit opened it; for one to the citizen ("out"), when
    the citizen opened it on Min side.
    """

    class MessageDirection(models.TextChoices):
        IN = "in", _("From the citizen")
        OUT = "out", _("To the citizen")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="messages", verbose_name=_("case")
    )
    direction = models.CharField(_("direction"), max_length=3, choices=MessageDirection.choices)
    text = models.TextField(_("message"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by (staff)"),
    )
    citizen = models.ForeignKey(
        "citizens.Citizen",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_messages",
        verbose_name=_("written by (citizen)"),
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        indexes = [
            models.Index(fields=["case", "created_at"], name="case_message_time_idx"),
            # The unread messages from citizens, for the unit's inbox.
            models.Index(
                fields=["case"],
                condition=Q(direction="in", read_at__isnull=True),
                name="case_message_unread_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=["in", "out"]), name="case_message_direction_valid"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="case_message_has_text"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), MESSAGE_MAX_LENGTH),
                name="case_message_max_length",
            ),
            # A message to the citizen has its caseworker; one from the citizen its sender.
            models.CheckConstraint(
                condition=~Q(direction="out") | Q(author__isnull=False),
                name="case_message_out_has_author",
            ),
            models.CheckConstraint(
                condition=~Q(direction="in") | Q(citizen__isnull=False),
                name="case_message_in_has_citizen",
            ),
            models.CheckConstraint(
                condition=Q(read_at__isnull=True) | Q(read_at__gte=F("created_at")),
                name="case_message_read_after_written",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.direction} {self.created_at:%Y-%m-%d %H:%M}"
