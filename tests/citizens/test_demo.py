"""Demo citizens: valid and unique CPR numbers, consistent households, deterministic runs."""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from borgerservice.citizens.cpr import cpr_birth_date, cpr_normalise, cpr_sex
from borgerservice.citizens.demo import POSTCODES, demo_citizens_create
from borgerservice.citizens.models import Citizen, Relation

from .factories import CitizenFactory
from .test_cpr import mod11_ok

pytestmark = pytest.mark.django_db

ADDRESS = ("street", "house_number", "floor", "door", "postcode", "city")
YEAR = 365.25


def years_between(older: datetime.date, younger: datetime.date) -> float:
    return (younger - older).days / YEAR


@pytest.fixture
def demo_500():
    assert demo_citizens_create(count=500, seed=11) == 500
    return {c.pk: c for c in Citizen.objects.all()}


def test_creates_exactly_the_count_with_valid_unique_cprs(demo_500):
    citizens = demo_500
    assert Citizen.objects.count() == 500
    cprs = [c.cpr for c in citizens.values()]
    assert len(set(cprs)) == 500
    for citizen in citizens.values():
        assert cpr_normalise(citizen.cpr) == citizen.cpr
        assert citizen.birth_date == cpr_birth_date(citizen.cpr)
        assert citizen.sex == cpr_sex(citizen.cpr)
    failing = sum(not mod11_ok(cpr) for cpr in cprs)
    assert 0.05 * 500 <= failing <= 0.30 * 500


def test_partner_relations_are_mutual(demo_500):
    partners = set(
        Relation.objects.filter(kind=Relation.Kind.PARTNER).values_list(
            "from_citizen_id", "to_citizen_id"
        )
    )
    assert partners
    for a, b in partners:
        assert (b, a) in partners
    # Nobody has two partners.
    assert max(Counter(a for a, _b in partners).values()) == 1


def test_parents_are_older_and_children_live_at_home(demo_500):
    citizens = demo_500
    links = list(
        Relation.objects.filter(kind=Relation.Kind.PARENT).values_list(
            "from_citizen_id", "to_citizen_id"
        )
    )
    assert links
    today = timezone.localdate()
    for parent_id, child_id in links:
        parent, child = citizens[parent_id], citizens[child_id]
        assert years_between(parent.birth_date, child.birth_date) >= 15
        assert years_between(child.birth_date, today) < 18
    # Every citizen under 18 has a parent in the household.
    children = {child_id for _p, child_id in links}
    for citizen in citizens.values():
        if years_between(citizen.birth_date, today) < 18:
            assert citizen.pk in children


def test_household_members_share_the_address(demo_500):
    citizens = demo_500
    for a, b in Relation.objects.values_list("from_citizen_id", "to_citizen_id"):
        first, second = citizens[a], citizens[b]
        assert [getattr(first, f) for f in ADDRESS] == [getattr(second, f) for f in ADDRESS]


def test_addresses_and_attributes_look_like_copenhagen(demo_500):
    citizens = list(demo_500.values())
    places = {(code, city) for code, city, _w, _h in POSTCODES}
    today = timezone.localdate()
    for citizen in citizens:
        assert (citizen.postcode, citizen.city) in places
        assert citizen.street and citizen.house_number
        assert (citizen.floor == "") == (citizen.door == "")
        assert citizen.preferred_language in {"da", "en"}
        assert citizen.moved_in_on is not None
        assert citizen.birth_date <= citizen.moved_in_on <= today
        assert today - citizen.moved_in_on <= datetime.timedelta(days=3653)
        if citizen.deceased_on:
            assert citizen.moved_in_on <= citizen.deceased_on < today
        if citizen.phone:
            assert len(citizen.phone.replace(" ", "")) == 8
            assert citizen.phone.replace(" ", "").isdigit()
        if citizen.email:
            assert "@" in citizen.email
    adults = [c for c in citizens if years_between(c.birth_date, today) >= 18]
    assert sum(bool(c.phone) for c in adults) > 0.7 * len(adults)
    assert sum(bool(c.email) for c in adults) > 0.6 * len(adults)
    household_sizes = Counter(tuple(getattr(c, f) for f in ADDRESS) for c in citizens).values()
    assert max(household_sizes) <= 6


def test_a_second_run_adds_more_without_collisions():
    CitizenFactory.create_batch(5)
    assert demo_citizens_create(count=500, seed=3) == 500
    assert demo_citizens_create(count=500, seed=3) == 500
    assert Citizen.objects.count() == 1005
    assert Citizen.objects.values("cpr").distinct().count() == 1005


def test_same_seed_gives_same_citizens_on_an_empty_database():
    fields = ("cpr", "first_name", "last_name", "street", "house_number", "moved_in_on")
    assert not Citizen.objects.exists()
    demo_citizens_create(count=120, seed=42, batch_size=50)
    first = list(Citizen.objects.order_by("pk").values_list(*fields))
    Citizen.objects.all().delete()
    assert not Relation.objects.exists()
    demo_citizens_create(count=120, seed=42, batch_size=50)
    second = list(Citizen.objects.order_by("pk").values_list(*fields))
    assert first == second
    Citizen.objects.all().delete()
    demo_citizens_create(count=120, seed=43, batch_size=50)
    other = list(Citizen.objects.order_by("pk").values_list(*fields))
    assert [row[0] for row in other] != [row[0] for row in first]


def test_progress_is_reported_per_batch():
    calls = []
    demo_citizens_create(count=230, seed=1, batch_size=100, progress=lambda n, t: calls.append(n))
    assert calls[-1] == 230
    assert calls == sorted(calls)
    assert len(calls) == 3


def test_command_refuses_without_demo(settings):
    settings.DEMO = False
    with pytest.raises(CommandError, match="DEMO"):
        call_command("make_demo_citizens", "--count", "10")
    assert not Citizen.objects.exists()


def test_command_works_with_force(settings):
    settings.DEMO = False
    out = StringIO()
    call_command("make_demo_citizens", "--count", "25", "--force", "--seed", "5", stdout=out)
    assert Citizen.objects.count() == 25
    assert "Created 25 demo citizens" in out.getvalue()
    assert "seconds" in out.getvalue()


def test_command_works_with_demo_on(settings):
    settings.DEMO = True
    call_command("make_demo_citizens", "--count", "10", stdout=StringIO())
    assert Citizen.objects.count() == 10


def test_citizens_are_not_in_the_admin(admin_client):
    """Reading people in the admin would bypass need-to-know and the audit log."""
    assert admin_client.get("/admin/citizens/citizen/").status_code == 404
