"""Every read of personal data writes exactly one audit entry; the log cannot be changed."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from borgerservice.accounts.access import purpose_grant_reason
from borgerservice.accounts.audit import audit_entries_for_citizen, audit_record
from borgerservice.accounts.models import AuditEntry, AuditSubject
from borgerservice.api.auth import api_token_create
from tests.citizens.factories import CitizenFactory, RelationFactory

from .staff import AUDITOR, FRONT_OFFICE, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return make_staff(FRONT_OFFICE)


@pytest.fixture
def family():
    mother = CitizenFactory(first_name="Mette", last_name="Auditsen")
    child = CitizenFactory(first_name="Mads", last_name="Auditsen")
    RelationFactory(from_citizen=mother, to_citizen=child, kind="parent")
    return mother, child


def entries() -> int:
    return AuditEntry.objects.count()


def test_each_personal_data_read_writes_exactly_one_entry(client, clerk, family):
    mother, child = family
    client.force_login(clerk)
    token = api_token_create(user=clerk, name="test")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    before = entries()
    client.get("/borgere/", {"q": "Auditsen"})
    assert entries() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "search" and entry.citizen_count == 2
    assert set(AuditSubject.objects.filter(entry=entry).values_list("citizen_id", flat=True)) == {
        mother.pk,
        child.pk,
    }

    # Without a purpose the page asks for one and shows (and logs) nothing.
    before = entries()
    response = client.get(f"/borgere/{mother.pk}/")
    assert "Auditsen" not in response.content.decode()
    assert entries() == before

    client.post(f"/borgere/{mother.pk}/", {"reason": "the citizen called about a letter"})
    before = entries()
    response = client.get(f"/borgere/{mother.pk}/")
    assert response.status_code == 200 and "Mette Auditsen" in response.content.decode()
    assert entries() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "view" and entry.purpose_kind == "reason"
    assert "letter" in entry.purpose_text
    # The household shown on the page is part of the same entry.
    assert set(AuditSubject.objects.filter(entry=entry).values_list("citizen_id", flat=True)) == {
        mother.pk,
        child.pk,
    }

    before = entries()
    response = client.post(f"/borgere/{mother.pk}/cpr/", {"reason": "letter to the tax office"})
    assert mother.cpr[6:] in response.content.decode()
    assert entries() == before + 1
    assert AuditEntry.objects.order_by("-id").first().action == "reveal"

    for url in (f"/api/v1/citizens/{mother.pk}", f"/api/v1/citizens/{mother.pk}/contacts"):
        before = entries()
        assert client.get(url, **bearer).status_code == 200
        assert entries() == before + 1, url
        assert AuditEntry.objects.order_by("-id").first().channel == "api"

    before = entries()
    client.get("/api/v1/citizens", {"q": "Auditsen"}, **bearer)
    assert entries() == before + 1

    # Searches without results show no one and log nothing.
    before = entries()
    client.get("/borgere/", {"q": "Ingensteds"})
    assert entries() == before


def test_cpr_is_masked_on_every_page_until_revealed(client, clerk, family):
    mother, _child = family
    client.force_login(clerk)
    purpose_grant_reason(user=clerk, citizen_id=mother.pk, reason="the citizen called today")
    for url in ("/borgere/?q=Auditsen", f"/borgere/{mother.pk}/"):
        html = client.get(url).content.decode()
        assert mother.cpr_masked in html
        assert mother.cpr not in html
        assert f"{mother.cpr[:6]}-{mother.cpr[6:]}" not in html


def test_audit_log_cannot_be_changed(clerk, family):
    mother, _child = family
    audit_record(actor=clerk, action="view", what="test", citizen_ids=[mother.pk])
    entry = AuditEntry.objects.order_by("-id").first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(what="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditSubject.objects.filter(entry_id=entry.pk).update(citizen_id=0)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditsubject")
    assert AuditEntry.objects.get(pk=entry.pk).what == "test"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitioning is PostgreSQL only")
def test_audit_log_is_partitioned_by_month_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'accounts_auditentry'::regclass"
        )
        assert cursor.fetchone()[0] >= 13
        cursor.execute(
            "SELECT partstrat FROM pg_partitioned_table "
            "WHERE partrelid = 'accounts_auditsubject'::regclass"
        )
        assert cursor.fetchone()[0] == "r"


def test_audit_log_is_searchable_per_citizen_and_per_staff(client, clerk, family):
    mother, child = family
    audit_record(actor=clerk, action="view", what="one view", citizen_ids=[mother.pk])
    audit_record(actor=clerk, action="search", what="search", citizen_ids=[mother.pk, child.pk])
    assert [e.action for e in audit_entries_for_citizen(child.pk)] == ["search"]
    auditor = make_staff(AUDITOR)
    client.force_login(auditor)
    page = client.get("/revision/", {"cpr": mother.cpr}).content.decode()
    assert "one view" in page and clerk.username in page
    page = client.get("/revision/", {"staff": clerk.username}).content.decode()
    assert "search" in page
    body = client.get("/api/v1/audit", {"citizen_id": mother.pk}).json()
    assert body["count"] >= 2
    assert client.get("/api/v1/audit", {"actor": clerk.username}).json()["count"] >= 2


def test_partition_and_token_commands(django_user_model):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("audit_partitions", "--months-ahead", "2", stdout=out)
    assert "partition" in out.getvalue().lower()
    make_staff(FRONT_OFFICE, username="integrator")
    out = StringIO()
    call_command("create_api_token", "integrator", stdout=out)
    assert out.getvalue().startswith("bs_")


def test_authority_levels_follow_the_portfolio():
    from borgerservice.accounts.access import authority_level, portfolio_area_ids
    from borgerservice.catalogue.models import Service

    from .staff import SPECIALIST

    specialist = make_staff(SPECIALIST)
    pension = Service.objects.get(code="suf-folkepension")
    waste = Service.objects.get(code="mff-affald-raadgivning-r98-og-anmeldelse")
    assert authority_level(specialist, pension) == 3
    assert authority_level(specialist, waste) == 0
    assert pension.area_id in portfolio_area_ids(specialist)
    clerk = make_staff(FRONT_OFFICE, username="levels")
    assert authority_level(clerk, pension) == 2  # rule-based in the joint centre
    assert authority_level(clerk, Service.objects.get(code="btf-bbr")) == 1
