"""Running calls at the same moment from several threads, each with its own connection."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_together(calls: list[Callable[[], object]]) -> list[tuple[str, object]]:
    """Start every call at once (a barrier); return ("ok", result) or ("error", exception)
    per call, in order. Each thread closes its database connections when done."""
    from django.db import connections

    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, object] | None] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except Exception as exc:  # returned to the test, which asserts on it
            outcomes[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes  # type: ignore[return-value]


def load_reference_data(*, case_types: bool = False) -> None:
    """Transactional tests start from a flushed database: load what they need."""
    from borgerservice.accounts.roles import roles_ensure
    from borgerservice.catalogue.services import catalogue_load_copenhagen

    catalogue_load_copenhagen()
    roles_ensure()
    if case_types:
        from borgerservice.cases.services import case_types_ensure

        case_types_ensure()
