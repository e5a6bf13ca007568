"""Keep the rollups in step with every save and delete of the rows they count.

Each handler names the source row whose contribution may have changed (a contact's service
link changes the contact's contribution, a case event the case's) and refreshes it in the
same transaction. Fixture loading (``raw``) is skipped: ``manage.py rollups --rebuild``
counts loaded rows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from .rollups import rollup_refresh

# (app label, model) → (source, attribute holding the source row's id)
TRACKED: dict[tuple[str, str], tuple[str, str]] = {
    ("contacts", "Contact"): ("contact", "pk"),
    ("contacts", "ContactService"): ("contact", "contact_id"),
    ("contacts", "SelfServiceLink"): ("link", "pk"),
    ("queueing", "Ticket"): ("ticket", "pk"),
    ("queueing", "CounterSession"): ("session", "pk"),
    ("queueing", "WorkItem"): ("work", "pk"),
    ("booking", "Booking"): ("booking", "pk"),
    ("cases", "Case"): ("case", "pk"),
    ("cases", "CaseEvent"): ("case", "case_id"),
    ("analytics", "SurveyResponse"): ("survey", "pk"),
}


_paused: ContextVar[frozenset[str]] = ContextVar("rollup_signals_paused", default=frozenset())


@contextlib.contextmanager
def rollup_signals_paused(*sources: str) -> Iterator[None]:
    """Skip the signal refreshes of ``sources`` inside the block: for a service that writes
    a row and its parts and then calls ``rollup_refresh`` once itself."""
    token = _paused.set(_paused.get() | frozenset(sources))
    try:
        yield
    finally:
        _paused.reset(token)


def _handler(source: str, attribute: str):
    def refresh(sender, instance, raw=False, **kwargs) -> None:
        if raw or source in _paused.get():
            return
        source_id = getattr(instance, attribute)
        if source_id is not None:
            rollup_refresh(source=source, ids=[source_id])

    return refresh


_handlers = []


def connect() -> None:
    for (app_label, model_name), (source, attribute) in TRACKED.items():
        model = apps.get_model(app_label, model_name)
        handler = _handler(source, attribute)
        _handlers.append(handler)  # signals hold weak references
        uid = f"analytics-rollup-{app_label}-{model_name}"
        post_save.connect(handler, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(handler, sender=model, dispatch_uid=uid + "-delete")
