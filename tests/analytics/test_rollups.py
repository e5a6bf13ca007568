"""The rollups, kept up to date row by row, equal a recomputation from the raw rows after
random inserts, updates and deletes of every kind of source row."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from borgerservice.analytics import rollups
from borgerservice.analytics.bins import bin_of, percentile_from_bins
from borgerservice.analytics.models import (
    CapacityDay,
    CaseDay,
    ContactDay,
    ContactHour,
    ContactMonth,
    DurationBin,
    DurationMonth,
    RollupFact,
    SurveyResponse,
    TicketHour,
)
from borgerservice.booking.models import CODE_ALPHABET, CODE_LENGTH, Booking, Slot
from borgerservice.cases.models import Case, CaseEvent, CaseType, Unit
from borgerservice.catalogue.models import Department, Service, ServiceCentre
from borgerservice.contacts.models import Contact, ContactService, SelfServiceLink
from borgerservice.queueing.models import (
    Counter,
    CounterSession,
    QueueGroup,
    Ticket,
    WorkItem,
    WorkQueue,
)
from tests.accounts.staff import FRONT_OFFICE, make_staff

CPH = ZoneInfo("Europe/Copenhagen")
BASE = datetime(2026, 3, 2, 9, 0, tzinfo=CPH)  # a Monday
CHANNELS = ["phone", "walk_in", "email", "letter", "self_service"]
OUTCOMES = ["resolved", "case", "appointment"]


def _at(rng: random.Random) -> datetime:
    return BASE + timedelta(days=rng.randrange(0, 20), minutes=rng.randrange(0, 9 * 60))


class World:
    """Creates, changes and deletes random rows of every source through the ORM (so the
    signals run), and through the bulk paths the services use."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.services = list(Service.objects.order_by("pk")[:12])
        self.centres = list(ServiceCentre.objects.order_by("pk")[:3])
        self.staff = make_staff(FRONT_OFFICE, f"rollup-{seed}")
        self.groups = [
            QueueGroup.objects.create(
                centre=c, code=f"r{seed}-{n}", prefix="AB"[n], name_da="Kø", name_en="Queue"
            )
            for n, c in enumerate(self.centres[:2])
        ]
        for group, service in zip(self.groups, self.services, strict=False):
            group.services.add(service)
        self.counters = [
            Counter.objects.create(centre=c, code=f"r{seed}-c", name="Skranke")
            for c in self.centres[:2]
        ]
        department = Department.objects.order_by("pk").first()
        self.unit = Unit.objects.create(
            department=department, code=f"r{seed}-unit", name_da="Enhed", name_en="Unit"
        )
        self.case_type = CaseType.objects.order_by("pk").first()
        self.queue = WorkQueue.objects.create(
            code=f"r{seed}-queue", name_da="Kø", name_en="Queue", department=department
        )
        self.numbers = 0

    # -- contacts and their parts
    def contact(self) -> Contact:
        started = _at(self.rng)
        contact = Contact.objects.create(
            channel=self.rng.choice(CHANNELS),
            outcome=self.rng.choice(OUTCOMES),
            centre=self.rng.choice([*self.centres, None]),
            started_at=started,
            ended_at=started + timedelta(seconds=self.rng.randrange(30, 1800))
            if self.rng.random() < 0.8
            else None,
            could_be_digital=self.rng.random() < 0.3,
        )
        for service in self.rng.sample(self.services, self.rng.randrange(0, 3)):
            ContactService.objects.create(contact=contact, service=service)
        return contact

    def ticket(self) -> Ticket:
        group = self.rng.choice(self.groups)
        drawn = _at(self.rng)
        self.numbers += 1
        state = self.rng.choice(["waiting", "called", "finished", "no_show"])
        called = (
            drawn + timedelta(seconds=self.rng.randrange(0, 3600)) if state != "waiting" else None
        )
        served = called if state == "finished" else None
        return Ticket.objects.create(
            centre=group.centre,
            group=group,
            day=drawn.date(),
            number=self.numbers,
            code=f"{group.prefix}{self.numbers:03d}",
            state=state,
            drawn_at=drawn,
            queued_at=drawn,
            called_at=called,
            served_at=served,
            finished_at=served + timedelta(seconds=self.rng.randrange(60, 1200))
            if served
            else None,
            booking_reference=self.rng.choice([None, 12345]),
        )

    def session(self) -> CounterSession:
        counter = self.rng.choice(self.counters)
        opened = _at(self.rng)
        return CounterSession.objects.create(
            counter=counter,
            staff=self.staff,
            opened_at=opened,
            closed_at=opened + timedelta(hours=self.rng.randrange(1, 6)),
        )

    def booking(self) -> Booking:
        centre, service = self.rng.choice(self.centres), self.rng.choice(self.services)
        starts = _at(self.rng)
        slot = Slot.objects.create(
            centre=centre,
            service=service,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=15),
            capacity=1,
        )
        self.numbers += 1
        return Booking.objects.create(
            slot=slot,
            service=service,
            code="".join(self.rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
            state=self.rng.choice(["booked", "no_show", "served"]),
            seat_number=1,
            slot_capacity=1,
            name="Borger",
        )

    def case(self) -> Case:
        received = (BASE + timedelta(days=self.rng.randrange(0, 20))).date()
        self.numbers += 1
        closed = self.rng.random() < 0.5
        case = Case.objects.create(
            number=f"R-{self.numbers}",
            case_type=self.case_type,
            title="Ansøgning",
            status="closed" if closed else "in_progress",
            department=self.unit.department,
            unit=self.unit,
            caseworker=self.rng.choice([None, self.staff]),
            channel=self.rng.choice(CHANNELS),
            received_on=received,
            due_on=received + timedelta(days=10),
            at_risk_on=received + timedelta(days=7),
            closed_on=received + timedelta(days=self.rng.randrange(1, 20)) if closed else None,
        )
        if self.rng.random() < 0.3:
            CaseEvent.objects.create(
                case=case,
                kind="transition",
                from_status="decided",
                to_status="complaint",
                on=received + timedelta(days=3),
            )
        return case

    def link(self) -> SelfServiceLink:
        contact = self.contact()
        self.numbers += 1
        used = self.rng.random() < 0.5
        return SelfServiceLink.objects.create(
            contact=contact,
            service=self.rng.choice(self.services),
            token_hash=f"{self.numbers:064d}",
            via="email",
            sent_to="a***@example.dk",
            sent_by=self.staff,
            sent_at=contact.started_at,
            used_at=contact.started_at + timedelta(hours=1) if used else None,
            use_count=int(used),
        )

    def work(self) -> WorkItem:
        received = _at(self.rng)
        done = self.rng.random() < 0.5
        return WorkItem.objects.create(
            kind=self.rng.choice(["email", "web_message", "letter"]),
            queue=self.queue,
            service=self.rng.choice(self.services),
            subject="Spørgsmål",
            received_at=received,
            state="done" if done else "queued",
            outcome="resolved" if done else "",
            first_handled_at=received + timedelta(hours=2) if done else None,
            finished_at=received + timedelta(hours=3) if done else None,
        )

    def survey(self) -> SurveyResponse:
        contact = self.contact()
        return SurveyResponse.objects.create(
            contact=contact,
            score=self.rng.randrange(1, 6),
            answered_at=contact.started_at + timedelta(hours=1),
        )

    # -- changes
    def change(self, obj) -> None:
        rng = self.rng
        if isinstance(obj, Contact):
            if rng.random() < 0.5:
                obj.channel = rng.choice(CHANNELS)
                obj.outcome = rng.choice(OUTCOMES)
                obj.started_at = _at(rng)
                obj.ended_at = obj.started_at + timedelta(seconds=rng.randrange(1, 900))
                obj.save()
            else:  # its services change
                ContactService.objects.filter(contact=obj).delete()
                ContactService.objects.create(contact=obj, service=rng.choice(self.services))
        elif isinstance(obj, Ticket):
            obj.state = "finished"
            obj.called_at = obj.called_at or obj.queued_at + timedelta(minutes=rng.randrange(1, 40))
            obj.served_at = obj.called_at
            obj.finished_at = obj.served_at + timedelta(minutes=rng.randrange(1, 30))
            obj.save()
        elif isinstance(obj, CounterSession):
            obj.closed_at = obj.opened_at + timedelta(minutes=rng.randrange(10, 400))
            obj.save()
        elif isinstance(obj, Booking):
            obj.state = rng.choice(["cancelled", "served", "no_show"])
            obj.seat_number = None if obj.state == "cancelled" else 1
            obj.save()
        elif isinstance(obj, Case):
            obj.status = "closed"
            obj.closed_on = obj.received_on + timedelta(days=rng.randrange(1, 25))
            obj.caseworker = self.staff
            obj.save()
        elif isinstance(obj, SelfServiceLink):
            SelfServiceLink.objects.filter(pk=obj.pk).update(used_at=obj.sent_at, use_count=1)
            rollups.rollup_refresh(source="link", ids=[obj.pk])
        elif isinstance(obj, WorkItem):
            obj.state, obj.outcome = "done", "resolved"
            obj.first_handled_at = obj.received_at + timedelta(minutes=rng.randrange(1, 5000))
            obj.finished_at = obj.first_handled_at
            obj.save()
        elif isinstance(obj, SurveyResponse):
            obj.score = rng.randrange(1, 6)
            obj.save()

    def delete(self, obj) -> None:
        if isinstance(obj, Booking):
            slot = obj.slot
            obj.delete()
            slot.delete()
        elif isinstance(obj, Case):
            obj.events.all().delete()
            obj.delete()
        else:
            obj.delete()


def _assert_in_step() -> None:
    expected, facts = rollups.rollup_recompute()
    assert rollups.rollup_tables() == expected
    assert rollups.rollup_check() == dict.fromkeys(rollups.ROLLUPS, 0)
    # Every source row that counts has exactly the fact of what it added.
    stored = {(f.source, f.source_id): f.parts for f in RollupFact.objects.all()}
    assert stored == {
        (source, pk): parts for source, rows in facts.items() for pk, parts in rows.items()
    }


def random_world(seed: int, steps: int = 260) -> World:
    """A world after ``steps`` random inserts (55 %), changes and deletes."""
    world = World(seed)
    makers = [
        world.contact,
        world.ticket,
        world.session,
        world.booking,
        world.case,
        world.link,
        world.work,
        world.survey,
    ]
    alive = []
    for _ in range(steps):
        roll = world.rng.random()
        if roll < 0.55 or not alive:
            alive.append(world.rng.choice(makers)())
        elif roll < 0.8:
            obj = world.rng.choice(alive)
            obj.refresh_from_db()
            world.change(obj)
        else:
            obj = alive.pop(world.rng.randrange(len(alive)))
            world.delete(obj)
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_recomputation_after_random_inserts_updates_and_deletes(seed):
    random_world(seed)
    assert ContactDay.objects.exists() and TicketHour.objects.exists()
    assert CaseDay.objects.exists() and CapacityDay.objects.exists()
    _assert_in_step()


@pytest.mark.django_db
def test_a_contact_counts_in_its_day_hour_service_and_handling_time():
    service = Service.objects.exclude(department=None).order_by("pk").first()
    centre = ServiceCentre.objects.order_by("pk").first()
    started = datetime(2026, 3, 3, 14, 20, tzinfo=CPH)  # Tuesday 14:20 local
    contact = Contact.objects.create(
        channel="walk_in",
        outcome="resolved",
        centre=centre,
        started_at=started,
        ended_at=started + timedelta(seconds=400),
    )
    ContactService.objects.create(contact=contact, service=service)
    day = ContactDay.objects.get(contacts__gt=0)
    assert (day.day, day.channel, day.outcome, day.service, day.department, day.centre) == (
        date(2026, 3, 3),
        "walk_in",
        "resolved",
        service.pk,
        service.department_id,
        centre.pk,
    )
    assert (day.contacts, day.handling_seconds, day.handled) == (1, 400, 1)
    hour = ContactHour.objects.get(contacts__gt=0)
    assert (hour.hour, hour.weekday, hour.contacts) == (14, 1, 1)
    handling = DurationBin.objects.get(measure="handling", n__gt=0)
    assert (handling.bin, handling.n, handling.seconds) == (bin_of(400), 1, 400)

    # The contact is changed to phone on another day: it moves, nothing is left behind.
    contact.channel = "phone"
    contact.started_at = started + timedelta(days=1)
    contact.ended_at = contact.started_at + timedelta(seconds=90)
    contact.save()
    assert list(ContactDay.objects.filter(contacts__gt=0).values_list("day", "channel")) == [
        (date(2026, 3, 4), "phone")
    ]
    assert set(
        ContactDay.objects.filter(day=date(2026, 3, 3)).values_list("contacts", flat=True)
    ) == {0}
    contact.delete()
    assert not ContactDay.objects.filter(contacts__gt=0).exists()
    assert not RollupFact.objects.exists()


@pytest.mark.django_db
def test_contacts_and_durations_also_count_in_their_month():
    """The month rollups follow the day rollups in the same upserts, across a month's end,
    and ``months_fill`` derives the same month rows from the day rows."""
    centre = ServiceCentre.objects.order_by("pk").first()
    made = []
    for day, seconds in (
        (date(2026, 3, 30), 100),
        (date(2026, 3, 31), 200),
        (date(2026, 4, 1), 50),
    ):
        started = datetime(day.year, day.month, day.day, 23, 30, tzinfo=CPH)  # UTC: 21:30/22:30
        made.append(
            Contact.objects.create(
                channel="phone", outcome="resolved", centre=centre, started_at=started,
                ended_at=started + timedelta(seconds=seconds),
            )
        )  # fmt: skip
    months = {
        (r.day, r.contacts, r.handling_seconds) for r in ContactMonth.objects.filter(contacts__gt=0)
    }
    assert months == {(date(2026, 3, 1), 2, 300), (date(2026, 4, 1), 1, 50)}
    assert sorted(DurationMonth.objects.filter(n__gt=0).values_list("day", "n", "seconds")) == [
        (date(2026, 3, 1), 1, 100),
        (date(2026, 3, 1), 1, 200),
        (date(2026, 4, 1), 1, 50),
    ]
    made[2].started_at = datetime(2026, 3, 15, 10, 0, tzinfo=CPH)  # moved back into March
    made[2].ended_at = made[2].started_at + timedelta(seconds=50)
    made[2].save()
    assert set(ContactMonth.objects.filter(contacts__gt=0).values_list("day", "contacts")) == {
        (date(2026, 3, 1), 3)
    }
    upserted = rollups.rollup_tables()
    rollups.months_fill()
    assert rollups.rollup_tables() == upserted
    _assert_in_step()


@pytest.mark.django_db
def test_contact_registration_counts_its_services_once(staff_user):
    """The contact service writes its service links with bulk_create (no signals) and
    refreshes the contact itself."""
    from borgerservice.contacts.services import ContactInput, contact_register

    service = Service.objects.exclude(department=None).order_by("pk").first()
    contact, _ = contact_register(
        user=staff_user,
        data=ContactInput(channel="phone", outcome="resolved", services=[service.code]),
    )
    row = ContactDay.objects.get(contacts__gt=0)
    assert (row.service, row.department, row.contacts) == (service.pk, service.department_id, 1)
    assert RollupFact.objects.get(source="contact", source_id=contact.pk).parts


@pytest.mark.django_db
def test_rebuild_replaces_the_rollups_by_the_recomputation():
    world = World(7)
    for maker in (world.contact, world.ticket, world.case, world.work, world.survey):
        for _ in range(5):
            maker()
    # A bulk load writes raw rows without signals...
    Contact.objects.bulk_create(
        [
            Contact(channel="letter", outcome="resolved", started_at=BASE + timedelta(days=i))
            for i in range(4)
        ]
    )
    assert rollups.rollup_check()["contact_day"] > 0
    # ... and ends with a rebuild.
    written = rollups.rollup_rebuild()
    assert written["facts"] == RollupFact.objects.count()
    _assert_in_step()


@pytest.mark.django_db
def test_upsert_sql_is_the_same_on_both_databases():
    """One statement per rollup row, ``ON CONFLICT ... DO UPDATE``: concurrent contacts add."""
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        rollups.rollup_refresh(source="contact", ids=[World(9).contact().pk])
    assert any("ON CONFLICT" in s and "DO UPDATE SET" in s for s in statements)


def test_percentiles_from_the_histogram_are_within_a_bin_of_the_exact_values():
    rng = random.Random(5)
    values = [rng.lognormvariate(5.5, 0.8) for _ in range(5000)]
    counts: dict[int, int] = {}
    for v in values:
        counts[bin_of(v)] = counts.get(bin_of(v), 0) + 1
    ordered = sorted(values)
    for q in (0.5, 0.9):
        exact = ordered[int(q * len(ordered))]
        estimate = percentile_from_bins(counts, q)
        assert abs(estimate - exact) <= 30 if exact < 600 else abs(estimate - exact) <= 300
    assert percentile_from_bins({}, 0.5) is None


@pytest.mark.django_db
def test_rollups_command_checks_and_rebuilds():
    import json
    from io import StringIO

    from django.core.management import CommandError, call_command

    World(11).contact()
    Contact.objects.bulk_create([Contact(channel="letter", outcome="resolved", started_at=BASE)])
    with pytest.raises(CommandError):
        call_command("rollups", "--check", stdout=StringIO())
    out = StringIO()
    call_command("rollups", "--rebuild", stdout=out)
    assert json.loads(out.getvalue())["rebuilt"]["contact_day"] >= 1
    out = StringIO()
    call_command("rollups", "--check", stdout=out)
    assert set(json.loads(out.getvalue())["differing_rows"].values()) == {0}


@pytest.mark.django_db
def test_a_survey_answer_follows_its_contact_when_the_contact_changes():
    """The answer is counted under its contact's channel, centre and service."""
    from borgerservice.analytics.models import SurveyDay

    started = datetime(2026, 3, 3, 10, 0, tzinfo=CPH)
    contact = Contact.objects.create(channel="phone", outcome="resolved", started_at=started)
    SurveyResponse.objects.create(contact=contact, score=4, answered_at=started)
    contact.channel = "walk_in"
    contact.save()
    ContactService.objects.create(contact=contact, service=Service.objects.order_by("pk").first())
    answer = SurveyDay.objects.get(answers__gt=0)
    assert (answer.channel, answer.service) == (
        "walk_in",
        Service.objects.order_by("pk").first().pk,
    )
    _assert_in_step()
