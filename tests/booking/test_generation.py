"""Filling the booking horizon: the horizon in working days, the command, the task and the
admin action; idempotent, holidays closed, Saturdays open where the centre is."""

from __future__ import annotations

from datetime import date, time
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone, translation

from borgerservice.booking.models import Slot
from borgerservice.booking.services import horizon_end, slots_generate_all
from borgerservice.core.errors import ServiceError
from borgerservice.core.tasks import REGISTRY

from .conftest import NOW, make_template

pytestmark = pytest.mark.django_db


def _days() -> list[date]:
    return sorted({timezone.localdate(s.starts_at) for s in Slot.objects.all()})


def test_horizon_counts_working_days_only():
    # From Tuesday 1 December 2026: 24, 25 and 31 December and 1 January are not counted,
    # nor weekends.
    assert horizon_end(start=date(2026, 12, 1), days=1) == date(2026, 12, 1)
    assert horizon_end(start=date(2026, 12, 1), days=5) == date(2026, 12, 7)
    assert horizon_end(start=date(2026, 12, 21), days=5) == date(2026, 12, 29)
    assert horizon_end(start=date(2026, 12, 21), days=8) == date(2027, 1, 5)
    # Starting on a Saturday: the first working day is Monday.
    assert horizon_end(start=date(2026, 12, 5), days=1) == date(2026, 12, 7)
    with pytest.raises(ServiceError) as error:
        horizon_end(start=date(2026, 12, 1), days=0)
    assert error.value.code == "horizon_invalid"


def test_generate_all_covers_every_valid_template_across_christmas(centre, service):
    for weekday in range(6):
        make_template(centre, service, weekday=weekday, starts=time(10), ends=time(11))
    expired = make_template(
        centre, service, weekday=0, starts=time(15), ends=time(16), valid_to=date(2026, 11, 30)
    )
    created = slots_generate_all(days=8, today=date(2026, 12, 21))
    # 21 Dec – 5 Jan: the 24th, 25th, 31st and 1st are closed and Saturday the 26th is a
    # holiday; Saturday 2 January is open.
    assert _days() == [
        date(2026, 12, 21),
        date(2026, 12, 22),
        date(2026, 12, 23),
        date(2026, 12, 28),
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2027, 1, 2),
        date(2027, 1, 4),
        date(2027, 1, 5),
    ]
    assert created == 9 * 2
    assert not Slot.objects.filter(template=expired).exists()
    assert slots_generate_all(days=8, today=date(2026, 12, 21)) == 0
    assert Slot.objects.count() == 18


def test_horizon_setting_is_the_default(centre, service, settings):
    settings.BOOKING_HORIZON_DAYS = 2
    make_template(centre, service, weekday=2, starts=time(10), ends=time(11))
    make_template(centre, service, weekday=3, starts=time(10), ends=time(11))
    # Tuesday 1 December + 2 working days = up to Wednesday 2 December.
    assert slots_generate_all(today=date(2026, 12, 1)) == 2
    assert _days() == [date(2026, 12, 2)]


def test_command_is_idempotent_and_reports(centre, service):
    make_template(centre, service, weekday=2, starts=time(10), ends=time(11))
    make_template(centre, service, weekday=5, starts=time(10), ends=time(11))
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("booking_generate_slots", "--days", "5", stdout=out)
        assert "Created 4 new slots up to 2026-12-07" in out.getvalue()
        again = StringIO()
        call_command("booking_generate_slots", "--days", "5", stdout=again)
    assert "Created 0 new slots" in again.getvalue()
    assert _days() == [date(2026, 12, 2), date(2026, 12, 5)]


def test_command_refuses_a_bad_number_of_days():
    with translation.override("en"), pytest.raises(CommandError, match="at least 1"):
        call_command("booking_generate_slots", "--days", "0", stdout=StringIO())
    with translation.override("da"), pytest.raises(CommandError, match="mindst 1"):
        call_command("booking_generate_slots", "--days", "0", stdout=StringIO())


def test_the_task_fills_the_horizon(centre, service, settings):
    settings.BOOKING_HORIZON_DAYS = 5
    make_template(centre, service, weekday=2, starts=time(10), ends=time(11))
    with time_machine.travel(NOW, tick=False):
        REGISTRY["booking.generate_slots"]()
        assert Slot.objects.count() == 2
        REGISTRY["booking.generate_slots"](days=10)
    assert _days() == [date(2026, 12, 2), date(2026, 12, 9)]


def test_admin_action_generates_slots_for_the_chosen_templates(admin_client, centre, service):
    chosen = make_template(centre, service, weekday=2, starts=time(10), ends=time(11))
    other = make_template(centre, service, weekday=3, starts=time(10), ends=time(11))
    with time_machine.travel(NOW, tick=False):
        response = admin_client.post(
            reverse("admin:booking_slottemplate_changelist"),
            {"action": "generate_slots", "_selected_action": [chosen.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert Slot.objects.filter(template=chosen).exists()
    assert not Slot.objects.filter(template=other).exists()
    text = response.content.decode()
    assert "10 new slots up to" in text or "10 nye tider frem til" in text
