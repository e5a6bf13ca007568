"""Cases in Chromium: a specialist registers a contact that becomes a case, finds it on
the one view and in the unit inbox, opens the case page and writes a note — the inbox and
the case page without serious accessibility violations, in Danish and English."""

from __future__ import annotations

import re

import pytest

from .conftest import axe_violations, log_in

pytestmark = pytest.mark.e2e


def _open_a_citizen(page, server_url) -> str:
    """Find a demo citizen, give a purpose, and return the one view's address."""
    for prefix in ("Ha", "Je", "Ni", "Pe", "An", "La", "Ma", "Ch", "So", "Mo"):
        page.goto(f"{server_url}/borgere/?q={prefix}")
        if page.locator("table tbody tr td a").count():
            break
    page.locator("table tbody tr td a").first.click()
    page.fill("#reason", "Borgeren har søgt om helbredstillæg")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return page.url


def _case_from_a_contact(page, server_url) -> str:
    """Register a contact whose outcome is a case; return the case page's address."""
    one_view = _open_a_citizen(page, server_url)
    citizen_id = re.search(r"/borgere/(\d+)/", one_view).group(1)
    page.goto(f"{server_url}/henvendelser/ny/?citizen={citizen_id}")
    page.locator("#service_q").press_sequentially("helbredstillæg", delay=20)
    page.get_by_label("Helbredstillæg", exact=False).first.wait_for(timeout=5000)
    page.get_by_label("Helbredstillæg", exact=False).first.check()
    page.check("#outcome-case")
    page.click("main button[type=submit]:has-text('Registrér')")
    page.wait_for_load_state()
    summary = page.locator("[data-module=error-summary]")
    assert summary.count() == 0, summary.inner_text()
    # Back on the one view: the case is listed with a link to its page.
    link = page.locator("#cases-heading ~ table a").first
    link.wait_for(timeout=5000)
    href = link.get_attribute("href")
    assert re.fullmatch(r"/sager/[0-9-]+/", href), href
    return f"{server_url}{href}"


def test_inbox_and_case_page(page, server_url):
    log_in(page, server_url, "specialist")
    case_url = _case_from_a_contact(page, server_url)
    number = case_url.rstrip("/").rsplit("/", 1)[-1]

    # The inbox, in both languages, with and without filters.
    for path in ("/sager/", "/sager/?sla=on_track", "/sager/?mine=1", "/en/cases/"):
        response = page.goto(f"{server_url}{path}")
        assert response is not None and response.status == 200, path
        assert page.locator("h1").count() == 1, path
        assert axe_violations(page) == [], path
    # The case is in one of the specialist's units (newest cases are due last: filter).
    page.goto(f"{server_url}/sager/")
    unit_links = [
        a.get_attribute("href")
        for a in page.locator("nav[aria-label] .inbox-choice a").all()
        if "unit=" in (a.get_attribute("href") or "")
    ]
    inbox_url = None
    for href in unit_links:
        page.goto(f"{server_url}{href}&status=received&sla=on_track")
        if page.get_by_role("link", name=number, exact=True).count():
            inbox_url = page.url
            break
    assert inbox_url, "the new case is in none of the specialist's inboxes"
    # An invalid filter shows the error summary, still accessible.
    response = page.goto(f"{server_url}/sager/?status=nonsense")
    assert response.status == 400
    assert page.locator("[data-module=error-summary]").is_visible()
    assert axe_violations(page) == []

    # The case page from the inbox link.
    page.goto(inbox_url)
    page.get_by_role("link", name=number, exact=True).first.click()
    page.wait_for_url(case_url)
    assert number in page.locator("h1").inner_text()
    assert page.locator("html").get_attribute("lang") == "da"
    assert re.search(r"\d{6}-XXXX", page.locator("#case-parties").inner_text())
    assert axe_violations(page) == []

    # A note without text: the error summary, on the same page; then a real note.
    page.locator("#case-notes summary").click()
    page.click("#case-notes button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-module=error-summary]").is_visible()
    assert page.locator("#note_text").is_visible()
    assert axe_violations(page) == []
    page.fill("#note_text", "Borgeren ringede og spurgte til sagen.")
    page.click("#case-notes button[type=submit]")
    page.wait_for_url(f"{case_url}#case-notes")
    assert (
        page.locator("#case-notes")
        .get_by_text("Borgeren ringede og spurgte til sagen.")
        .is_visible()
    )
    assert axe_violations(page) == []

    # Every action form opened, then the English page.
    for summary in page.locator("main details summary").all():
        summary.click()
    assert axe_violations(page) == []
    page.goto(case_url.replace("/sager/", "/en/cases/"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith(f"Case {number}")
    assert axe_violations(page) == []
