"""Slot generation: holidays and days without opening hours closed, Saturdays open where the
centre is; idempotent; resources."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.utils import timezone

from borgerservice.booking.models import Resource, Slot
from borgerservice.booking.services import slots_generate
from borgerservice.catalogue.models import OpeningHours

from .conftest import make_template

pytestmark = pytest.mark.django_db


def _days(template) -> list[date]:
    return sorted({timezone.localdate(s.starts_at) for s in Slot.objects.filter(template=template)})


def test_christmas_and_new_year_closed(centre, service):
    thursdays = make_template(centre, service, weekday=3)
    fridays = make_template(centre, service, weekday=4)
    slots_generate(template=thursdays, start=date(2026, 12, 14), end=date(2027, 1, 8))
    slots_generate(template=fridays, start=date(2026, 12, 14), end=date(2027, 1, 8))
    # 24 and 31 December are closed days (setting), 25 December and 1 January holidays.
    assert _days(thursdays) == [date(2026, 12, 17), date(2027, 1, 7)]
    assert _days(fridays) == [date(2026, 12, 18), date(2027, 1, 8)]


def test_easter_closed(centre, service):
    thursdays = make_template(centre, service, weekday=3)
    slots_generate(template=thursdays, start=date(2027, 3, 15), end=date(2027, 4, 4))
    assert date(2027, 3, 25) not in _days(thursdays)  # Skærtorsdag
    assert _days(thursdays) == [date(2027, 3, 18), date(2027, 4, 1)]


def test_saturday_slots_where_the_centre_is_open_on_saturdays(centre, service):
    # Indre By is open 10-14 on Saturdays and closed on Sundays.
    assert OpeningHours.objects.filter(centre=centre, weekday=5).exists()
    assert not OpeningHours.objects.filter(centre=centre, weekday=6).exists()
    saturdays = make_template(centre, service, weekday=5)
    sundays = make_template(centre, service, weekday=6)
    assert slots_generate(template=saturdays, start=date(2026, 12, 1), end=date(2026, 12, 31)) == 12
    assert slots_generate(template=sundays, start=date(2026, 12, 1), end=date(2026, 12, 31)) == 0
    # 26 December (second day of Christmas) is a holiday, even on a Saturday.
    assert _days(saturdays) == [date(2026, 12, 5), date(2026, 12, 12), date(2026, 12, 19)]


def test_a_centre_without_saturday_hours_gets_no_saturday_slots(centre, service):
    OpeningHours.objects.filter(centre=centre, weekday=5).delete()
    template = make_template(centre, service, weekday=5)
    assert slots_generate(template=template, start=date(2026, 12, 1), end=date(2026, 12, 31)) == 0
    assert not Slot.objects.exists()


def test_easter_saturday_is_open_but_easter_monday_closed(centre, service):
    saturdays = make_template(centre, service, weekday=5)
    mondays = make_template(centre, service, weekday=0)
    for template in (saturdays, mondays):
        slots_generate(template=template, start=date(2027, 3, 22), end=date(2027, 4, 5))
    # Påskelørdag (27 March 2027) is not a public holiday; 2. påskedag (29 March) is.
    assert _days(saturdays) == [date(2027, 3, 27), date(2027, 4, 3)]
    assert _days(mondays) == [date(2027, 3, 22), date(2027, 4, 5)]


def test_slots_stay_within_opening_hours(centre, service):
    # The centre opens 10-18; a template of 8-12 and one of 16-20 are cut to it.
    morning = make_template(centre, service, weekday=2, starts=time(8), ends=time(12))
    evening = make_template(centre, service, weekday=2, starts=time(16), ends=time(20))
    for template in (morning, evening):
        slots_generate(template=template, start=date(2026, 12, 2), end=date(2026, 12, 2))
    times = [
        timezone.localtime(s.starts_at).strftime("%H:%M")
        for s in Slot.objects.order_by("starts_at")
    ]
    assert times == ["10:00", "10:30", "11:00", "11:30", "16:00", "16:30", "17:00", "17:30"]
    for slot in Slot.objects.all():
        assert (slot.ends_at - slot.starts_at).total_seconds() == 30 * 60


def test_a_slot_that_would_run_past_closing_is_not_made(centre, service):
    template = make_template(
        centre, service, weekday=2, starts=time(17), ends=time(19), duration_minutes=45
    )
    slots_generate(template=template, start=date(2026, 12, 2), end=date(2026, 12, 2))
    assert [timezone.localtime(s.starts_at).time() for s in Slot.objects.all()] == [time(17)]


def test_generation_is_idempotent(centre, service):
    template = make_template(centre, service, weekday=2, capacity=3)
    first = slots_generate(template=template, start=date(2026, 12, 1), end=date(2026, 12, 31))
    assert first == 4 * 5  # 5 Wednesdays, 10-12 in 30 minutes
    assert slots_generate(template=template, start=date(2026, 12, 1), end=date(2026, 12, 31)) == 0
    assert Slot.objects.count() == 20
    assert set(Slot.objects.values_list("capacity", flat=True)) == {3}
    # A longer range adds only the new days.
    assert slots_generate(template=template, start=date(2026, 12, 1), end=date(2027, 1, 13)) == 8


def test_validity_of_the_template(centre, service):
    template = make_template(
        centre, service, weekday=2, valid_from=date(2026, 12, 9), valid_to=date(2026, 12, 16)
    )
    slots_generate(template=template, start=date(2026, 12, 1), end=date(2026, 12, 31))
    assert _days(template) == [date(2026, 12, 9), date(2026, 12, 16)]


def test_one_slot_per_active_resource(centre, service):
    template = make_template(centre, service, weekday=2, ends=time(11))
    counter_1 = Resource.objects.create(centre=centre, kind="counter", name="Skranke 1")
    counter_2 = Resource.objects.create(centre=centre, kind="counter", name="Skranke 2")
    closed = Resource.objects.create(centre=centre, kind="counter", name="Skranke 3", active=False)
    template.resources.set([counter_1, counter_2, closed])
    assert slots_generate(template=template, start=date(2026, 12, 2), end=date(2026, 12, 2)) == 4
    assert set(Slot.objects.values_list("resource__name", flat=True)) == {"Skranke 1", "Skranke 2"}
    assert slots_generate(template=template, start=date(2026, 12, 2), end=date(2026, 12, 2)) == 0
