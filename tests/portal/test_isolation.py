"""A citizen never sees another citizen's case, document, letter or appointment: every
portal URL that names an object answers 404 for someone else's, and the staff API does
not open to a portal session."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from borgerservice.booking.models import Booking
from borgerservice.booking.workflow import State

pytestmark = pytest.mark.django_db

# Every portal URL that takes an object, with how to fill it from another citizen's data.
OBJECT_URLS = {
    "portal:case": lambda h: {"number": h.case.number},
    "portal:case_message": lambda h: {"number": h.case.number},
    "portal:case_document": lambda h: {"number": h.case.number, "version_id": h.version.pk},
    "portal:appointment_rebook": lambda h: {"code": h.booking.code},
    "portal:appointment_cancel": lambda h: {"code": h.booking.code},
    "portal:letter": lambda h: {"letter_id": h.letter.pk},
}
POST_ONLY = {"portal:case_message"}
# URLs with parameters that are not personal (public pages and the login flow).
PUBLIC_WITH_PARAMETERS = {"portal:guide_situation", "portal:service", "portal:link"}


def _portal_patterns_with_parameters() -> set[str]:
    resolver = get_resolver()
    names = set()
    portal = resolver.namespace_dict["portal"][1]
    for name, entries in portal.reverse_dict.items():
        if isinstance(name, str) and any(params for _bits, params in [entries[0][0]]):
            names.add(f"portal:{name}")
    return names


def test_every_portal_url_with_parameters_is_covered():
    assert _portal_patterns_with_parameters() == set(OBJECT_URLS) | PUBLIC_WITH_PARAMETERS


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_another_citizens_object_is_not_found(anna_client, anna, bo, name):
    url = reverse(name, kwargs=OBJECT_URLS[name](bo))
    post_only = name in POST_ONLY
    assert anna_client.get(url).status_code == (405 if post_only else 404)
    form = {"text": "hej", "slot": bo.booking.slot_id}
    assert anna_client.post(url, form).status_code in ((404,) if post_only else (404, 405))
    # ... and the citizen's own answers normally.
    own = reverse(name, kwargs=OBJECT_URLS[name](anna))
    assert anna_client.get(own).status_code == (405 if post_only else 200)


def test_another_citizens_booking_is_not_cancelled(anna_client, bo):
    url = reverse("portal:appointment_cancel", kwargs={"code": bo.booking.code})
    anna_client.post(url)
    assert Booking.objects.get(pk=bo.booking.pk).state == State.BOOKED


def test_an_internal_document_is_not_shown_to_the_party(anna_client, anna):
    url = reverse(
        "portal:case_document",
        kwargs={"number": anna.case.number, "version_id": anna.internal_version.pk},
    )
    assert anna_client.get(url).status_code == 404
    page = anna_client.get(reverse("portal:case", kwargs={"number": anna.case.number}))
    assert "Intern vurdering" not in page.content.decode()


def test_lists_show_only_the_citizens_own(anna_client, anna, bo):
    for name in ("portal:overview", "portal:cases", "portal:letters", "portal:appointments"):
        body = anna_client.get(reverse(name)).content.decode()
        assert bo.case.title not in body and bo.letter.subject not in body, name
        assert bo.booking.code not in body, name
    body = anna_client.get(reverse("portal:cases")).content.decode()
    assert anna.case.title in body


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases",
        "/api/v1/citizens?q=Bo",
        "/api/v1/bookings/{booking}",
        "/api/v1/cases/{case}",
        "/api/v1/contacts",
    ],
)
def test_a_portal_session_does_not_open_the_staff_api(anna_client, bo, path):
    path = path.format(booking=bo.booking.pk, case=bo.case.number)
    response = anna_client.get(path)
    assert response.status_code in (401, 403, 404, 405)
    assert bo.citizen.last_name not in response.content.decode()


def test_a_portal_session_does_not_open_staff_pages(anna_client, bo):
    for url in (
        reverse("citizens:search") + "?q=Bo",
        reverse("cases:inbox"),
        reverse("booking:day"),
    ):
        response = anna_client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_the_only_self_service_object_url_is_the_receipt():
    # Another citizen's receipt answers 404: tests/selfservice/test_journey.py.
    portal = get_resolver().namespace_dict["selfservice"][1]
    with_parameters = {
        name
        for name, entries in portal.reverse_dict.items()
        if isinstance(name, str) and entries[0][0][1]
    }
    assert with_parameters == {"receipt", "start", "check", "step"}
