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

from .workflow import WORK_HELD, State, WorkState


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
            # Call next across the queues of one centre: walked in order of arrival, the
            # first ticket of the session's queues ends the scan (no sort of the day).
            models.Index(
                fields=["centre", "day", "drawn_at", "id"],
                condition=Q(state="waiting"),
                name="ticket_waiting_centre_idx",
            ),
            # Booked citizens due now: the few waiting check-ins of a centre.
            models.Index(
                fields=["centre", "due_at"],
                condition=Q(state="waiting", due_at__isnull=False),
                name="ticket_waiting_booked_idx",
            ),
            # Tickets waiting for a turn-near message (checked after every call).
            models.Index(
                fields=["centre", "day"],
                condition=Q(state="waiting", notified_at__isnull=True)
                & ~Q(notify_email="", notify_phone=""),
                name="ticket_waiting_notify_idx",
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


# --- Work items: non-real-time work routed by skill ---------------------------------------------
#
# A work queue is one skill ("Pas og kørekort – skriftlige henvendelser"). Agents hold skills
# (with a proficiency), say whether they are available (with a heartbeat) and hold at most their
# limit of items at a time (offered or in progress). Contact-centre agents get an item as soon as
# it arrives; staff of the citizen service centres (their staff profile's centre is a service
# centre) only once it has waited longer than the queue's overflow threshold: the virtual
# coupling that lets the centres relieve the contact centre. The time to first handling of an
# item is ``first_handled_at - received_at`` (see ``work_selectors.work_facts``).


class WorkQueue(BilingualMixin, models.Model):
    """A queue of non-real-time work for one skill."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_da = models.CharField(_("Danish name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    services = models.ManyToManyField(
        "catalogue.Service",
        blank=True,
        related_name="work_queues",
        verbose_name=_("services"),
        help_text=_("Work about these services is routed to this queue."),
    )
    department = models.ForeignKey(
        "catalogue.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_queues",
        verbose_name=_("department"),
    )
    overflow_minutes = models.PositiveIntegerField(
        _("overflow after (minutes)"),
        null=True,
        blank=True,
        default=60,
        help_text=_(
            "Items waiting longer are also offered to service-centre staff with the skill. "
            "Empty: never."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("work queue (skill)")
        verbose_name_plural = _("work queues (skills)")
        constraints = [
            models.CheckConstraint(
                condition=Q(overflow_minutes__isnull=True) | Q(overflow_minutes__gte=1),
                name="work_queue_overflow_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AgentSkill(models.Model):
    """A skill an agent holds; the higher the proficiency, the sooner they are offered work."""

    class Proficiency(models.IntegerChoices):
        BASIC = 1, _("Basic")
        GOOD = 2, _("Good")
        EXPERT = 3, _("Expert")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="work_skills",
        verbose_name=_("agent"),
    )
    queue = models.ForeignKey(
        WorkQueue, on_delete=models.CASCADE, related_name="skills", verbose_name=_("work queue")
    )
    proficiency = models.PositiveSmallIntegerField(
        _("proficiency"), choices=Proficiency.choices, default=Proficiency.GOOD
    )

    class Meta:
        ordering = ["user", "queue"]
        verbose_name = _("agent skill")
        verbose_name_plural = _("agent skills")
        constraints = [
            models.UniqueConstraint(fields=["user", "queue"], name="agent_skill_unique"),
            models.CheckConstraint(
                condition=Q(proficiency__gte=1, proficiency__lte=3),
                name="agent_skill_proficiency_valid",
            ),
        ]
        indexes = [models.Index(fields=["queue", "user"], name="agent_skill_queue_idx")]

    def __str__(self) -> str:
        return f"{self.user} – {self.queue}"


class AgentPresence(models.Model):
    """Whether an agent takes work now. The row is locked whenever work is offered to the
    agent, so concurrent offers never take the agent past their limit."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        AWAY = "away", _("Away")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="work_presence",
        verbose_name=_("agent"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.AWAY
    )
    status_since = models.DateTimeField(_("status since"))
    last_seen_at = models.DateTimeField(_("last seen"))
    wip_limit = models.PositiveSmallIntegerField(
        _("limit on work in progress"),
        null=True,
        blank=True,
        help_text=_("Items held at a time. Empty: the default of the installation."),
    )

    class Meta:
        ordering = ["user"]
        verbose_name = _("agent presence")
        verbose_name_plural = _("agent presences")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["available", "away"]), name="agent_presence_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(wip_limit__isnull=True) | Q(wip_limit__gte=1, wip_limit__lte=50),
                name="agent_presence_wip_limit_range",
            ),
        ]
        indexes = [models.Index(fields=["status", "last_seen_at"], name="agent_presence_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.status}"

    @property
    def limit(self) -> int:
        return self.wip_limit or work_wip_limit_default()


def work_wip_limit_default() -> int:
    return int(getattr(settings, "WORK_WIP_LIMIT", 3))


class WorkItem(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        CALL_BACK = "call_back", _("Call-back request")
        WEB_MESSAGE = "web_message", _("Web message")
        HANDOVER = "handover", _("Handed-over task")
        LETTER = "letter", _("Scanned letter")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Answered or resolved")
        CASE_CREATED = "case", _("Case created")
        HANDED_OVER = "handed_over", _("Handed over to a department")
        NOT_REACHED = "not_reached", _("Citizen not reached")
        NO_ACTION = "no_action", _("No action needed (duplicate or not for us)")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    queue = models.ForeignKey(
        WorkQueue, on_delete=models.PROTECT, related_name="items", verbose_name=_("work queue")
    )
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_items",
        verbose_name=_("service"),
    )
    centre = models.ForeignKey(
        "catalogue.ServiceCentre",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_items",
        verbose_name=_("centre or unit"),
        help_text=_("Where the work came in; used by the statistics."),
    )
    citizen = models.ForeignKey(
        "citizens.Citizen",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_items",
        verbose_name=_("citizen"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    reply_email = models.EmailField(_("answer to email address"), blank=True)
    phone = models.CharField(_("phone number to call"), max_length=20, blank=True)
    received_at = models.DateTimeField(_("received"))
    state = models.CharField(
        _("state"), max_length=20, choices=WorkState.choices, default=WorkState.QUEUED
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # work_item_held_idx starts with the agent
        related_name="work_items",
        verbose_name=_("agent"),
        help_text=_("Who the item is offered to or handled by."),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_items_handled",
        verbose_name=_("handled by"),
        help_text=_("The agent who last accepted the item."),
    )
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    first_handled_at = models.DateTimeField(
        _("first handled"),
        null=True,
        blank=True,
        help_text=_("When an agent first accepted the item; kept if it is released later."),
    )
    offers = models.PositiveSmallIntegerField(_("times offered"), default=0)
    overflowed_at = models.DateTimeField(
        _("overflowed to service-centre staff"), null=True, blank=True
    )
    finished_at = models.DateTimeField(_("ended"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    result_note = models.TextField(_("note on the handling"), blank=True)
    contact = models.OneToOneField(
        "contacts.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_item",
        verbose_name=_("contact handed over"),
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_items",
        verbose_name=_("case"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_items_created",
        verbose_name=_("registered by"),
    )
    # NULL, not "", for items without a key: the unique constraint ignores NULLs.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("idempotency key"), max_length=100, null=True, blank=True
    )
    request_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"], name="work_item_idempotency_unique"
            ),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in WorkState]), name="work_item_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["email", "call_back", "web_message", "handover", "letter"]),
                name="work_item_kind_valid",
            ),
            # Exactly the items an agent holds have an agent.
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in WORK_HELD], agent__isnull=False)
                | (~Q(state__in=[s.value for s in WORK_HELD]) & Q(agent__isnull=True)),
                name="work_item_agent_iff_held",
            ),
            # One open offer per agent at a time.
            models.UniqueConstraint(
                fields=["agent"], condition=Q(state="offered"), name="work_item_one_offer_per_agent"
            ),
            models.CheckConstraint(
                condition=~Q(state="offered")
                | Q(offered_at__isnull=False, offer_expires_at__isnull=False),
                name="work_item_offer_has_times",
            ),
            models.CheckConstraint(
                condition=~Q(state="in_progress")
                | Q(accepted_at__isnull=False, first_handled_at__isnull=False),
                name="work_item_in_progress_accepted",
            ),
            models.CheckConstraint(
                condition=~Q(state="done")
                | (~Q(outcome="") & Q(finished_at__isnull=False, first_handled_at__isnull=False)),
                name="work_item_done_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(state="cancelled") | Q(finished_at__isnull=False),
                name="work_item_cancel_has_time",
            ),
            models.CheckConstraint(
                condition=Q(first_handled_at__isnull=True)
                | Q(first_handled_at__gte=F("received_at")),
                name="work_item_handled_after_received",
            ),
            models.CheckConstraint(
                condition=~Q(kind="call_back") | ~Q(phone=""), name="work_item_call_back_phone"
            ),
        ]
        indexes = [
            # The next item: the oldest waiting item of the queues an agent covers.
            models.Index(
                fields=["queue", "received_at", "id"],
                condition=Q(state="queued"),
                name="work_item_queued_fifo_idx",
            ),
            models.Index(
                fields=["agent", "state"],
                condition=Q(state__in=["offered", "in_progress"]),
                name="work_item_held_idx",
            ),
            models.Index(fields=["received_at"], name="work_item_received_idx"),
            models.Index(
                fields=["offer_expires_at"],
                condition=Q(state="offered"),
                name="work_item_offer_expiry_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def time_to_first_handling(self):
        return self.first_handled_at - self.received_at if self.first_handled_at else None


class WorkItemEvent(models.Model):
    """One change of a work item: the history shown on the item and kept for statistics."""

    item = models.ForeignKey(
        WorkItem, on_delete=models.CASCADE, related_name="events", verbose_name=_("work item")
    )
    at = models.DateTimeField(_("time"))
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
        help_text=_("Empty when the routing did it."),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent concerned"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("work item event")
        verbose_name_plural = _("work item events")
        indexes = [
            models.Index(fields=["agent", "action", "at"], name="work_event_agent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
