"""Work-item routing: registering work, pulling and pushing offers, the agent's actions, the
routing's upkeep (expired offers, absent agents, overflow) and the database's guarantees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from borgerservice.accounts.models import AuditEntry
from borgerservice.contacts.models import Contact
from borgerservice.contacts.services import ContactInput, contact_register
from borgerservice.core.errors import NotFound, ServiceError
from borgerservice.queueing import work
from borgerservice.queueing.models import AgentPresence, WorkItem, WorkItemEvent
from borgerservice.queueing.workflow import WorkState
from tests.accounts.staff import TEAM_LEAD, make_staff
from tests.citizens.factories import CitizenFactory

from .conftest import later
from .work_support import make_agent, make_queues, new_item, service_centre_code


@pytest.fixture
def queues(db):
    return make_queues()[0]


@pytest.fixture
def services(db, queues):
    return list(queues["pas"].services.all()) + list(queues["skat"].services.all())


@pytest.fixture
def anna(queues, clock):
    user = make_agent("anna", [queues["pas"], queues["skat"]])
    work.agent_set_availability(user=user, available=True)
    return user


@pytest.fixture
def bo(queues, clock):
    user = make_agent("bo", [queues["pas"]])
    work.agent_set_availability(user=user, available=True)
    return user


@pytest.fixture
def lead(db):
    return make_staff(TEAM_LEAD, username="teamleder")


def actions(item) -> list[str]:
    return list(WorkItemEvent.objects.filter(item=item).values_list("action", flat=True))


# --- registering work -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"kind": "fax"}, "work.bad_kind", "kind"),
        ({"subject": "   "}, "work.subject_missing", "subject"),
        ({"subject": "x" * 201}, "work.subject_too_long", "subject"),
        ({"queue": "nope"}, "work.unknown_queue", "queue"),
        ({"queue": None}, "work.queue_missing", "queue"),
        ({"kind": "call_back"}, "work.phone_missing", "phone"),
        ({"kind": "call_back", "phone": "12ab"}, "work.bad_phone", "phone"),
        ({"reply_email": "not-an-address"}, "work.bad_email", "reply_email"),
        ({"cpr": "0101011234"}, "work.unknown_citizen", "cpr"),
        ({"centre": "atlantis"}, "work.unknown_centre", "centre"),
        ({"service": "no-such-service"}, "work.unknown_service", "service"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(anna, changes, code, field):
    data = {"kind": "email", "subject": "Pas", "queue": "pas", **changes}
    with pytest.raises(ServiceError) as raised:
        work.work_item_create(user=anna, data=work.WorkItemInput(**data))
    assert (raised.value.code, raised.value.field) == (code, field)
    assert WorkItem.objects.count() == 0
    assert WorkItemEvent.objects.count() == 0


def test_a_service_routes_the_item_to_the_queue_that_handles_it(anna, queues, services):
    item = new_item(anna, queue=None, service=services[2].code)
    assert item.queue == queues["skat"]
    assert item.state == WorkState.QUEUED
    assert actions(item) == ["create"]


def test_a_service_no_queue_handles_needs_a_queue(anna, queues):
    from borgerservice.catalogue.models import Service

    unrouted = Service.objects.exclude(work_queues__isnull=False).first()
    with pytest.raises(ServiceError) as raised:
        new_item(anna, queue=None, service=unrouted.code)
    assert raised.value.code == "work.no_queue_for_service"


def test_a_call_back_keeps_the_normalised_phone_number(anna):
    item = new_item(anna, kind="call_back", phone="33 66-33 66", subject="Ring mig op")
    assert item.phone == "33663366"
    assert item.kind == WorkItem.Kind.CALL_BACK


def test_the_same_idempotency_key_registers_one_item(anna):
    data = work.WorkItemInput(kind="web_message", subject="Flytning", queue="pas")
    first, created = work.work_item_create(user=anna, data=data, idempotency_key="k-1")
    again, created_again = work.work_item_create(user=anna, data=data, idempotency_key="k-1")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    other = work.WorkItemInput(kind="web_message", subject="Noget andet", queue="pas")
    with pytest.raises(ServiceError) as raised:
        work.work_item_create(user=anna, data=other, idempotency_key="k-1")
    assert raised.value.status == 409
    assert WorkItem.objects.count() == 1


# --- pull: the agent's next item --------------------------------------------------------------


def test_next_offers_the_oldest_item_of_the_agents_skills(bo, anna, clock):
    tax = new_item(anna, queue="skat", subject="Skat først")
    later(clock)
    first = new_item(anna, subject="Pas 1")
    later(clock)
    new_item(anna, subject="Pas 2")
    got = work.work_next(user=bo)
    # bo has only the passport skill: the older tax item is not his.
    assert got.pk == first.pk
    assert (got.state, got.agent) == (WorkState.OFFERED, bo)
    assert got.offer_expires_at == timezone.now() + timedelta(seconds=work.offer_seconds())
    # Asking again gives the same open offer, not a second one.
    assert work.work_next(user=bo).pk == first.pk
    assert WorkItem.objects.filter(agent=bo).count() == 1
    assert work.work_next(user=anna).pk == tax.pk


def test_next_is_refused_while_away_and_empty_when_nothing_waits(queues, clock):
    carl = make_agent("carl", [queues["pas"]])
    with pytest.raises(ServiceError) as raised:
        work.work_next(user=carl)
    assert (raised.value.code, raised.value.status) == ("work.not_available", 409)
    work.agent_set_availability(user=carl, available=True)
    assert work.work_next(user=carl) is None


def test_the_limit_on_work_in_progress_is_never_exceeded(bo, anna, clock, settings):
    settings.WORK_WIP_LIMIT = 2
    for n in range(4):
        new_item(anna, subject=f"Pas {n}")
    for _ in range(2):
        item = work.work_next(user=bo)
        work.work_accept(user=bo, item_id=item.pk)
    with pytest.raises(ServiceError) as raised:
        work.work_next(user=bo)
    assert (raised.value.code, raised.value.params) == ("work.wip_limit", {"limit": 2})
    assert work.wip_of(bo.pk) == 2
    # A personal limit overrides the default.
    AgentPresence.objects.filter(user=bo).update(wip_limit=3)
    assert work.work_next(user=bo).state == WorkState.OFFERED
    assert work.wip_of(bo.pk) == 3


def test_accept_starts_the_handling_once_and_release_keeps_the_first_time(bo, anna, clock):
    item = new_item(anna)
    received = item.received_at
    later(clock, 7)
    work.work_next(user=bo)
    with pytest.raises(ServiceError) as raised:
        work.work_accept(user=anna, item_id=item.pk)  # offered to bo, not to anna
    assert raised.value.code == "work.not_yours"
    item = work.work_accept(user=bo, item_id=item.pk)
    assert item.state == WorkState.IN_PROGRESS
    assert item.time_to_first_handling == timedelta(minutes=7)
    later(clock, 3)
    item = work.work_release(user=bo, item_id=item.pk, reason="Mangler viden")
    assert (item.state, item.agent, item.accepted_at) == (WorkState.QUEUED, None, None)
    assert item.first_handled_at == received + timedelta(minutes=7)
    work.work_next(user=anna)
    later(clock, 5)
    item = work.work_accept(user=anna, item_id=item.pk)
    assert item.first_handled_at == received + timedelta(minutes=7)
    assert item.handled_by == anna
    assert actions(item) == ["create", "offer", "accept", "release", "offer", "accept"]


def test_a_declined_item_is_not_offered_to_the_same_agent_again(bo, anna, clock):
    first = new_item(anna, subject="Første")
    later(clock)
    second = new_item(anna, subject="Anden")
    work.work_next(user=bo)
    declined = work.work_decline(user=bo, item_id=first.pk, reason="Inhabil")
    assert (declined.state, declined.agent) == (WorkState.QUEUED, None)
    assert work.work_next(user=bo).pk == second.pk
    # The push offers the declined item to someone else, never back to bo.
    assert work.work_offer_item(item_id=first.pk) == anna
    event = WorkItemEvent.objects.get(item=first, action="decline")
    assert (event.agent, event.note) == (bo, "Inhabil")


def test_finish_needs_an_outcome_and_a_case_for_a_case_outcome(bo, anna, clock):
    item = new_item(anna)
    work.work_next(user=bo)
    work.work_accept(user=bo, item_id=item.pk)
    for outcome, case_number, code in [
        ("", "", "work.bad_outcome"),
        ("case", "", "work.case_missing"),
        ("resolved", "2026-999999", "work.unknown_case"),
    ]:
        with pytest.raises(ServiceError) as raised:
            work.work_finish(user=bo, item_id=item.pk, outcome=outcome, case_number=case_number)
        assert raised.value.code == code
    item.refresh_from_db()
    assert item.state == WorkState.IN_PROGRESS
    later(clock, 4)
    item = work.work_finish(user=bo, item_id=item.pk, outcome="resolved", note="Svaret pr. mail")
    assert (item.state, item.agent, item.outcome) == (WorkState.DONE, None, "resolved")
    assert item.finished_at == timezone.now()
    assert item.handled_by == bo
    assert work.wip_of(bo.pk) == 0


def test_a_transition_the_table_does_not_allow_changes_nothing(bo, anna, clock):
    item = new_item(anna)
    work.work_next(user=bo)
    with pytest.raises(ServiceError) as raised:
        work.work_finish(user=bo, item_id=item.pk, outcome="resolved")
    assert (raised.value.code, raised.value.status) == ("work.bad_transition", 409)
    with pytest.raises(ServiceError):
        work.work_release(user=bo, item_id=item.pk)
    item.refresh_from_db()
    assert (item.state, item.agent) == (WorkState.OFFERED, bo)
    with pytest.raises(NotFound):
        work.work_accept(user=bo, item_id=999_999)


def test_only_a_team_lead_cancels_and_only_with_a_reason(bo, anna, lead, clock):
    item = new_item(anna)
    work.work_next(user=bo)
    with pytest.raises(ServiceError) as raised:
        work.work_cancel(user=bo, item_id=item.pk, reason="Spam")
    assert raised.value.status == 403
    with pytest.raises(ServiceError) as raised:
        work.work_cancel(user=lead, item_id=item.pk, reason=" ")
    assert raised.value.field == "reason"
    item = work.work_cancel(user=lead, item_id=item.pk, reason="Sendt to gange")
    assert (item.state, item.agent) == (WorkState.CANCELLED, None)
    assert WorkItemEvent.objects.get(item=item, action="cancel").agent == bo


# --- push: least loaded first, overflow to service-centre staff --------------------------------


def test_the_push_offers_the_least_loaded_agent_then_the_most_proficient(queues, anna, clock):
    expert = make_agent("ekspert", [queues["pas"]], level=3)
    novice = make_agent("novice", [queues["pas"]], level=1)
    for user in (expert, novice):
        work.agent_set_availability(user=user, available=True)
    held = new_item(anna, subject="Ekspertens")
    work.work_next(user=expert)
    work.work_accept(user=expert, item_id=held.pk)
    # anna (good, 0 held) beats the expert (1 held) and the novice (basic, 0 held).
    assert work.work_offer_item(item_id=new_item(anna, subject="a").pk) == anna
    # anna now has an open offer: the novice holds nothing, the expert one item.
    assert work.work_offer_item(item_id=new_item(anna, subject="b").pk) == novice
    # Everyone with room has an offer or holds more: the expert is next.
    assert work.work_offer_item(item_id=new_item(anna, subject="c").pk) == expert
    assert work.work_offer_item(item_id=new_item(anna, subject="d").pk) is None


def test_the_push_skips_agents_away_silent_or_at_their_limit(queues, anna, clock, settings):
    settings.WORK_WIP_LIMIT = 1
    silent = make_agent("stille", [queues["pas"]])
    work.agent_set_availability(user=silent, available=True)
    away = make_agent("fravaer", [queues["pas"]])
    work.agent_set_availability(user=away, available=False)
    held = new_item(anna, subject="Fyldt")
    work.work_next(user=anna)
    work.work_accept(user=anna, item_id=held.pk)
    later(clock, 10)  # past the heartbeat timeout of the silent agent (5 minutes)
    work.agent_heartbeat(user=anna)
    assert work.work_offer_item(item_id=new_item(anna).pk) is None


def test_items_overflow_to_service_centre_staff_after_the_threshold(queues, anna, clock):
    centre_staff = make_agent("skranke", [queues["pas"]], centre=service_centre_code())
    work.agent_set_availability(user=centre_staff, available=True)
    item = new_item(anna)
    work.agent_set_availability(user=anna, available=False)
    assert work.work_offer_item(item_id=item.pk) is None
    assert work.work_next(user=centre_staff) is None  # not theirs before the overflow
    later(clock, 29)
    work.agent_heartbeat(user=centre_staff)
    assert work.work_rebalance()["overflowed"] == 0
    later(clock, 2)
    work.agent_heartbeat(user=centre_staff)
    result = work.work_rebalance()
    assert (result["overflowed"], result["offered"]) == (1, 1)
    item.refresh_from_db()
    assert (item.state, item.agent) == (WorkState.OFFERED, centre_staff)
    assert item.overflowed_at == timezone.now()
    assert actions(item) == ["create", "overflow", "offer"]


def test_a_queue_without_threshold_never_overflows(queues, anna, clock):
    new_item(anna, queue="skat")
    later(clock, 24 * 60)
    assert work.work_overflow(now=timezone.now()) == 0


# --- upkeep: expired offers and absent agents ---------------------------------------------------


def test_an_expired_offer_goes_to_another_agent(bo, anna, clock):
    item = new_item(anna)
    work.work_next(user=bo)
    later(clock, 1)
    work.agent_heartbeat(user=anna)
    assert work.work_rebalance()["expired"] == 0
    later(clock, 1.5)
    work.agent_heartbeat(user=anna)
    work.agent_heartbeat(user=bo)
    result = work.work_rebalance()
    item.refresh_from_db()
    assert result["expired"] == 1
    assert (item.state, item.agent, item.offers) == (WorkState.OFFERED, anna, 2)
    assert actions(item) == ["create", "offer", "expire", "offer"]


def test_going_away_gives_offers_back_at_once_and_work_in_progress_after_a_while(bo, anna, clock):
    offered = new_item(anna, subject="Tilbudt")
    in_progress = new_item(anna, subject="I gang")
    work.work_next(user=bo)
    work.work_accept(user=bo, item_id=offered.pk)  # the oldest first
    work.work_next(user=bo)
    work.agent_set_availability(user=bo, available=False)
    in_progress.refresh_from_db()
    offered.refresh_from_db()
    assert (in_progress.state, in_progress.agent) == (WorkState.QUEUED, None)
    assert (offered.state, offered.agent) == (WorkState.IN_PROGRESS, bo)
    later(clock, 14)
    work.agent_heartbeat(user=anna)
    work.work_rebalance()
    offered.refresh_from_db()
    assert offered.agent == bo  # a short break: still bo's
    later(clock, 2)
    work.agent_heartbeat(user=anna)
    work.work_rebalance()
    offered.refresh_from_db()
    assert offered.state == WorkState.OFFERED and offered.agent == anna
    assert "reclaim" in actions(offered)


def test_an_agent_whose_heartbeat_stops_is_marked_away(bo, anna, clock):
    item = new_item(anna)
    work.work_next(user=bo)
    work.work_accept(user=bo, item_id=item.pk)
    last_seen = timezone.now()
    later(clock, 6)
    work.agent_heartbeat(user=anna)
    result = work.work_rebalance()
    presence = AgentPresence.objects.get(user=bo)
    assert result["marked_away"] == 1
    assert (presence.status, presence.status_since) == ("away", last_seen)
    # Away since the last heartbeat: 15 minutes after it, the item goes to anna.
    later(clock, 10)
    work.agent_heartbeat(user=anna)
    work.work_rebalance()
    item.refresh_from_db()
    assert item.agent == anna


# --- handed-over contacts ----------------------------------------------------------------------


def test_a_handed_over_contact_becomes_a_work_item_once(anna, queues):
    from borgerservice.cases.models import CaseType
    from borgerservice.catalogue.models import Department, Service

    # A service without a case type: the handover does not become a case.
    plain = Service.objects.exclude(pk__in=CaseType.objects.values("service_id")).first()
    queues["pas"].services.add(plain)
    services = [plain]
    citizen = CitizenFactory()
    department = Department.objects.filter(kind="current").first()
    contact, _created = contact_register(
        user=anna,
        data=ContactInput(
            channel="phone",
            outcome=Contact.Outcome.HANDED_OVER,
            services=[services[0].code],
            citizen_id=citizen.pk,
            handed_over_to=department.slug,
            note="Borgeren vil have en ny tid",
        ),
    )
    item = work.work_item_from_contact(user=anna, contact=contact)
    assert (item.kind, item.queue, item.citizen) == ("handover", queues["pas"], citizen)
    assert item.body == "Borgeren vil have en ny tid"
    assert work.work_item_from_contact(user=anna, contact=contact).pk == item.pk
    resolved, _created = contact_register(
        user=anna,
        data=ContactInput(channel="phone", outcome="resolved", services=[services[0].code]),
    )
    assert work.work_item_from_contact(user=anna, contact=resolved) is None
    assert WorkItem.objects.count() == 1


def test_a_handover_that_became_a_case_is_no_work_item(anna, queues):
    from borgerservice.cases.models import CaseType

    case_type = CaseType.objects.select_related("service").first()
    queues["pas"].services.add(case_type.service)
    contact, _created = contact_register(
        user=anna,
        data=ContactInput(
            channel="phone",
            outcome=Contact.Outcome.HANDED_OVER,
            services=[case_type.service.code],
            citizen_id=CitizenFactory().pk,
            handed_over_to=case_type.service.department.slug,
        ),
    )
    assert contact.cases.exists()
    assert work.work_item_from_contact(user=anna, contact=contact) is None


# --- audit and the database's guarantees ------------------------------------------------------


def test_changes_of_a_citizens_item_are_audited(bo, anna, clock):
    citizen = CitizenFactory()
    item = new_item(anna, citizen_id=citizen.pk)
    work.work_next(user=bo)
    work.work_accept(user=bo, item_id=item.pk)
    entries = AuditEntry.objects.filter(action="change", what__startswith=f"work item {item.pk}")
    assert [(e.actor_username, e.what.split(": ")[1]) for e in entries.order_by("id")] == [
        ("anna", "registered"),
        ("bo", "accepted"),
    ]


def test_the_database_refuses_an_offer_without_agent_and_two_offers_to_one_agent(anna, clock):
    item = new_item(anna)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkItem.objects.filter(pk=item.pk).update(
            state="offered", offered_at=timezone.now(), offer_expires_at=timezone.now()
        )
    other = new_item(anna, subject="To")
    work.work_next(user=anna)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkItem.objects.filter(pk=other.pk).update(
            state="offered",
            agent=anna,
            offered_at=timezone.now(),
            offer_expires_at=timezone.now(),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkItem.objects.filter(pk=other.pk).update(state="done", finished_at=timezone.now())


def test_the_upkeep_offers_a_decliner_the_next_item_instead(bo, anna, clock):
    work.agent_set_availability(user=anna, available=False)
    oldest = new_item(anna, subject="Ældst")
    later(clock)
    younger = new_item(anna, subject="Yngre")
    work.work_next(user=bo)
    work.work_decline(user=bo, item_id=oldest.pk)
    assert work.work_rebalance()["offered"] == 1
    younger.refresh_from_db()
    oldest.refresh_from_db()
    assert (younger.state, younger.agent) == (WorkState.OFFERED, bo)
    assert oldest.state == WorkState.QUEUED
