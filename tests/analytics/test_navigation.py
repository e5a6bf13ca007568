"""The menu leads team leads and analysts to management information, and its pages to
each other; other roles don't get the link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.accounts.staff import ANALYST, FRONT_OFFICE, TEAM_LEAD, make_staff

PAGES = (
    "analytics:dashboard",
    "analytics:staffing-plan",
    "analytics:simulation",
    "analytics:portfolio",
)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [TEAM_LEAD, ANALYST])
def test_planners_have_the_menu_item_and_the_links_between_the_pages(client, role):
    client.force_login(make_staff(role))
    home = client.get(reverse("workspace:home")).content.decode()
    assert f'href="{reverse("analytics:dashboard")}"' in home
    assert "Ledelsesinformation" in home
    for name in PAGES:
        page = client.get(reverse(name))
        assert page.status_code == 200, name
        body = page.content.decode()
        for other in PAGES:
            assert f'href="{reverse(other)}"' in body
        assert f'href="{reverse(name)}" aria-current="page"' in body


@pytest.mark.django_db
def test_front_office_has_no_menu_item(client):
    client.force_login(make_staff(FRONT_OFFICE))
    home = client.get(reverse("workspace:home")).content.decode()
    assert reverse("analytics:dashboard") not in home
