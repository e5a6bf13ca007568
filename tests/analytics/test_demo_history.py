"""manage.py make_demo_history: volumes in proportion to the sources, the patterns of the
sources, the models' invariants, determinism, --replace and the refusals."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import F, Min
from django.utils import translation

from borgerservice.analytics import demo_history
from borgerservice.catalogue.models import AreaVolume

CPH = ZoneInfo("Europe/Copenhagen")
YEAR = 2026
SCALE = 0.002  # about 5,000 contacts, 600 cases, 1,200 tickets

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _after_the_year(settings):
    """The whole year lies in the past; DEMO is on."""
    settings.DEMO = True
    with time_machine.travel(datetime(YEAR + 1, 1, 20, 12, tzinfo=CPH), tick=False):
        yield


def run(*args: str, scale: float = SCALE) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command(
            "make_demo_history", "--year", str(YEAR), "--scale", str(scale), "--no-rollups",
            *args, stdout=out, skip_checks=True,
        )  # fmt: skip
    return out.getvalue()


def generated_contacts():
    from borgerservice.contacts.models import Contact

    return Contact.objects.filter(note=demo_history.marker(YEAR))


def generated_cases():
    from borgerservice.cases.models import Case

    return Case.objects.filter(number__startswith=demo_history.case_prefix(YEAR))


def expected(field: str) -> int:
    rows = AreaVolume.objects.filter(in_table2_total=True)
    latest = max(r.year for r in rows)
    return sum(round((getattr(r, field) or 0) * SCALE) for r in rows if r.year == latest)


def local(value: datetime) -> datetime:
    return value.astimezone(CPH)


def test_volumes_follow_table_2_and_the_channel_mix():
    from borgerservice.queueing.models import Ticket

    output = run()
    contacts = generated_contacts()
    # The areas' contacts as in 001 table 2 (2,475,006 × scale, areas rounded one by one).
    assert contacts.count() == expected("contacts")
    assert expected("contacts") == pytest.approx(2_475_006 * SCALE, abs=5)
    # The cases of table 2 (296,090), all areas with case types.
    assert generated_cases().count() == pytest.approx(296_090 * SCALE, rel=0.01)
    # Channel totals are 003 table 1: phone 49 %, personal 26 %, letter 14 %, digital 11 %.
    total = contacts.count()
    share = {k: v / total for k, v in Counter(contacts.values_list("channel", flat=True)).items()}
    assert share["phone"] == pytest.approx(0.49, abs=0.005)
    assert share["walk_in"] + share["outreach"] == pytest.approx(0.26, abs=0.005)
    assert share["letter"] == pytest.approx(0.14, abs=0.005)
    digital = share["email"] + share["self_service"] + share["chat_sms"]
    assert digital == pytest.approx(0.11, abs=0.005)
    # Every walk-in at a centre has its ticket; a few more citizens were called and absent.
    walk_ins = contacts.filter(channel="walk_in").count()
    tickets = Ticket.objects.filter(day__year=YEAR)
    assert tickets.filter(contact__isnull=False).count() == walk_ins
    no_shows = tickets.filter(state="no_show").count()
    assert 0.02 < no_shows / tickets.count() < 0.07
    # Every contact has its one service, and the summary names the tables and the total.
    from borgerservice.contacts.models import ContactService

    assert ContactService.objects.filter(contact__in=contacts).count() == total
    assert "contacts_contact" in output and "Total:" in output.splitlines()[-1]


def test_the_patterns_of_the_sources_hold():
    import holidays

    from borgerservice.booking.models import Booking
    from borgerservice.queueing.models import Ticket

    run()
    tickets = list(Ticket.objects.filter(day__year=YEAR).values_list("day", "drawn_at"))
    by_hour = Counter(local(drawn).hour for _day, drawn in tickets)
    # The walk-in peak is 14–16.
    top_two = {hour for hour, _n in by_hour.most_common(2)}
    assert top_two == {14, 15}
    assert set(by_hour) <= set(range(10, 18))
    # Saturday is quiet: per opening day far fewer than Monday–Thursday.
    per_weekday = Counter(day.weekday() for day, _drawn in tickets)
    open_days = Counter(day.weekday() for day in set(d for d, _x in tickets))
    per_day = {wd: per_weekday[wd] / open_days[wd] for wd in open_days}
    assert per_day[5] < 0.6 * min(per_day[wd] for wd in range(4))
    assert per_day[4] < max(per_day[wd] for wd in range(4))  # Friday lighter
    # Nothing at a centre on Sundays or public holidays; walk-ins within the opening hours.
    closed = set(holidays.country_holidays("DK", years=YEAR))
    at_centres = generated_contacts().filter(centre__isnull=False)
    for started, channel in at_centres.values_list("started_at", "channel"):
        day = local(started)
        assert day.weekday() != 6 and day.date() not in closed
        if channel == "walk_in":
            limit = 14 if day.weekday() == 5 else 18
            assert 10 <= day.hour < limit + 3  # served within the day (late tickets run on)
    assert not [t for t, _d in tickets if t.weekday() == 6 or t in closed]
    # Self-service may come at any hour, also on Sundays.
    self_service = generated_contacts().filter(channel="self_service", centre__isnull=True)
    assert self_service.exists()
    # No-shows of bookings in range, and most bookings were served.
    bookings = Booking.objects.filter(idempotency_key__startswith=demo_history.marker(YEAR))
    states = Counter(bookings.values_list("state", flat=True))
    assert sum(states.values()) >= 50
    assert 0.03 <= states["no_show"] / sum(states.values()) <= 0.13
    assert states["served"] > states["no_show"] + states["cancelled"]
    # Most contacts resolved at once; the other outcomes occur too.
    outcomes = Counter(generated_contacts().values_list("outcome", flat=True))
    assert outcomes["resolved"] / sum(outcomes.values()) > 0.7
    assert {"case", "handed_over", "appointment", "self_service"} <= set(outcomes)


def test_waits_service_times_sla_and_survey_are_realistic():
    from borgerservice.analytics.models import SurveyResponse
    from borgerservice.cases.models import CaseEvent
    from borgerservice.queueing.models import Ticket

    run()
    finished = Ticket.objects.filter(day__year=YEAR, state="finished")
    waits = sorted((t.called_at - t.drawn_at).total_seconds() for t in finished)
    service = sorted((t.finished_at - t.served_at).total_seconds() for t in finished)
    assert 120 < waits[len(waits) // 2] < 900  # median wait a few minutes
    assert 240 < service[len(service) // 2] < 720  # around the groups' 6–12 minutes
    peak = [(t.called_at - t.drawn_at).total_seconds() for t in finished
            if local(t.drawn_at).hour in (14, 15)]  # fmt: skip
    quiet = [(t.called_at - t.drawn_at).total_seconds() for t in finished
             if local(t.drawn_at).hour in (10, 17)]  # fmt: skip
    assert sum(peak) / len(peak) > 1.5 * sum(quiet) / len(quiet)
    # SLA: most cases decided by their due date, some late, a few complaints.
    cases = generated_cases()
    decided = dict(
        CaseEvent.objects.filter(case__in=cases, to_status="decided")
        .values("case_id")
        .annotate(first=Min("on"))
        .values_list("case_id", "first")
    )
    due = dict(cases.values_list("id", "due_on"))
    late = sum(1 for case_id, on in decided.items() if on > due[case_id])
    assert len(decided) > 0.8 * cases.count()
    assert 0 < late < 0.2 * len(decided)
    assert CaseEvent.objects.filter(case__in=cases, to_status="complaint").exists()
    # Survey answers skewed to 4–5.
    scores = Counter(
        SurveyResponse.objects.filter(contact__in=generated_contacts()).values_list(
            "score", flat=True
        )
    )
    answers = sum(scores.values())
    assert answers > 0.05 * generated_contacts().count()
    assert (scores[4] + scores[5]) / answers > 0.65
    assert set(scores) <= {1, 2, 3, 4, 5}


def test_the_invariants_of_the_models_hold():
    from borgerservice.booking.models import Booking
    from borgerservice.cases.models import CaseEvent
    from borgerservice.contacts.models import SelfServiceLink
    from borgerservice.queueing.models import Ticket, WorkItem

    run()
    cases = generated_cases()
    assert not cases.filter(at_risk_on__gt=F("due_on")).exists()
    assert not cases.filter(status="closed", closed_on__isnull=True).exists()
    assert not cases.exclude(status="closed").filter(closed_on__isnull=False).exists()
    assert not cases.filter(due_on__lt=F("received_on")).exists()
    # One 'created' event per case, first; the status is the last transition's.
    created = CaseEvent.objects.filter(case__in=cases, kind="created")
    assert created.count() == cases.count()
    for case in cases.prefetch_related("events")[:200]:
        events = list(case.events.all())
        assert events[0].kind == "created" and events[0].on == case.received_on
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert events[-1].to_status == case.status
        for before, after in itertools.pairwise(events):
            assert after.from_status == before.to_status
    # Tickets: numbered 1… per centre, day and group; times in order.
    tickets = Ticket.objects.filter(day__year=YEAR)
    assert not tickets.filter(called_at__lt=F("drawn_at")).exists()
    assert not tickets.filter(served_at__lt=F("called_at")).exists()
    assert not tickets.filter(finished_at__lt=F("called_at")).exists()
    runs: dict[tuple, list[int]] = {}
    for key in tickets.values_list("centre_id", "day", "group_id", "number"):
        runs.setdefault(key[:3], []).append(key[3])
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in runs.values())
    assert all(t.code.endswith(f"{t.number:03d}") for t in tickets[:100])
    # Booked tickets carry the booking; seats within the capacity.
    bookings = Booking.objects.filter(idempotency_key__startswith=demo_history.marker(YEAR))
    assert not bookings.filter(seat_number__gt=F("slot_capacity")).exists()
    assert not bookings.exclude(state="cancelled").filter(seat_number__isnull=True).exists()
    served = set(bookings.filter(state="served").values_list("id", flat=True))
    references = tickets.exclude(booking_reference=None).values_list("booking_reference", flat=True)
    assert served == set(references)
    # Work items done, handled after they came in; links used after they were sent.
    items = WorkItem.objects.filter(result_note=demo_history.marker(YEAR))
    assert items.exists() and not items.exclude(state="done").exists()
    assert not items.filter(first_handled_at__lt=F("received_at")).exists()
    links = SelfServiceLink.objects.filter(contact__in=generated_contacts())
    assert links.exists() and not links.filter(used_at__lt=F("sent_at")).exists()
    # Contacts: handed over ones name the unit, forwarded ones the authority.
    contacts = generated_contacts()
    assert not contacts.filter(outcome="handed_over", handed_over_to__isnull=True).exists()
    assert not contacts.filter(outcome="forwarded", forwarded_to="").exists()
    assert not contacts.filter(ended_at__lt=F("started_at")).exists()
    # The history stops before the live day.
    assert not contacts.filter(started_at__date__gte=date(YEAR + 1, 1, 1)).exists()


def signature() -> tuple:
    contacts = tuple(
        generated_contacts()
        .order_by("started_at", "channel", "id")
        .values_list("channel", "started_at", "outcome", "centre_id", "citizen_id", "staff_id")
    )
    cases = tuple(
        generated_cases()
        .order_by("received_on", "id")
        .values_list("received_on", "case_type_id", "status", "due_on", "caseworker_id")
    )
    return contacts, cases


def test_the_same_seed_gives_the_same_history_and_another_seed_another():
    run("--seed", "7")
    first = signature()
    run("--seed", "7", "--replace")
    assert signature() == first
    run("--seed", "8", "--replace")
    assert signature() != first


def test_replace_removes_only_generated_rows_and_refuses_without_it():
    from borgerservice.contacts.models import Contact

    run()
    count = generated_contacts().count()
    own = Contact.objects.create(channel="phone", outcome="resolved", note="a real contact")
    with pytest.raises(CommandError) as refused, translation.override("en"):
        run()
    assert "--replace" in str(refused.value)
    assert generated_contacts().count() == count
    # make demo runs it with --if-empty: nothing happens the second time.
    with translation.override("en"):
        assert "exists already" in run("--if-empty")
    assert generated_contacts().count() == count
    output = run("--replace")
    assert "Deleted the demo history of 2026" in output
    assert generated_contacts().count() == count
    assert Contact.objects.filter(pk=own.pk).exists()
    # Another year's history is left alone by the replace of this one.
    assert demo_history.history_exists(YEAR)
    assert not demo_history.history_exists(YEAR - 1)
    counts = demo_history.history_delete(YEAR)
    assert counts["contacts"] == count
    assert not demo_history.history_exists(YEAR)
    assert Contact.objects.filter(pk=own.pk).exists()


def test_refuses_without_demo_and_for_a_year_not_begun(settings):
    settings.DEMO = False
    with pytest.raises(CommandError) as refused:
        run()
    assert "DEMO" in str(refused.value)
    settings.DEMO = True
    out = StringIO()
    with pytest.raises(CommandError) as future, translation.override("en"):
        call_command("make_demo_history", "--year", str(YEAR + 2), "--no-rollups", stdout=out,
                     skip_checks=True)  # fmt: skip
    assert "has not begun" in str(future.value)
    assert not demo_history.history_exists(YEAR + 2)


def test_danish_refusal():
    with pytest.raises(CommandError) as refused, translation.override("da"):
        run("--scale", "0")
    assert str(refused.value)


def test_a_history_up_to_today_stops_the_day_before():
    with time_machine.travel(datetime(YEAR, 3, 2, 12, tzinfo=CPH), tick=False):
        run(scale=0.001)
        last = generated_contacts().order_by("-started_at").first().started_at
        assert local(last).date() < date(YEAR, 3, 2)
        assert generated_contacts().count() < 0.3 * round(2_475_006 * 0.001)
        assert not generated_cases().filter(received_on__gte=date(YEAR, 3, 2)).exists()


def test_the_rollups_are_rebuilt_from_the_generated_rows():
    from borgerservice.analytics.models import ContactDay, TicketHour
    from borgerservice.queueing.models import Ticket

    out = StringIO()
    call_command("make_demo_history", "--year", str(YEAR), "--scale", "0.0005", stdout=out,
                 skip_checks=True)  # fmt: skip
    assert "rollups" in out.getvalue()
    total = sum(ContactDay.objects.values_list("contacts", flat=True))
    assert total == generated_contacts().count()
    assert sum(TicketHour.objects.values_list("tickets", flat=True)) == Ticket.objects.count()
    _ = timedelta
