"""The inbox of written inquiries in Chromium, with axe on every page: a citizen writes to us
on Min side and gets a receipt; a front-office agent opens the triage queue, accepts a
suggestion with one click (htmx swaps the row) and sees the message routed.

The server's database is the one ``conftest`` set up; the test adds what it needs there (a
catch-all work queue of the passport department and a waiting message with suggestions) with
``manage.py shell``, so it needs no trained triage model.
"""

from __future__ import annotations

import re
import uuid

import pytest

from .conftest import axe_violations, log_in, manage, screenshot

pytestmark = pytest.mark.e2e

SETUP = """
from datetime import timedelta
from django.utils import timezone
from borgerservice.catalogue.models import Service
from borgerservice.contacts.models import InboundMessage
from borgerservice.queueing.models import WorkQueue
service = Service.objects.get(code="stat-pas-og-koerekort")
others = list(Service.objects.exclude(department=service.department).order_by("code")[:2])
WorkQueue.objects.get_or_create(
    code="e2e-inbox-pas",
    defaults={{"name_da": "Pas (e2e)", "name_en": "Passports (e2e)",
               "department": service.department}},
)
InboundMessage.objects.create(
    kind="email", subject="{subject}", body="Jeg har mistet mit pas.\\n\\n> Tidligere svar",
    sender_name="Jens Hansen", sender_email="jens.hansen@example.dk",
    received_at=timezone.now() - timedelta(days=30),
    suggestions=[{{"code": service.code, "confidence": 0.64}},
                 {{"code": others[0].code, "confidence": 0.2}},
                 {{"code": others[1].code, "confidence": 0.06}}],
    confidence=0.64, model_version=1, triage_note="below_threshold",
)
"""


@pytest.fixture(scope="module")
def waiting_subject(server_url, server_env) -> str:
    subject = f"Mistet pas {uuid.uuid4().hex[:8]}"
    manage(server_env, "shell", "-c", SETUP.format(subject=subject))
    return subject


def _accessible(page) -> None:
    assert page.locator("h1").count() == 1, page.url
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def test_front_office_accepts_a_suggestion(page, server_url, waiting_subject):
    log_in(page, server_url, "frontoffice")
    page.goto(f"{server_url}/en/inbox/")
    _accessible(page)
    row = page.locator("tr", has_text=waiting_subject)
    assert row.count() == 1
    assert "j***@example.dk" in row.inner_text()
    assert "64 % sure" in row.inner_text()
    screenshot(page, "inbox-queue")
    row.locator("button", has_text="Accept").first.click()
    routed = page.locator("tr", has_text=waiting_subject)
    routed.locator("text=Suggestion accepted").wait_for()
    assert "Routed to" in routed.inner_text()
    assert routed.locator("button", has_text="Accept").count() == 0
    _accessible(page)
    routed.locator("a", has_text=waiting_subject).click()
    page.wait_for_url(re.compile(r".*/en/inbox/\d+/$"))
    screenshot(page, "inbox-message")
    assert page.locator("a[href*='/work/']").count() >= 1
    _accessible(page)
    page.goto(f"{server_url}/en/inbox/thresholds/")
    _accessible(page)
    screenshot(page, "inbox-thresholds")


def test_a_citizen_writes_to_us(page, server_url):
    page.goto(f"{server_url}/min-side/")
    page.click("text=Log ind på Min side")
    page.click("text=Log ind som demoborger")
    page.check("#citizen-0")
    page.click("button:has-text('Log ind')")
    page.wait_for_url(re.compile(r".*/min-side/overblik/$"))
    page.goto(f"{server_url}/en/my-page/write-to-us/")
    _accessible(page)
    page.click("button:has-text('Send the message')")
    assert page.locator(".alert-error").is_visible()  # nothing written
    _accessible(page)
    page.fill("#write-subject", "Sundhedskort")
    page.fill("#write-body", "Jeg har ikke fået mit nye sundhedskort efter flytningen.")
    page.click("button:has-text('Send the message')")
    page.wait_for_url(re.compile(r".*/write-to-us/sent/$"))
    assert "We have received your message" in page.locator("h1").inner_text()
    _accessible(page)
