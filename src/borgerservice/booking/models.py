"""Appointment booking: resources, slot templates, slots and bookings.

Why a slot is never overbooked
------------------------------
Every booking that holds a place (any state but ``cancelled``) carries a *seat number*
``1 … capacity`` of its slot, and the database enforces, on PostgreSQL and SQLite alike:

1. ``booking_seat_unique``: (slot, seat_number) is unique — two bookings can never hold
   the same seat. Cancelled bookings have ``seat_number`` NULL, and NULLs never collide,
   so cancelling frees the seat while the booking row is kept.
2. ``booking_seat_in_capacity``: ``1 <= seat_number <= slot_capacity``.
3. ``booking_seat_iff_active``: a booking holds a seat exactly when it is not cancelled,
   so an active booking cannot sit outside the count.
4. ``slot_capacity`` is a copy of the slot's capacity, and the copy cannot drift: on
   PostgreSQL a composite foreign key (slot_id, slot_capacity) → slot (id, capacity)
   ``ON UPDATE CASCADE`` (the slot has ``slot_id_capacity_unique`` for it); on SQLite
   triggers do the same (refuse a wrong copy, cascade a capacity change). Lowering a
   slot's capacity below a taken seat number therefore fails in the database (the
   cascaded row breaks constraint 2). See migration 0002.

So the number of active bookings of a slot is at most the number of distinct integers in
``1 … capacity``: at most ``capacity``, whatever the Python code or the interleaving of
transactions does. Under concurrency two transactions that pick the same free seat can
both try to insert, but the unique index makes the second wait for the first and then
fail (PostgreSQL) — it is never stored. ``booking_create`` additionally locks the slot row
(``SELECT … FOR UPDATE``) so competing bookings of one slot queue up and each picks a
seat that is really free; the lock makes the common case clean (a ``slot_full`` error
instead of a constraint violation), the constraints make it correct.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .workflow import State

#: Booking codes use an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B).
CODE_ALPHABET = "ACDEFHJKMNPQRTUVWXY3479"
CODE_LENGTH = 6
CODE_REGEX = rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$"


class Resource(models.Model):
    class Kind(models.TextChoices):
        COUNTER = "counter", _("Counter")
        CASEWORKER = "caseworker", _("Caseworker")

    centre = models.ForeignKey(
        "catalogue.ServiceCentre",
        on_delete=models.PROTECT,
        related_name="booking_resources",
        verbose_name=_("service centre"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="booking_resources",
        verbose_name=_("staff member"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["centre", "kind", "name"]
        verbose_name = _("booking resource")
        verbose_name_plural = _("booking resources")
        constraints = [
            models.UniqueConstraint(fields=["centre", "name"], name="resource_name_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["counter", "caseworker"]), name="resource_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SlotTemplate(models.Model):
    """A weekly pattern: on ``weekday`` from ``starts`` to ``ends``, slots of ``duration``."""

    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.PROTECT,
        related_name="slot_templates",
        verbose_name=_("service"),
    )
    centre = models.ForeignKey(
        "catalogue.ServiceCentre",
        on_delete=models.PROTECT,
        related_name="slot_templates",
        verbose_name=_("service centre"),
    )
    resources = models.ManyToManyField(
        Resource,
        blank=True,
        related_name="slot_templates",
        verbose_name=_("resources"),
        help_text=_("One slot per resource and time; none: one slot for the centre."),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    starts = models.TimeField(_("first slot starts"))
    ends = models.TimeField(_("last slot ends by"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    capacity = models.PositiveSmallIntegerField(_("citizens per slot"), default=1)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["centre", "service", "weekday", "starts"]
        verbose_name = _("slot template")
        verbose_name_plural = _("slot templates")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="slot_template_weekday_valid"
            ),
            models.CheckConstraint(condition=Q(starts__lt=F("ends")), name="slot_template_order"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="slot_template_duration",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_template_capacity"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="slot_template_validity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}@{self.centre_id} {self.weekday} {self.starts:%H:%M}"


class Slot(models.Model):
    template = models.ForeignKey(
        SlotTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="slots",
        verbose_name=_("template"),
    )
    centre = models.ForeignKey(
        "catalogue.ServiceCentre",
        on_delete=models.PROTECT,
        related_name="slots",
        verbose_name=_("service centre"),
    )
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.PROTECT,
        related_name="slots",
        verbose_name=_("service"),
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="slots",
        verbose_name=_("resource"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=1)
    active = models.BooleanField(_("open for booking"), default=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        indexes = [models.Index(fields=["centre", "service", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_capacity_positive"),
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="slot_order"),
            # Target of the composite foreign key from Booking (slot_id, slot_capacity).
            models.UniqueConstraint(fields=["id", "capacity"], name="slot_id_capacity_unique"),
            # Generation is idempotent: one slot per template, resource and start.
            models.UniqueConstraint(
                fields=["template", "resource", "starts_at"],
                condition=Q(template__isnull=False, resource__isnull=False),
                name="slot_template_resource_start_unique",
            ),
            models.UniqueConstraint(
                fields=["template", "starts_at"],
                condition=Q(template__isnull=False, resource__isnull=True),
                name="slot_template_start_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}@{self.centre_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Booking(models.Model):
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("slot")
    )
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("service"),
    )
    citizen = models.ForeignKey(
        "citizens.Citizen",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("citizen"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    code = models.CharField(_("booking code"), max_length=CODE_LENGTH, unique=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.BOOKED)
    seat_number = models.PositiveSmallIntegerField(_("seat"), null=True, blank=True)
    slot_capacity = models.PositiveSmallIntegerField(_("capacity of the slot"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    finished_at = models.DateTimeField(_("served or marked absent"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    rebooked_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rebooked_to",
        verbose_name=_("rebooked from"),
    )
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=100, null=True, blank=True, unique=True
    )

    class Meta:
        ordering = ["slot__starts_at", "id"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.UniqueConstraint(fields=["slot", "seat_number"], name="booking_seat_unique"),
            models.CheckConstraint(
                condition=Q(seat_number__isnull=True)
                | Q(seat_number__gte=1, seat_number__lte=F("slot_capacity")),
                name="booking_seat_in_capacity",
            ),
            models.CheckConstraint(
                condition=Q(state=State.CANCELLED, seat_number__isnull=True)
                | (~Q(state=State.CANCELLED) & Q(seat_number__isnull=False)),
                name="booking_seat_iff_active",
            ),
            models.CheckConstraint(condition=Q(state__in=State.values), name="booking_state_valid"),
            models.CheckConstraint(condition=Q(code__regex=CODE_REGEX), name="booking_code_format"),
            models.CheckConstraint(
                condition=Q(citizen__isnull=False) | ~Q(name=""), name="booking_has_a_person"
            ),
            models.CheckConstraint(
                condition=~Q(rebooked_from=F("pk")), name="booking_not_rebooked_from_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def person_name(self) -> str:
        return self.citizen.full_name if self.citizen_id else self.name

    @property
    def contact_email(self) -> str:
        return self.email or (self.citizen.email if self.citizen_id else "")
