"""The staff workplace in Chromium: every page of the shell in Danish and English, checked
with axe-core, and the search as you type."""

from __future__ import annotations

import pytest

from .conftest import axe_violations

pytestmark = pytest.mark.e2e

SERVICE = "ksr-folkeregister-flytteanmeldelser"

PAGES = {
    "da": [
        "/",
        "/?q=boligstotte",
        "/?q=zzzzqqq",
        "/?q=" + "x" * 250,
        f"/katalog/ydelse/{SERVICE}/",
        "/katalog/forvaltninger/",
        "/katalog/forvaltning/tmf/",
        "/katalog/forvaltning/2005-faf/",
        "/katalog/centre/",
        "/tilgaengelighed/",
        "/katalog/ydelse/findes-ikke/",
    ],
    "en": [
        "/en/",
        "/en/?q=health+card",
        f"/en/catalogue/service/{SERVICE}/",
        "/en/catalogue/departments/",
        "/en/catalogue/department/tmf/",
        "/en/catalogue/centres/",
        "/en/accessibility/",
        "/en/catalogue/service/does-not-exist/",
    ],
}


@pytest.mark.parametrize("language", ["da", "en"])
def test_login_page_is_accessible(page, server_url, language):
    path = "/en/login/" if language == "en" else "/log-ind/"
    page.goto(f"{server_url}{path}")
    assert page.locator("html").get_attribute("lang") == language
    assert axe_violations(page) == []
    # A failed login shows the DKFDS error summary, still without violations.
    page.fill("#id_username", "frontoffice")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert page.locator("[data-module=error-summary]").is_visible()
    assert axe_violations(page) == []


@pytest.mark.parametrize("language", ["da", "en"])
def test_pages_have_no_serious_accessibility_violations(logged_in_page, server_url, language):
    page = logged_in_page
    for path in PAGES[language]:
        response = page.goto(f"{server_url}{path}")
        assert response is not None and response.status in (200, 400, 404), path
        assert page.locator("html").get_attribute("lang") == language, path
        assert page.locator("h1").count() == 1, path
        assert axe_violations(page) == [], path


def test_search_as_you_type(logged_in_page, server_url):
    page = logged_in_page
    page.goto(f"{server_url}/")
    page.locator("#q").press_sequentially("sundhedskort", delay=30)
    results = page.locator("#search-results")
    results.get_by_text("Folkeregister (nyt sygesikringskort)").wait_for(timeout=5000)
    # The address follows the search so the result can be shared and reloaded.
    assert "q=sundhedskort" in page.url
    # Focus stays in the search field while typing.
    assert page.evaluate("document.activeElement.id") == "q"
    page.locator("#q").fill("p-bøde")
    results.get_by_text("Klager over p-afgift").wait_for(timeout=5000)
    results.get_by_role("link", name="Klager over p-afgift").click()
    page.wait_for_url("**/katalog/ydelse/**")
    assert page.locator("h1").inner_text() == "Klager over p-afgift"


def test_language_switch(logged_in_page, server_url):
    page = logged_in_page
    page.goto(f"{server_url}/katalog/forvaltninger/")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(f"{server_url}/en/catalogue/departments/")
    assert page.locator("h1").inner_text() == "Departments"
    page.get_by_role("link", name="Dansk").click()
    page.wait_for_url(f"{server_url}/katalog/forvaltninger/")


def test_catalogue_administration_and_api_docs_are_accessible(page, server_url):
    page.goto(f"{server_url}/admin/login/")
    page.fill("#id_username", "redaktor")
    page.fill("#id_password", "demo-redaktor")
    page.click("input[type=submit]")
    page.wait_for_url(f"{server_url}/admin/")
    for path in (
        "/admin/",
        "/admin/catalogue/service/",
        "/admin/catalogue/service/?q=pas",
        "/admin/catalogue/department/",
        "/admin/catalogue/servicecentre/",
        "/admin/cases/casetype/",
        "/admin/cases/casetype/?q=helbredstill",
    ):
        page.goto(f"{server_url}{path}")
        assert axe_violations(page) == [], path
    page.goto(f"{server_url}/admin/cases/casetype/?q=helbredstill")
    page.get_by_role("link", name="Helbredstillæg").first.click()
    assert axe_violations(page) == [], "case type change form"
    page.goto(f"{server_url}/admin/catalogue/service/?q=pas")
    page.get_by_role("link", name="Pas og kørekort").click()
    assert axe_violations(page) == [], "service change form"
    for path in ("/api-dokumentation/", "/en/api-documentation/"):
        page.goto(f"{server_url}{path}")
        assert axe_violations(page) == [], path


def test_pages_break_no_content_security_policy_rule(logged_in_page, server_url):
    page = logged_in_page
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    for path in ("/", "/?q=pas", "/katalog/forvaltninger/", "/borgere/", "/henvendelser/ny/"):
        page.goto(f"{server_url}{path}")
    page.goto(f"{server_url}/")
    page.locator("#q").press_sequentially("skrald", delay=20)
    page.locator("#search-results").get_by_text("Affald").first.wait_for(timeout=5000)
    assert violations == []


def test_staff_administration_is_accessible(page, server_url):
    page.goto(f"{server_url}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "demo-admin")
    page.click("input[type=submit]")
    page.wait_for_url(f"{server_url}/admin/")
    page.goto(f"{server_url}/admin/auth/user/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="frontoffice").click()
    assert axe_violations(page) == [], "user change form with profile and authorities"
