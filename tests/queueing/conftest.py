"""A centre with three queues (A, B inactive-free C) and two counters, at a fixed moment."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from borgerservice.catalogue.models import Service, ServiceCentre
from borgerservice.queueing.models import Counter, QueueGroup
from tests.accounts.staff import FRONT_OFFICE, make_staff

CPH = ZoneInfo("Europe/Copenhagen")
# A Tuesday, 11:00 in Copenhagen: the centres are open 10–18.
OPEN_AT = datetime(2026, 12, 1, 11, 0, tzinfo=CPH)


def make_centre(code: str = "indre-by"):
    centre = ServiceCentre.objects.get(code=code)
    groups = {
        prefix: QueueGroup.objects.create(
            centre=centre,
            code=f"q-{prefix.lower()}",
            prefix=prefix,
            name_da=f"Kø {prefix}",
            name_en=f"Queue {prefix}",
            sort_order=n,
        )
        for n, prefix in enumerate("ABC")
    }
    counters = [
        Counter.objects.create(centre=centre, code=f"skranke-{n}", name=f"Skranke {n}")
        for n in (1, 2)
    ]
    return centre, groups, counters


@pytest.fixture
def clock():
    with time_machine.travel(OPEN_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def place(db):
    return make_centre()


@pytest.fixture
def centre(place):
    return place[0]


@pytest.fixture
def groups(place):
    return place[1]


@pytest.fixture
def counters(place):
    return place[2]


@pytest.fixture
def agent(db):
    return make_staff(FRONT_OFFICE, username="skranke-agent")


@pytest.fixture
def agent2(db):
    return make_staff(FRONT_OFFICE, username="skranke-agent-2")


@pytest.fixture
def service_code(db) -> str:
    return Service.objects.order_by("code").first().code


def later(clock, minutes: float = 1) -> None:
    clock.shift(timedelta(minutes=minutes))
