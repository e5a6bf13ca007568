"""On PostgreSQL: 50 agents asking for their next work item at the same moment never get the
same item, and concurrent pulls and pushes never take an agent past their limit on work in
progress or give an agent two open offers."""

from __future__ import annotations

from collections import Counter as Tally

import pytest
from django.db import connection
from django.db.models import Count

from borgerservice.queueing import work
from borgerservice.queueing.models import WorkItem
from borgerservice.queueing.workflow import WorkState
from tests.concurrency import load_reference_data, run_together

from .conftest import OPEN_AT
from .work_support import make_agent, make_queues, new_item

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


@pytest.fixture
def queues():
    load_reference_data()
    return make_queues()[0]


def agents(queues, count: int, prefix: str):
    users = []
    for n in range(count):
        user = make_agent(f"{prefix}-{n}", [queues["pas"]])
        work.agent_set_availability(user=user, available=True, at=OPEN_AT)
        users.append(user)
    return users


def test_50_agents_asking_at_once_never_share_an_item(queues):
    creator = make_agent("opretter", [queues["skat"]])
    for n in range(40):
        new_item(creator, subject=f"Mail {n}", received_at=OPEN_AT)
    team = agents(queues, 50, "agent")

    outcomes = run_together(
        [lambda user=user: work.work_next(user=user, at=OPEN_AT) for user in team]
    )
    assert [kind for kind, _ in outcomes].count("ok") == 50, outcomes
    got = [item.pk for _, item in outcomes if item is not None]
    # 40 items for 50 agents: every item to exactly one agent, ten agents get nothing.
    assert len(got) == len(set(got)) == 40
    offered = WorkItem.objects.filter(state=WorkState.OFFERED)
    assert offered.count() == 40
    assert offered.values("agent").distinct().count() == 40


def test_concurrent_pulls_and_pushes_respect_the_limit(queues, settings):
    settings.WORK_WIP_LIMIT = 2
    creator = make_agent("opretter", [queues["skat"]])
    items = [new_item(creator, subject=f"Mail {n}", received_at=OPEN_AT) for n in range(60)]
    team = agents(queues, 10, "agent")
    # Each agent already handles one item: room for one more.
    for user in team:
        item = work.work_next(user=user, at=OPEN_AT)
        work.work_accept(user=user, item_id=item.pk, at=OPEN_AT)

    def pull_and_accept(user):
        def run():
            item = work.work_next(user=user, at=OPEN_AT)
            return work.work_accept(user=user, item_id=item.pk, at=OPEN_AT) if item else None

        return run

    pulls = [pull_and_accept(user) for user in team for _ in range(2)]  # 20 threads
    pushes = [
        lambda item=item: work.work_offer_item(item_id=item.pk, at=OPEN_AT) for item in items[10:40]
    ]  # 30 threads
    outcomes = run_together(pulls + pushes)
    errors = [result for kind, result in outcomes if kind == "error"]
    # A pull may lose its offer to the limit (409) or find the pushed offer accepted by its
    # twin thread (409); nothing else may fail, and never the database's constraints.
    assert all(
        getattr(e, "code", None) in {"work.wip_limit", "work.bad_transition"} for e in errors
    ), errors
    held = Tally(
        dict(
            WorkItem.objects.filter(state__in=["offered", "in_progress"])
            .values("agent")
            .annotate(n=Count("pk"))
            .values_list("agent", "n")
        )
    )
    assert max(held.values()) <= 2
    assert sum(held.values()) == 20  # every agent filled exactly to the limit
    offers = Tally(WorkItem.objects.filter(state="offered").values_list("agent", flat=True))
    assert all(n == 1 for n in offers.values())
