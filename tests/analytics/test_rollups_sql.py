"""The set-based rebuild on PostgreSQL gives exactly the rollups and facts of the Python
recomputation, so the incremental refresh can carry on from it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection

from borgerservice.analytics import rollups
from borgerservice.analytics.models import RollupFact
from borgerservice.analytics.rollups_sql import DAY_ROLLUPS, rebuild_set_based
from borgerservice.contacts.models import Contact
from tests.analytics.test_rollups import CPH, random_world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def _edge_contacts() -> None:
    """Rows the random world may miss: local midnight and the DST changes (the UTC date
    differs), no service, a bin edge, a fractional second, a zero duration."""
    starts = [
        datetime(2026, 3, 28, 23, 59, 59, tzinfo=CPH),
        datetime(2026, 3, 29, 3, 30, tzinfo=CPH),  # just after the change to summer time
        datetime(2026, 10, 25, 0, 10, tzinfo=CPH),
        datetime(2026, 6, 1, 0, 0, tzinfo=CPH),
    ]
    lengths = [timedelta(seconds=30), timedelta(seconds=599.999), timedelta(0), None]
    Contact.objects.bulk_create(
        Contact(channel="phone", outcome="resolved", started_at=start,
                ended_at=None if length is None else start + length)
        for start in starts
        for length in lengths
    )  # fmt: skip


def _assert_equal_to_recomputation() -> None:
    expected, facts = rollups.rollup_recompute()
    tables = rollups.rollup_tables()
    for name in DAY_ROLLUPS:
        assert tables[name] == expected[name], name
    stored = {(f.source, f.source_id): f.parts for f in RollupFact.objects.all()}
    assert stored == {
        (source, pk): parts for source, rows in facts.items() for pk, parts in rows.items()
    }


@pytest.mark.parametrize("seed", [11, 12])
def test_set_based_rebuild_equals_the_recomputation(seed):
    random_world(seed)
    _edge_contacts()
    written = rebuild_set_based()
    assert written["facts"] == RollupFact.objects.count() > 0
    assert written["contact_day"] > 0 and written["case_day"] > 0
    _assert_equal_to_recomputation()


def test_rollup_rebuild_uses_it_and_fills_the_months():
    random_world(13)
    _edge_contacts()
    written = rollups.rollup_rebuild()
    assert written["contact_month"] > 0
    assert rollups.rollup_check() == dict.fromkeys(rollups.ROLLUPS, 0)


def test_the_incremental_refresh_carries_on_from_the_set_based_facts():
    world = random_world(14)
    rebuild_set_based()
    rollups.months_fill()
    for contact in Contact.objects.order_by("pk")[:5]:
        world.change(contact)
    world.contact()
    Contact.objects.order_by("-pk").first().delete()
    assert rollups.rollup_check() == dict.fromkeys(rollups.ROLLUPS, 0)
