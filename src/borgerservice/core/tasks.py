"""One interface for background work: ``enqueue("name", **kwargs)``.

Tasks run after the surrounding transaction commits, so nothing is sent for work that
was rolled back. ``TASKS_BACKEND``:

- ``immediate`` (default; tests, demo): the task runs in-process right after commit.
- ``database``: the task is stored in the ``Task`` table in the same transaction and
  run by ``manage.py run_tasks`` workers, any number of them, on any machine; each task
  is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL and retried with
  back-off when it fails.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

REGISTRY: dict[str, Callable[..., None]] = {}
MAX_ATTEMPTS = 5


def task(name: str):
    """Register a function as a background task under ``name``."""

    def register(func: Callable[..., None]) -> Callable[..., None]:
        REGISTRY[name] = func
        return func

    return register


def enqueue(name: str, **kwargs) -> None:
    if name not in REGISTRY:
        raise KeyError(f"unknown task {name}")
    if settings.TASKS_BACKEND == "database":
        from .models import Task

        Task.objects.create(name=name, kwargs=kwargs)
        return
    transaction.on_commit(lambda: _run_now(name, kwargs))


def _run_now(name: str, kwargs: dict) -> None:
    try:
        REGISTRY[name](**kwargs)
    except Exception:  # a failing side effect must not break the request that caused it
        logger.exception("background task %s failed", name)


def run_pending(limit: int = 100) -> int:
    """Run up to ``limit`` due tasks from the database; returns how many were run."""
    from .models import Task

    done = 0
    while done < limit:
        with transaction.atomic():
            claimed = (
                Task.objects.select_for_update(skip_locked=True)
                .filter(state=Task.State.WAITING, run_after__lte=timezone.now())
                .order_by("run_after", "id")
                .first()
            )
            if claimed is None:
                return done
            claimed.attempts += 1
            try:
                with transaction.atomic():
                    REGISTRY[claimed.name](**claimed.kwargs)
            except Exception as exc:
                logger.exception("background task %s failed", claimed.name)
                claimed.last_error = repr(exc)[:2000]
                if claimed.attempts >= MAX_ATTEMPTS:
                    claimed.state = Task.State.FAILED
                    claimed.finished_at = timezone.now()
                else:
                    claimed.run_after = timezone.now() + timedelta(minutes=2**claimed.attempts)
            else:
                claimed.state = Task.State.DONE
                claimed.finished_at = timezone.now()
            claimed.save()
        done += 1
    return done
