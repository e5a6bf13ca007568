"""Min side in Chromium: the citizen's journeys, axe on every page, screenshots.

Each journey saves a screenshot under ``E2E_SCREENSHOTS`` (default
``var/e2e-screenshots``), so a run leaves pictures of what the citizen saw.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from tests.e2e.conftest import axe_violations, screenshot

pytestmark = pytest.mark.e2e


def shot(page, name: str) -> Path:
    return screenshot(page, f"portal-{name}")


def no_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def demo_log_in(page, server_url: str, choice: int = 0) -> None:
    page.goto(f"{server_url}/min-side/")
    page.click("text=Log ind på Min side")
    page.click("text=Log ind som demoborger")
    page.check(f"#citizen-{choice}")
    page.click("button:has-text('Log ind')")
    page.wait_for_url(re.compile(r".*/min-side/overblik/$"))


@pytest.fixture
def citizen_page(page, server_url):
    demo_log_in(page, server_url)
    return page


def test_log_in_with_the_demo_login(page, server_url):
    page.goto(f"{server_url}/min-side/")
    no_violations(page)
    page.click("text=Log ind på Min side")
    no_violations(page)
    page.click("text=Log ind som demoborger")
    no_violations(page)
    page.check("#citizen-0")
    page.click("button:has-text('Log ind')")
    page.wait_for_url(re.compile(r".*/min-side/overblik/$"))
    assert page.locator("h1").inner_text().startswith("Velkommen")
    assert page.locator(".portal-user").is_visible()
    no_violations(page)
    shot(page, "login-overview")


PAGES = [
    "/min-side/overblik/",
    "/min-side/sager/",
    "/min-side/tidsbestilling/",
    "/min-side/tidsbestilling/ny/",
    "/min-side/henvendelser/",
    "/min-side/breve/",
    "/min-side/hvem-har-kigget/",
    "/min-side/mine-data/",
    "/min-side/indstillinger/",
    "/min-side/hvad-goer-jeg/",
    "/min-side/hvad-goer-jeg/?q=sundhedskort",
    "/min-side/tilgaengelighed/",
    "/min-side/cookies/",
]


def test_every_page_has_no_serious_axe_violations(citizen_page, server_url):
    page = citizen_page
    for path in PAGES:
        response = page.goto(f"{server_url}{path}")
        assert response.status == 200, path
        no_violations(page)
    # One case page, one letter and one service page, reached by their links.
    page.goto(f"{server_url}/min-side/sager/")
    links = page.locator("main table a, main .portal-list a")
    if links.count():
        links.first.click()
        page.wait_for_load_state()
        no_violations(page)
    page.goto(f"{server_url}/min-side/hvad-goer-jeg/?q=sundhedskort")
    page.locator("main .portal-list a").first.click()
    page.wait_for_load_state()
    no_violations(page)


def test_the_pages_work_on_a_phone(browser, server_url):
    context = browser.new_context(
        locale="da-DK", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        demo_log_in(page, server_url)
        no_violations(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375 + 1, "the overview scrolls sideways on a phone"
        shot(page, "phone-overview")
    finally:
        context.close()


def test_book_and_cancel_an_appointment(citizen_page, server_url):
    page = citizen_page
    page.goto(f"{server_url}/min-side/tidsbestilling/ny/")
    page.select_option("#service", index=1)
    page.click("button:has-text('Næste')")
    page.select_option("#centre", index=1)
    page.click("button:has-text('Vis ledige tider')")
    no_violations(page)
    page.locator("input[name=slot]").first.check()
    page.click("button:has-text('Book tiden')")
    page.wait_for_url(re.compile(r".*/min-side/tidsbestilling/$"))
    message = page.locator(".alert-success").inner_text()
    assert "booket" in message
    code = re.search(r"bookingkode er (\w+)", message).group(1)
    no_violations(page)
    shot(page, "booked")
    page.locator(f"a[href$='/{code}/aflys/']").click()
    no_violations(page)
    page.click("button:has-text('Ja, aflys tiden')")
    page.wait_for_url(re.compile(r".*/min-side/tidsbestilling/$"))
    assert "aflyst" in page.locator(".alert-success").inner_text()
    shot(page, "cancelled")


def test_download_my_data(citizen_page, server_url, tmp_path):
    page = citizen_page
    page.goto(f"{server_url}/min-side/mine-data/")
    no_violations(page)
    with page.expect_download() as info:
        page.click("button:has-text('Hent mine data')")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert "index.pdf" in archive.namelist()
    shot(page, "my-data")


def test_switch_to_english(citizen_page, server_url):
    page = citizen_page
    page.click(".language-switcher a[lang=en]")
    page.wait_for_url(re.compile(r".*/en/my-page/overview/$"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Welcome")
    assert page.locator("nav.navigation-menu").inner_text().count("My cases") == 1
    no_violations(page)
    shot(page, "english")


def test_the_timeout_warning_appears_and_keeps_the_session(browser, server_url):
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    try:
        demo_log_in(page, server_url)
        # Make the warning due now: a second copy of the script reads shorter figures.
        page.evaluate(
            """() => { const b = document.body;
                b.dataset.sessionSeconds = '3'; b.dataset.warningSeconds = '2'; }"""
        )
        page.add_script_tag(url=f"{server_url}/static/borgerservice/portal.js")
        dialog = page.locator("#session-timeout")
        dialog.wait_for(state="visible", timeout=5000)
        no_violations(page)
        shot(page, "timeout-warning")
        page.click("[data-keepalive]")
        dialog.wait_for(state="hidden", timeout=5000)
    finally:
        context.close()


FRIPLADS = "faf-oekonomisk-friplads"


def _apply(page, server_url: str, answers: dict[str, str]) -> None:
    """Go through the friplads application in English, answering by field name."""
    page.goto(f"{server_url}/en/my-page/apply/{FRIPLADS}/")
    no_violations(page)
    page.click("button:has-text('Start the application')")
    for _ in range(10):
        page.wait_for_load_state()
        if "/check/" in page.url:
            break
        no_violations(page)
        for name, value in answers.items():
            radio = page.locator(f'input[type=radio][name="{name}"][value="{value}"]')
            field = page.locator(f'input:not([type=radio])[name="{name}"], textarea[name="{name}"]')
            if radio.count() and radio.first.is_visible():
                radio.first.check()
            elif field.count() and field.first.is_visible():
                field.first.fill(value)
        page.click("main button:has-text('Next')")
    assert "/check/" in page.url
    no_violations(page)
    page.click("button:has-text('Send the application')")
    page.wait_for_url(re.compile(r".*/receipt/\d+/$"))
    no_violations(page)


def test_apply_with_an_instant_decision(citizen_page, server_url):
    page = citizen_page
    _apply(
        page,
        server_url,
        {
            "single_provider": "yes",
            "children_under_18": "2",
            "childcare_type": "municipal",
            "monthly_fee": "3000",
            "household_income": "150000",
            "income_needs_assessment": "no",
        },
    )
    body = page.locator("main").inner_text()
    assert "Case number" in body
    assert "Granted" in body and "How to complain" in body
    shot(page, "apply-instant-decision")


def test_apply_with_a_manual_outcome(citizen_page, server_url):
    page = citizen_page
    _apply(
        page,
        server_url,
        {
            "single_provider": "no",
            "partner_name": "Kim Demo",
            "children_under_18": "1",
            "childcare_type": "municipal",
            "household_income": "400000",
            "income_needs_assessment": "yes",
            "income_explanation": "Egen virksomhed med svingende indtægt.",
        },
    )
    body = page.locator("main").inner_text()
    assert "Sent to a caseworker" in body
    shot(page, "apply-manual")
    # The case is on "My cases", open, with the answers as a document.
    page.click("text=Go to the case")
    page.wait_for_load_state()
    assert page.locator("main .portal-list a").count() >= 1
    no_violations(page)
