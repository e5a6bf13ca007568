"""Walk-in queues: queue groups, tickets, counters and their sessions.

A ticket's number comes from one ``TicketSequence`` row per centre, queue group and day,
incremented under a row lock in the draw's transaction; the unique constraint on
(centre, day, group, number) is the database's guarantee on top. The wait of a ticket is
``called_at - drawn_at`` and its service time ``finished_at - served_at``: the raw facts the
statistics read (see ``selectors.ticket_facts``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from borgerservice.core.i18n import BilingualMixin

from .workflow import State


class QueueGroup(BilingualMixin, models.Model):
    """One queue of a centre ("A – Pas og kørekort"); its prefix starts every ticket code."""

    centre = models.ForeignKey(
        "catalogue.ServiceCentre",
        on_delete=models.CASCADE,
        related_name="queue_groups",
        verbose_name=_("centre"),
    )
    code = models.SlugField(_("code"), max_length=40)
    prefix = models.CharField(
        _("prefix"), max_length=3, help_text=_("One to three capital letters, e.g. A.")
    )
    name_da = models.CharField(_("Danish name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    services = models.ManyToManyField(
        "catalogue.Service",
        blank=True,
        related_name="queue_groups",
        verbose_name=_("services"),
    )
    default_service_minutes = models.PositiveSmallIntegerField(
        _("expected service time (minutes)"),
        default=8,
        help_text=_("Used for the estimated wait until the day has enough finished tickets."),
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["centre", "sort_order", "prefix"]
        verbose_name = _("queue group")
        verbose_name_plural = _("queue groups")
        constraints = [
            models.UniqueConstraint(fields=["centre", "code"], name="queue_group_code_unique"),
            models.UniqueConstraint(fields=["centre", "prefix"], name="queue_group_prefix_unique"),
            models.CheckConstraint(
                condition=Q(prefix__regex=r"^[A-Z]{1,3}$"), name="queue_group_prefix_letters"
            ),
            models.CheckConstraint(
                condition=Q(default_service_minutes__gte=1), name="queue_group_minutes_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} – {self.name}"


class Counter(models.Model):
    """A desk where citizens are served ("Skranke 3")."""

    centre = models.ForeignKey(
        "catalogue.ServiceCentre",
        on_delete=models.CASCADE,
        related_name="counters",
        verbose_name=_("centre"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["centre", "sort_order", "code"]
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [
            models.UniqueConstraint(fields=["centre", "code"], name="counter_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class CounterSession(models.Model):
    """A staff member signed in at a counter; the skills are the queue groups covered."""

    counter = models.ForeignKey(
        Counter, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("counter")
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="counter_sessions",
        verbose_name=_("staff member"),
    )
    groups = models.ManyToManyField(
        QueueGroup, related_name="sessions", verbose_name=_("queue groups covered (skills)")
    )
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("counter session")
        verbose_name_plural = _("counter sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["counter"],
                condition=Q(closed_at__isnull=True),
                name="counter_session_one_open_per_counter",
            ),
            models.UniqueConstraint(
                fields=["staff"],
                condition=Q(closed_at__isnull=True),
                name="counter_session_one_open_per_staff",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at")),
                name="counter_session_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.counter} {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class TicketSequence(models.Model):
    """The last number drawn in one queue group on one day (locked while a number is drawn)."""

    centre = models.ForeignKey("catalogue.ServiceCentre", on_delete=models.CASCADE)
    group = models.ForeignKey(QueueGroup, on_delete=models.CASCADE)
    day = models.DateField(_("day"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("ticket sequence")
        verbose_name_plural = _("ticket sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "group", "day"], name="ticket_sequence_one_per_group_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.day}: {self.last_number}"


class Ticket(models.Model):
    centre = models.ForeignKey(
        "catalogue.ServiceCentre",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("centre"),
    )
    group = models.ForeignKey(
        QueueGroup, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("queue")
    )
    day = models.DateField(_("day"))
    number = models.PositiveIntegerField(_("number"))
    code = models.CharField(_("ticket code"), max_length=10, help_text=_("E.g. A017."))
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.WAITING
    )
    drawn_at = models.DateTimeField(
        _("drawn"),
        help_text=_(
            "When the citizen took the first ticket; a transferred ticket keeps it, so the "
            "citizen keeps their place in the order of arrival."
        ),
    )
    queued_at = models.DateTimeField(_("entered this queue"))
    called_at = models.DateTimeField(_("called"), null=True, blank=True)
    announced_at = models.DateTimeField(
        _("last announced"), null=True, blank=True, help_text=_("The call or the latest recall.")
    )
    recalls = models.PositiveSmallIntegerField(_("recalls"), default=0)
    served_at = models.DateTimeField(_("service started"), null=True, blank=True)
    parked_at = models.DateTimeField(_("parked since"), null=True, blank=True)
    parked_seconds = models.PositiveIntegerField(
        _("time parked (seconds)"),
        default=0,
        help_text=_("Time parked during the service; not counted as service time."),
    )
    finished_at = models.DateTimeField(
        _("ended"), null=True, blank=True, help_text=_("When the ticket reached a final state.")
    )
    counter = models.ForeignKey(
        Counter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("counter"),
    )
    session = models.ForeignKey(
        CounterSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("counter session"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="queue_tickets",
        verbose_name=_("staff member"),
    )
    citizen = models.ForeignKey(
        "citizens.Citizen",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="queue_tickets",
        verbose_name=_("citizen"),
        help_text=_("Empty for an anonymous ticket."),
    )
    booking_reference = models.PositiveBigIntegerField(
        _("booking"), null=True, blank=True, help_text=_("The booking checked in with.")
    )
    due_at = models.DateTimeField(
        _("appointment time"),
        null=True,
        blank=True,
        help_text=_("For a booking check-in: the booked time; called before walk-ins then."),
    )
    contact = models.OneToOneField(
        "contacts.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="queue_ticket",
        verbose_name=_("contact"),
    )
    notify_email = models.EmailField(
        _("email when the turn is near"),
        blank=True,
        help_text=_(
            "Given at the kiosk if the citizen wants a message; cleared when the day closes."
        ),
    )
    notify_phone = models.CharField(
        _("mobile number for a text message when the turn is near"),
        max_length=20,
        blank=True,
        help_text=_("Given at the kiosk; cleared when the day closes."),
    )
    notified_at = models.DateTimeField(_("turn-near message sent"), null=True, blank=True)
    transferred_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transferred_to",
        verbose_name=_("transferred from"),
    )

    class Meta:
        ordering = ["day", "drawn_at", "id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "day", "group", "number"], name="ticket_number_unique_per_day"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="ticket_number_positive"),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in State]), name="ticket_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(called_at__isnull=True) | Q(called_at__gte=F("queued_at")),
                name="ticket_called_after_queued",
            ),
            models.CheckConstraint(
                condition=Q(served_at__isnull=True) | Q(called_at__isnull=False),
                name="ticket_served_after_call",
            ),
        ]
        indexes = [
            # Call next: the waiting tickets of a group in order of arrival.
            models.Index(
                fields=["group", "day", "drawn_at", "id"],
                condition=Q(state="waiting"),
                name="ticket_waiting_fifo_idx",
            ),
            models.Index(fields=["centre", "day", "state"], name="ticket_centre_day_state_idx"),
            models.Index(fields=["centre", "announced_at"], name="ticket_announced_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.day}"

    @staticmethod
    def format_code(prefix: str, number: int) -> str:
        return f"{prefix}{number:03d}"

    @property
    def wait(self):
        """Time from drawing the ticket to the call (None until called)."""
        return self.called_at - self.drawn_at if self.called_at else None

    @property
    def service_time(self):
        """Time at the counter, parked time not counted (None until finished)."""
        if self.served_at and self.finished_at and self.state == State.FINISHED:
            return self.finished_at - self.served_at - timedelta(seconds=self.parked_seconds)
        return None
