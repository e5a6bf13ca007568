"""Citizens in Chromium: find, give a purpose, see the one view, register a contact, and the
audit log — every page without serious accessibility violations, in both languages."""

from __future__ import annotations

import pytest

from .conftest import axe_violations, log_in

pytestmark = pytest.mark.e2e


def test_front_office_flow(page, server_url):
    log_in(page, server_url, "frontoffice")
    page.goto(f"{server_url}/borgere/")
    assert page.locator("h1").inner_text() == "Find en borger"
    assert axe_violations(page) == []
    page.fill("#q", "x")
    page.click("main button[type=submit]")
    assert page.locator("[data-module=error-summary]").is_visible()
    assert axe_violations(page) == []
    for path in ("/sager/", "/sager/?sla=breached", "/en/cases/"):
        page.goto(f"{server_url}{path}")
        assert axe_violations(page) == [], path
    page.goto(f"{server_url}/henvendelser/ny/")
    assert axe_violations(page) == []
    page.locator("#service_q").press_sequentially("pas", delay=20)
    page.get_by_label("Pas og kørekort").wait_for(timeout=5000)
    assert axe_violations(page) == []


def test_purpose_view_and_register(page, server_url):
    log_in(page, server_url, "frontoffice")
    for prefix in ("Ha", "Je", "Ni", "Pe", "An", "La", "Ma", "Ch", "So", "Mo"):
        page.goto(f"{server_url}/borgere/?q={prefix}")
        if page.locator("table tbody tr").count():
            break
    assert page.locator("table tbody tr").count() > 0
    assert axe_violations(page) == []
    link = page.locator("table tbody tr td a").first
    name = link.inner_text()
    link.click()
    # No purpose yet: the page asks why and shows no personal data.
    assert page.locator("h1").inner_text() == "Hvorfor skal du åbne borgeren?"
    assert name not in page.content()
    page.click("main button[type=submit]")
    assert page.locator("[data-module=error-summary]").is_visible()
    assert axe_violations(page) == []
    page.fill("#reason", "Borgeren ringede om et brev om boligstøtte")
    page.click("main button[type=submit]")
    assert page.locator("h1").inner_text() == name
    assert axe_violations(page) == []
    page.locator("main").get_by_role("link", name="Registrér henvendelse").click()
    page.locator("#service_q").press_sequentially("boligstøtte", delay=20)
    page.get_by_label("Boligsikring", exact=False).first.check()
    page.click("main button[type=submit]:has-text('Registrér')")
    page.wait_for_load_state()
    summary = page.locator("[data-module=error-summary]")
    assert summary.count() == 0, summary.inner_text()
    assert page.locator("h1").inner_text() == name
    assert page.get_by_text("Henvendelsen er registreret.").is_visible()
    assert page.locator("#contacts-heading").is_visible()
    page.goto(page.url.replace("/borgere/", "/en/citizens/"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", ["/revision/", "/en/audit/"])
def test_auditor_pages(page, server_url, path):
    log_in(page, server_url, "auditor")
    page.goto(f"{server_url}{path}")
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []
    page.fill("#staff", "frontoffice")
    page.click("main button[type=submit]")
    assert axe_violations(page) == []
