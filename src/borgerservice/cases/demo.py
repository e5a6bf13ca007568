"""Demo cases for ``make demo``: a few hundred cases at every stage, so the inboxes, the
case page and the one view have something to show. Deterministic for a seed."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from borgerservice.citizens.models import Citizen
from borgerservice.core.channels import Channel

from . import workflow
from .calendar import add_working_days
from .models import Case, CaseType
from .services import case_create, case_extend, case_note_add, case_transition

S = workflow.Status
NOTES = (
    "Borgeren ringede og spurgte til sagen; oplyst forventet svartid.",
    "Mangler dokumentation for indtægt. Borgeren sender kontoudtog.",
    "Talt med borgeren i Borgerservice Amager; kopi af lejekontrakt modtaget.",
)


def demo_cases_create(*, count: int, seed: int = 2026, user=None) -> int:
    """Create ``count`` cases received over the last eight weeks, moved along the
    transition table to a random stage. Returns how many were created."""
    rng = random.Random(seed)
    types = list(CaseType.objects.select_related("service__department"))
    citizen_ids = list(Citizen.objects.order_by("id").values_list("id", flat=True)[:5000])
    if not types or not citizen_ids:
        return 0
    today = timezone.localdate()
    channels = [Channel.SELF_SERVICE, Channel.PHONE, Channel.WALK_IN, Channel.LETTER]
    made = 0
    for _index in range(count):
        case_type = rng.choice(types)
        received = today - timedelta(days=rng.randint(0, 56))
        case = case_create(
            user=user,
            case_type=case_type,
            citizen=Citizen.objects.get(pk=rng.choice(citizen_ids)),
            title=case_type.name_da,
            channel=rng.choice(channels),
            received_on=received,
        )
        _advance(case, rng, received, today, user)
        made += 1
    return made


def _advance(case: Case, rng: random.Random, received, today, user) -> None:
    day = received
    steps = rng.choices(
        [[], [S.IN_PROGRESS], [S.IN_PROGRESS, S.AWAITING_CITIZEN], [S.IN_PROGRESS, S.DECIDED]],
        weights=[3, 5, 2, 2],
    )[0]
    for step in steps:
        day = min(add_working_days(day, rng.randint(1, 4)), today)
        case_transition(user=user, case_id=case.pk, to_status=step, on=day)
    if S.IN_PROGRESS in steps and rng.random() < 0.5:
        case_note_add(user=user, case_id=case.pk, text=rng.choice(NOTES))
    if steps == [S.IN_PROGRESS] and rng.random() < 0.15:
        case_extend(
            user=user,
            case_id=case.pk,
            days=rng.randint(3, 10),
            reason="Afventer lægeerklæring",
            on=day,
        )
