"""Background tasks of work-item routing.

- ``queueing.work_offer`` (item_id): offer one waiting item to the best available agent;
  enqueued when an item arrives or comes back to its queue.
- ``queueing.work_fill`` (user_id): offer an agent with room their next item; enqueued when
  the agent becomes available or finishes an item.
- ``queueing.work_rebalance``: the periodic upkeep (expired offers, absent agents, overflow
  to service-centre staff, offering the backlog). Run it every minute: ``manage.py
  work_rebalance --every 60``, or ``manage.py enqueue_task queueing.work_rebalance`` from cron.

This module must be imported at start-up (``QueueingConfig.ready``) so the tasks are
registered in every process; ``work.py`` also imports it before it enqueues.
"""

from __future__ import annotations

from borgerservice.core.tasks import task

from . import work


@task("queueing.work_offer")
def work_offer(*, item_id: int) -> None:
    work.work_offer_item(item_id=item_id)


@task("queueing.work_fill")
def work_fill(*, user_id: int) -> None:
    work.work_fill(user_id=user_id)


@task("queueing.work_rebalance")
def work_rebalance() -> None:
    work.work_rebalance()
