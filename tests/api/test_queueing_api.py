"""The /api/v1/queue endpoints: drawing and following a ticket, the queues of a centre, the
team-lead status, counter sessions, every ticket step, the public display feed, ticket facts
and hourly figures; errors as JSON with codes, access and the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from borgerservice.api.auth import api_token_create
from borgerservice.contacts.models import Contact
from borgerservice.queueing.models import CounterSession, Ticket
from borgerservice.queueing.services import counter_open, ticket_draw
from tests.accounts.staff import ANALYST, FRONT_OFFICE, TEAM_LEAD, make_staff
from tests.queueing.conftest import OPEN_AT, make_centre

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(OPEN_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def place():
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
def agent():
    return make_staff(FRONT_OFFICE, username="queue-agent")


@pytest.fixture
def api(client, agent):
    client.force_login(agent)
    return client


def post(client, path, data=None, **extra):
    return client.post(f"/api/v1{path}", data or {}, content_type="application/json", **extra)


def get(client, path, params=None, **extra):
    return client.get(f"/api/v1{path}", params or {}, **extra)


def later(clock, minutes=1):
    clock.shift(timedelta(minutes=minutes))


def sign_in(client, centre, counter="skranke-1", groups=("q-a",)):
    return post(
        client, "/queue/sessions", {"centre": centre.code, "counter": counter, "groups": groups}
    )


@pytest.fixture
def session_id(api, centre, counters):
    response = sign_in(api, centre)
    assert response.status_code == 201
    return response.json()["id"]


# --- tickets and queues ---------------------------------------------------------------------


def test_draw_and_follow_a_ticket(api, centre, groups, clock):
    first = post(api, "/queue/tickets", {"centre": centre.code, "group": "q-a"})
    assert first.status_code == 201
    assert first.json()["code"] == "A001" and first.json()["state"] == "waiting"
    assert first.json()["ahead"] == 0
    later(clock)
    second = post(api, "/queue/tickets", {"centre": centre.code, "group": "q-a"}).json()
    assert second["code"] == "A002" and second["ahead"] == 1
    # The default expected service time (8 minutes) and no counter open: 8 minutes.
    assert second["estimated_wait_minutes"] == 8
    detail = get(api, f"/queue/tickets/{second['id']}")
    assert detail.status_code == 200 and detail.json()["code"] == "A002"
    assert "citizen" not in detail.content.decode()
    assert get(api, "/queue/tickets/999999").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"centre": "nope", "group": "q-a"}, 404, "queue.unknown_centre"),
        ({"centre": "indre-by", "group": "nope"}, 404, "queue.unknown_group"),
        ({"centre": "indre-by"}, 400, "request.invalid"),
    ],
)
def test_draw_errors(api, groups, body, status, code):
    response = post(api, "/queue/tickets", body)
    assert response.status_code == status and response.json()["code"] == code
    assert not Ticket.objects.exists()


def test_draw_when_closed_or_inactive(api, centre, groups, clock):
    groups["C"].active = False
    groups["C"].save()
    inactive = post(api, "/queue/tickets", {"centre": centre.code, "group": "q-c"})
    assert inactive.status_code == 400 and inactive.json()["code"] == "queue.group_inactive"
    clock.move_to(OPEN_AT.replace(hour=20))
    api.force_login(make_staff(FRONT_OFFICE, username="evening"))
    closed = post(api, "/queue/tickets", {"centre": centre.code, "group": "q-a"})
    assert closed.status_code == 409 and closed.json()["code"] == "queue.centre_closed"
    assert not Ticket.objects.exists()


def test_drawing_needs_authentication(client, centre, groups):
    response = post(client, "/queue/tickets", {"centre": centre.code, "group": "q-a"})
    assert response.status_code == 401
    kiosk = make_staff(ANALYST, username="kiosk-device")
    key = api_token_create(user=kiosk, name="kiosk")
    drawn = post(
        client,
        "/queue/tickets",
        {"centre": centre.code, "group": "q-a"},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert drawn.status_code == 201


def test_groups_of_a_centre(api, centre, groups, counters, agent):
    for _n in range(3):
        ticket_draw(centre=centre, group=groups["A"])
    ticket_draw(centre=centre, group=groups["B"])
    counter_open(user=agent, counter=counters[0], groups=[groups["A"]])
    response = get(api, f"/queue/centres/{centre.code}/groups")
    assert response.status_code == 200
    items = {i["code"]: i for i in response.json()["items"]}
    assert list(items) == ["q-a", "q-b", "q-c"]
    assert (items["q-a"]["waiting"], items["q-a"]["open_counters"]) == (3, 1)
    assert items["q-a"]["estimated_wait_minutes"] == 24
    assert (items["q-b"]["waiting"], items["q-c"]["waiting"]) == (1, 0)
    assert get(api, "/queue/centres/nope/groups").status_code == 404
    assert get(api, f"/queue/centres/{centre.code}/groups", {"x": 1}).status_code == 400


def test_status_of_all_centres_is_for_team_leads(client, api, centre, groups, clock):
    ticket_draw(centre=centre, group=groups["A"])
    later(clock, 5)
    assert get(api, "/queue/status").status_code == 403
    client.force_login(make_staff(TEAM_LEAD))
    response = get(client, "/queue/status")
    assert response.status_code == 200
    row = next(i for i in response.json()["items"] if i["centre"] == centre.code)
    assert (row["waiting"], row["longest_wait_seconds"], row["counters_open"]) == (1, 300, 0)


# --- counter sessions and steps -------------------------------------------------------------


def test_open_and_close_a_session(api, agent, centre, counters, groups):
    response = sign_in(api, centre, groups=["q-a", "q-b"])
    assert response.status_code == 201
    body = response.json()
    assert (body["counter"], body["groups"], body["staff"]) == (
        "skranke-1",
        ["q-a", "q-b"],
        agent.username,
    )
    current = get(api, "/queue/sessions/current")
    assert current.status_code == 200 and current.json()["id"] == body["id"]
    again = sign_in(api, centre, counter="skranke-2")
    assert again.status_code == 409 and again.json()["code"] == "queue.already_signed_in"
    closed = post(api, f"/queue/sessions/{body['id']}/close")
    assert closed.status_code == 200 and closed.json()["closed_at"] is not None
    assert get(api, "/queue/sessions/current").status_code == 404
    twice = post(api, f"/queue/sessions/{body['id']}/close")
    assert twice.status_code == 409 and twice.json()["code"] == "queue.session_closed"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"centre": "indre-by", "counter": "nope", "groups": ["q-a"]},
            404,
            "queue.unknown_counter",
        ),
        (
            {"centre": "indre-by", "counter": "skranke-1", "groups": ["x"]},
            400,
            "queue.unknown_group",
        ),
        ({"centre": "indre-by", "counter": "skranke-1", "groups": []}, 400, "request.invalid"),
        (
            {"centre": "nope", "counter": "skranke-1", "groups": ["q-a"]},
            404,
            "queue.unknown_centre",
        ),
    ],
)
def test_session_errors(api, counters, body, status, code):
    response = post(api, "/queue/sessions", body)
    assert response.status_code == status and response.json()["code"] == code
    assert not CounterSession.objects.exists()


def test_sessions_need_a_person_role(client, centre, counters):
    client.force_login(make_staff(ANALYST))
    response = sign_in(client, centre)
    assert response.status_code == 403
    assert not CounterSession.objects.exists()


def test_only_the_staff_member_calls_at_their_counter(client, api, session_id, centre, groups):
    ticket_draw(centre=centre, group=groups["A"])
    client.force_login(make_staff(FRONT_OFFICE, username="someone-else"))
    response = post(client, f"/queue/sessions/{session_id}/call-next")
    assert response.status_code == 403 and response.json()["code"] == "queue.not_your_session"
    assert Ticket.objects.get().state == "waiting"
    assert post(api, "/queue/sessions/999999/call-next").status_code == 404


def test_a_ticket_from_call_to_finish(api, session_id, centre, groups, clock):
    nobody = post(api, f"/queue/sessions/{session_id}/call-next")
    assert nobody.status_code == 200 and nobody.json() == {"ticket": None}
    drawn = ticket_draw(centre=centre, group=groups["A"])
    later(clock, 4)
    called = post(api, f"/queue/sessions/{session_id}/call-next").json()["ticket"]
    assert (called["id"], called["state"], called["counter"]) == (drawn.pk, "called", "Skranke 1")
    busy = post(api, f"/queue/sessions/{session_id}/call-next")
    assert busy.status_code == 409 and busy.json()["code"] == "queue.counter_busy"
    recalled = post(api, f"/queue/tickets/{drawn.pk}/recall")
    assert recalled.status_code == 200 and recalled.json()["state"] == "called"
    assert Ticket.objects.get(pk=drawn.pk).recalls == 1
    later(clock)
    assert post(api, f"/queue/tickets/{drawn.pk}/serve").json()["state"] == "serving"
    later(clock, 3)
    assert post(api, f"/queue/tickets/{drawn.pk}/park").json()["state"] == "parked"
    later(clock, 2)
    assert post(api, f"/queue/tickets/{drawn.pk}/resume").json()["state"] == "serving"
    later(clock, 5)
    finished = post(
        api,
        f"/queue/tickets/{drawn.pk}/finish",
        {"outcome": "resolved", "services": ["stat-pas-og-koerekort"], "note": "Nyt pas"},
    )
    assert finished.status_code == 200
    body = finished.json()
    assert body["ticket"]["state"] == "finished"
    contact = Contact.objects.get(pk=body["contact_id"])
    assert contact.channel == "walk_in" and contact.note == "Nyt pas"
    ticket = Ticket.objects.get(pk=drawn.pk)
    assert ticket.parked_seconds == 120 and ticket.contact == contact
    again = post(api, f"/queue/tickets/{drawn.pk}/serve")
    assert again.status_code == 409 and again.json()["code"] == "queue.bad_transition"


def test_finish_with_a_bad_contact_changes_nothing(api, session_id, centre, groups):
    drawn = ticket_draw(centre=centre, group=groups["A"])
    post(api, f"/queue/sessions/{session_id}/call-next")
    post(api, f"/queue/tickets/{drawn.pk}/serve")
    unknown = post(
        api, f"/queue/tickets/{drawn.pk}/finish", {"outcome": "resolved", "services": ["nope"]}
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "contact.unknown_service"
    invalid = post(api, f"/queue/tickets/{drawn.pk}/finish", {"outcome": "x", "services": ["a"]})
    assert invalid.status_code == 400
    assert Ticket.objects.get(pk=drawn.pk).state == "serving"
    assert not Contact.objects.exists()


def test_no_show_and_transfer(api, session_id, centre, groups):
    first = ticket_draw(centre=centre, group=groups["A"])
    second = ticket_draw(centre=centre, group=groups["A"])
    post(api, f"/queue/sessions/{session_id}/call-next")
    gone = post(api, f"/queue/tickets/{first.pk}/no-show")
    assert gone.status_code == 200 and gone.json()["state"] == "no_show"
    post(api, f"/queue/sessions/{session_id}/call-next")
    moved = post(api, f"/queue/tickets/{second.pk}/transfer", {"to_group": "q-b"})
    assert moved.status_code == 201
    body = moved.json()
    assert body["code"] == "B001" and body["state"] == "waiting" and body["group"] == "q-b"
    assert Ticket.objects.get(pk=second.pk).state == "transferred"
    same = post(api, f"/queue/tickets/{body['id']}/transfer", {"to_group": "q-b"})
    assert same.status_code == 400 and same.json()["code"] == "queue.same_group"
    unknown = post(api, f"/queue/tickets/{body['id']}/transfer", {"to_group": "nope"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "queue.unknown_group"
    assert post(api, "/queue/tickets/999999/transfer", {"to_group": "q-b"}).status_code == 404


def test_steps_on_someone_elses_ticket_are_refused(client, api, session_id, centre, groups):
    drawn = ticket_draw(centre=centre, group=groups["A"])
    post(api, f"/queue/sessions/{session_id}/call-next")
    assert post(api, "/queue/tickets/999999/recall").status_code == 404
    # ``client`` is the same test client: now signed in as someone else.
    client.force_login(make_staff(FRONT_OFFICE, username="colleague"))
    for step in ("recall", "serve", "no-show"):
        response = post(client, f"/queue/tickets/{drawn.pk}/{step}")
        assert response.status_code == 403 and response.json()["code"] == "queue.not_your_ticket"
    client.force_login(make_staff(ANALYST))
    assert post(client, f"/queue/tickets/{drawn.pk}/serve").status_code == 403
    assert Ticket.objects.get(pk=drawn.pk).state == "called"


def test_resume_needs_a_counter(api, agent, session_id, centre, groups):
    drawn = ticket_draw(centre=centre, group=groups["A"])
    post(api, f"/queue/sessions/{session_id}/call-next")
    post(api, f"/queue/tickets/{drawn.pk}/serve")
    post(api, f"/queue/tickets/{drawn.pk}/park")
    post(api, f"/queue/sessions/{session_id}/close")
    response = post(api, f"/queue/tickets/{drawn.pk}/resume")
    assert response.status_code == 409 and response.json()["code"] == "queue.not_signed_in"
    assert Ticket.objects.get(pk=drawn.pk).state == "parked"


# --- display and statistics -----------------------------------------------------------------


def test_display_is_public_and_shows_no_person(client, api, session_id, centre, groups, clock):
    drawn = ticket_draw(centre=centre, group=groups["A"])
    post(api, f"/queue/sessions/{session_id}/call-next")
    client.logout()
    response = get(client, f"/queue/centres/{centre.code}/display")
    assert response.status_code == 200
    body = response.json()
    assert body["centre"] == centre.code
    assert [(i["code"], i["counter"]) for i in body["items"]] == [(drawn.code, "Skranke 1")]
    assert set(body["items"][0]) == {"code", "counter", "announced_at", "recalls"}
    assert get(client, f"/queue/centres/{centre.code}/display", {"limit": 0}).status_code == 400
    assert get(client, f"/queue/centres/{centre.code}/display", {"x": 1}).status_code == 400
    assert get(client, "/queue/centres/nope/display").status_code == 404


def _serve_one(api, session_id, centre, groups, clock):
    drawn = ticket_draw(centre=centre, group=groups["A"])
    later(clock, 6)
    post(api, f"/queue/sessions/{session_id}/call-next")
    post(api, f"/queue/tickets/{drawn.pk}/serve")
    later(clock, 10)
    post(
        api,
        f"/queue/tickets/{drawn.pk}/finish",
        {"outcome": "resolved", "services": ["stat-pas-og-koerekort"]},
    )
    return drawn


def test_ticket_facts_and_hourly_figures(client, api, session_id, centre, groups, clock):
    drawn = _serve_one(api, session_id, centre, groups, clock)
    client.force_login(make_staff(ANALYST))
    facts = get(client, "/queue/facts", {"day": "2026-12-01", "centre": centre.code})
    assert facts.status_code == 200
    [row] = facts.json()["items"]
    assert (row["ticket_id"], row["group"], row["hour"], row["state"]) == (
        drawn.pk,
        "q-a",
        11,
        "finished",
    )
    assert (row["wait_seconds"], row["service_seconds"]) == (360, 600)
    assert row["services"] == ["stat-pas-og-koerekort"]
    hourly = get(client, "/queue/stats/hourly", {"day": "2026-12-01"})
    assert hourly.status_code == 200
    [hour] = [h for h in hourly.json()["items"] if h["centre"] == centre.code]
    assert (hour["drawn"], hour["finished"], hour["median_wait_seconds"]) == (1, 1, 360)
    assert get(client, "/queue/facts").json()["count"] == 1  # today by default
    assert get(client, "/queue/facts", {"day": "2026-12-02"}).json()["count"] == 0
    assert get(client, "/queue/facts", {"day": "x"}).status_code == 400
    assert get(client, "/queue/facts", {"centre": "nope"}).status_code == 404
    assert get(client, "/queue/stats/hourly", {"hour": 1}).status_code == 400


def test_statistics_are_for_analysts_and_team_leads(api, client):
    assert get(api, "/queue/facts").status_code == 403
    assert get(api, "/queue/stats/hourly").status_code == 403
    client.force_login(make_staff(TEAM_LEAD))
    assert get(client, "/queue/facts").status_code == 200
    assert get(client, "/queue/stats/hourly").status_code == 200


def test_endpoints_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = [
        ("/api/v1/queue/tickets", "post"),
        ("/api/v1/queue/tickets/{ticket_id}", "get"),
        ("/api/v1/queue/centres/{centre}/groups", "get"),
        ("/api/v1/queue/status", "get"),
        ("/api/v1/queue/centres/{centre}/display", "get"),
        ("/api/v1/queue/sessions", "post"),
        ("/api/v1/queue/sessions/current", "get"),
        ("/api/v1/queue/sessions/{session_id}/close", "post"),
        ("/api/v1/queue/sessions/{session_id}/call-next", "post"),
        ("/api/v1/queue/facts", "get"),
        ("/api/v1/queue/stats/hourly", "get"),
    ] + [
        (f"/api/v1/queue/tickets/{{ticket_id}}/{step}", "post")
        for step in ("recall", "serve", "no-show", "park", "resume", "transfer", "finish")
    ]
    for path, method in expected:
        assert method in paths[path], path
    # The display is public; the rest needs a token or a session.
    assert not paths["/api/v1/queue/centres/{centre}/display"]["get"].get("security")
    assert paths["/api/v1/queue/tickets"]["post"]["security"]
