"""Management information: the rollup tables the dashboards read, the fact each source row
has contributed to them, the after-contact survey, and the portfolio's unit costs and
realised benefits.

The rollups hold additive measures only (counts and sums of seconds), keyed by the
dimensions the dashboards filter on. Dimensions are plain integers with 0 for "none" rather
than foreign keys with NULL: a unique constraint treats NULLs as distinct, so the upsert
``INSERT ... ON CONFLICT (key) DO UPDATE SET n = n + excluded.n`` that keeps the rollups up
to date would otherwise create a new row for every contact without a service. Percentiles of
waits and service times come from the histogram ``DurationBin`` (see ``bins.BIN_EDGES``).
The two biggest, ``ContactDay`` and ``DurationBin``, are also kept per calendar month
(``ContactMonth``, ``DurationMonth``) by the same upserts, so a year-long dashboard reads
twelve month rows per cell instead of 365 day rows.

``RollupFact`` remembers, for each source row, exactly what it added to which rollup rows, so
a change or a deletion subtracts the old contribution and adds the new one
(``rollups.rollup_refresh``). ``rollups.rollup_recompute`` derives every rollup from the raw
rows again; the tests hold the two equal.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgerservice.core.channels import Channel


def _dim(verbose: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(verbose, default=0)


def _count(verbose: str) -> models.BigIntegerField:
    return models.BigIntegerField(verbose, default=0)


class Rollup(models.Model):
    """Common shape: ``KEY`` names the dimension columns (the unique key of the upsert),
    ``MEASURES`` the additive columns."""

    KEY: tuple[str, ...] = ()
    MEASURES: tuple[str, ...] = ()

    day = models.DateField(_("day"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return " ".join(str(getattr(self, name)) for name in self.KEY)


class ContactCells(Rollup):
    """Contacts counted by every dimension the dashboards filter on."""

    KEY = ("day", "channel", "direction", "outcome", "service", "area", "department", "centre")
    MEASURES = ("contacts", "could_be_digital", "handling_seconds", "handled")

    channel = models.CharField(_("channel"), max_length=20)
    direction = models.CharField(_("direction"), max_length=10)
    outcome = models.CharField(_("outcome"), max_length=20)
    service = _dim(_("service"))
    area = _dim(_("area"))
    department = _dim(_("department"))
    centre = _dim(_("centre"))
    contacts = _count(_("contacts"))
    could_be_digital = _count(_("could have been digital"))
    handling_seconds = _count(_("handling time (seconds)"))
    handled = _count(_("contacts with a handling time"))

    class Meta:
        abstract = True


class ContactDay(ContactCells):
    class Meta:
        verbose_name = _("contacts per day")
        verbose_name_plural = _("contacts per day")
        constraints = [
            models.UniqueConstraint(fields=list(ContactCells.KEY), name="contactday_key")
        ]


class ContactMonth(ContactCells):
    """``ContactDay`` summed per calendar month (``day`` is the first of the month), so a
    period of whole months reads a thirtieth of the rows; kept by the same upserts."""

    class Meta:
        verbose_name = _("contacts per month")
        verbose_name_plural = _("contacts per month")
        constraints = [
            models.UniqueConstraint(fields=list(ContactCells.KEY), name="contactmonth_key")
        ]


class ContactHour(Rollup):
    KEY = ("day", "hour", "channel", "department", "centre")
    MEASURES = ("contacts",)

    weekday = models.PositiveSmallIntegerField(_("weekday (0 = Monday)"))
    hour = models.PositiveSmallIntegerField(_("hour"))
    channel = models.CharField(_("channel"), max_length=20)
    department = _dim(_("department"))
    centre = _dim(_("centre"))
    contacts = _count(_("contacts"))

    class Meta:
        verbose_name = _("contacts per hour")
        verbose_name_plural = _("contacts per hour")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "hour", "channel", "department", "centre"], name="contacthour_key"
            )
        ]
        indexes = [models.Index(fields=["centre", "channel", "day"], name="contacthour_centre_idx")]


class DurationCells(Rollup):
    """A histogram of waits and service times; ``bin`` indexes ``bins.BIN_EDGES``."""

    class Measure(models.TextChoices):
        TICKET_WAIT = "ticket_wait", _("Wait in the queue (walk-in)")
        TICKET_SERVICE = "ticket_service", _("Service time at the counter")
        WORK_WAIT = "work_wait", _("Wait before written inquiries and call-backs are handled")
        CONTACT_HANDLING = "handling", _("Handling time of a contact")

    KEY = ("day", "measure", "channel", "department", "centre", "service", "bin")
    MEASURES = ("n", "seconds")

    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices)
    channel = models.CharField(_("channel"), max_length=20)
    department = _dim(_("department"))
    centre = _dim(_("centre"))
    service = _dim(_("service"))
    bin = models.PositiveSmallIntegerField(_("bin"))
    n = _count(_("count"))
    seconds = _count(_("seconds in all"))

    class Meta:
        abstract = True


class DurationBin(DurationCells):
    class Meta:
        verbose_name = _("duration histogram")
        verbose_name_plural = _("duration histograms")
        constraints = [
            models.UniqueConstraint(fields=list(DurationCells.KEY), name="durationbin_key")
        ]


class DurationMonth(DurationCells):
    """``DurationBin`` summed per calendar month (``day`` is the first of the month)."""

    class Meta:
        verbose_name = _("duration histogram per month")
        verbose_name_plural = _("duration histograms per month")
        constraints = [
            models.UniqueConstraint(fields=list(DurationCells.KEY), name="durationmonth_key")
        ]


class TicketHour(Rollup):
    KEY = ("day", "hour", "centre", "group", "state")
    MEASURES = ("tickets", "booked")

    weekday = models.PositiveSmallIntegerField(_("weekday (0 = Monday)"))
    hour = models.PositiveSmallIntegerField(_("hour drawn"))
    centre = _dim(_("centre"))
    group = _dim(_("queue group"))
    state = models.CharField(_("state"), max_length=20)
    tickets = _count(_("tickets"))
    booked = _count(_("tickets from a booking"))

    class Meta:
        verbose_name = _("tickets per hour")
        verbose_name_plural = _("tickets per hour")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "hour", "centre", "group", "state"], name="tickethour_key"
            )
        ]


class BookingDay(Rollup):
    KEY = ("day", "centre", "service", "department", "state")
    MEASURES = ("bookings",)

    centre = _dim(_("centre"))
    service = _dim(_("service"))
    department = _dim(_("department"))
    state = models.CharField(_("state"), max_length=12)
    bookings = _count(_("bookings"))

    class Meta:
        verbose_name = _("bookings per day")
        verbose_name_plural = _("bookings per day")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "centre", "service", "department", "state"], name="bookingday_key"
            )
        ]


class CaseDay(Rollup):
    """Cases received, closed (on time or late against the due date) and complained about."""

    class Event(models.TextChoices):
        RECEIVED = "received", _("Received")
        CLOSED = "closed", _("Closed")
        COMPLAINT = "complaint", _("Complaint received")

    KEY = ("day", "event", "department", "unit", "caseworker", "case_type", "channel")
    MEASURES = ("cases", "on_time", "late")

    event = models.CharField(_("event"), max_length=10, choices=Event.choices)
    department = _dim(_("department"))
    unit = _dim(_("unit"))
    caseworker = _dim(_("caseworker"))
    case_type = _dim(_("case type"))
    channel = models.CharField(_("came in by"), max_length=20)
    cases = _count(_("cases"))
    on_time = _count(_("closed by the due date"))
    late = _count(_("closed after the due date"))

    class Meta:
        verbose_name = _("cases per day")
        verbose_name_plural = _("cases per day")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "event", "department", "unit", "caseworker", "case_type", "channel"],
                name="caseday_key",
            )
        ]


class CapacityDay(Rollup):
    """Staffed counter time (sessions) against the time spent serving tickets."""

    KEY = ("day", "centre")
    MEASURES = ("staffed_seconds", "served_seconds", "served")

    centre = _dim(_("centre"))
    staffed_seconds = _count(_("staffed counter time (seconds)"))
    served_seconds = _count(_("time serving citizens (seconds)"))
    served = _count(_("tickets served"))

    class Meta:
        verbose_name = _("capacity per day")
        verbose_name_plural = _("capacity per day")
        constraints = [models.UniqueConstraint(fields=["day", "centre"], name="capacityday_key")]


class LinkDay(Rollup):
    """Self-service links sent from contacts (by the day sent) and how many were used."""

    KEY = ("day", "service", "department", "via")
    MEASURES = ("sent", "used")

    service = _dim(_("service"))
    department = _dim(_("department"))
    via = models.CharField(_("sent as"), max_length=5)
    sent = _count(_("links sent"))
    used = _count(_("links used"))

    class Meta:
        verbose_name = _("self-service links per day")
        verbose_name_plural = _("self-service links per day")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "service", "department", "via"], name="linkday_key"
            )
        ]


class WorkDay(Rollup):
    KEY = ("day", "kind", "queue", "department", "state", "outcome")
    MEASURES = ("items", "overflowed")

    kind = models.CharField(_("kind"), max_length=20)
    queue = _dim(_("queue"))
    department = _dim(_("department"))
    state = models.CharField(_("state"), max_length=20)
    outcome = models.CharField(_("outcome"), max_length=20)
    items = _count(_("work items"))
    overflowed = _count(_("overflowed"))

    class Meta:
        verbose_name = _("work items per day")
        verbose_name_plural = _("work items per day")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "kind", "queue", "department", "state", "outcome"],
                name="workday_key",
            )
        ]


class SurveyDay(Rollup):
    KEY = ("day", "channel", "department", "centre", "service", "score")
    MEASURES = ("answers",)

    channel = models.CharField(_("channel"), max_length=20)
    department = _dim(_("department"))
    centre = _dim(_("centre"))
    service = _dim(_("service"))
    score = models.PositiveSmallIntegerField(_("score"))
    answers = _count(_("answers"))

    class Meta:
        verbose_name = _("survey answers per day")
        verbose_name_plural = _("survey answers per day")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel", "department", "centre", "service", "score"],
                name="surveyday_key",
            )
        ]


ROLLUP_MODELS: tuple[type[Rollup], ...] = (
    ContactDay,
    ContactHour,
    DurationBin,
    TicketHour,
    BookingDay,
    CaseDay,
    CapacityDay,
    LinkDay,
    WorkDay,
    SurveyDay,
)


class RollupFact(models.Model):
    """What one source row has added to the rollups: a list of
    ``[rollup table, [key values], [measure values]]``."""

    source = models.CharField(_("source"), max_length=12)
    source_id = models.BigIntegerField(_("source row"))
    parts = models.JSONField(_("contributions"), default=list)

    class Meta:
        verbose_name = _("rollup fact")
        verbose_name_plural = _("rollup facts")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="rollupfact_source_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.source_id}"


class SurveyResponse(models.Model):
    """The citizen's answer to "How satisfied are you with the help you got?" (1–5),
    offered after a contact. One answer per contact; no free text, so nobody can be
    identified from it."""

    contact = models.OneToOneField(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="survey_response",
        verbose_name=_("contact"),
    )
    score = models.PositiveSmallIntegerField(_("score (1–5)"))
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="survey_score_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.score}"


class UnitCost(models.Model):
    """What one contact costs by channel (DKK), for the cost-per-contact comparison.
    Configurable by analysts; ``portfolio.DEFAULT_UNIT_COSTS`` seeds them."""

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, unique=True)
    cost_dkk = models.DecimalField(_("cost per contact (DKK)"), max_digits=8, decimal_places=2)
    source_note = models.CharField(_("basis of the figure"), max_length=300, blank=True)
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
        ordering = ["channel"]
        verbose_name = _("unit cost")
        verbose_name_plural = _("unit costs")
        constraints = [
            models.CheckConstraint(condition=Q(cost_dkk__gte=0), name="unitcost_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.cost_dkk}"


class BenefitRealisation(models.Model):
    """A realised benefit recorded against the savings path: FTE freed and DKK saved in an
    area in a year."""

    area = models.ForeignKey(
        "catalogue.ServiceArea",
        on_delete=models.PROTECT,
        related_name="benefits",
        verbose_name=_("area"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    fte_saved = models.DecimalField(_("FTE saved"), max_digits=7, decimal_places=2, default=0)
    amount_dkk = models.DecimalField(
        _("amount saved (DKK)"), max_digits=14, decimal_places=2, default=0
    )
    note = models.TextField(_("how it was realised"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["year", "area_id"]
        verbose_name = _("realised benefit")
        verbose_name_plural = _("realised benefits")
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="benefit_area_year_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="benefit_year_plausible"
            ),
            models.CheckConstraint(
                condition=Q(fte_saved__gte=0) & Q(amount_dkk__gte=0),
                name="benefit_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year}"
