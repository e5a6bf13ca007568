"""The walk-in queue in Chromium, with axe on every page: a team lead makes a browser the
kiosk of a centre, a citizen takes a number there, a front-office agent signs in at a
counter, calls the number and serves the citizen, and the display (updated by htmx
polling) shows the number with the counter.

The server runs at real time, so the centre used (``QUEUE_CENTRE``) is open all day in the
e2e database (see ``conftest``). On a Danish public holiday the centre is closed whatever
its hours: the test then checks the kiosk's closed page and stops there.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import holidays
import pytest

from .conftest import QUEUE_CENTRE, axe_violations, log_in

pytestmark = pytest.mark.e2e

CLOSED_DAYS = ("06-05", "12-24", "12-31")  # DEADLINE_CLOSED_DAYS, the default setting


def _closed_today() -> bool:
    today = datetime.datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    return today in holidays.country_holidays("DK", years=today.year) or (
        today.strftime("%m-%d") in CLOSED_DAYS
    )


def _in_danish(page) -> None:
    """Pages are opened by their English address (stable whatever the translations) and
    then switched to Danish with the page's own language switch."""
    page.locator("a[hreflang=da]").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "da"


def _accessible(page, where: str) -> None:
    assert page.locator("h1").count() == 1, where
    assert axe_violations(page) == [], where


def test_kiosk_counter_and_display(browser, server_url):
    lead_context = browser.new_context(locale="da-DK")
    agent_context = browser.new_context(locale="da-DK")
    display_context = browser.new_context(locale="da-DK")
    try:
        _walk(server_url, lead_context, agent_context, display_context)
    finally:
        for context in (lead_context, agent_context, display_context):
            context.close()


def _walk(server_url, lead_context, agent_context, display_context) -> None:
    # The kiosk is refused until a team lead registers the browser.
    kiosk = lead_context.new_page()
    response = kiosk.goto(f"{server_url}/en/queues/{QUEUE_CENTRE}/kiosk/")
    assert response.status == 403
    _accessible(kiosk, "kiosk refused")

    # The team lead's overview of all centres, and registering this browser as the kiosk.
    log_in(kiosk, server_url, "teamlead")
    kiosk.goto(f"{server_url}/en/queues/")
    _in_danish(kiosk)
    _accessible(kiosk, "overview")
    register = kiosk.locator("form.queue-register").filter(
        has=kiosk.locator(f'input[name=centre][value="{QUEUE_CENTRE}"]')
    )
    register.locator("button[value=kiosk]").click()
    kiosk.wait_for_url(f"**/{QUEUE_CENTRE}/kiosk/")
    assert kiosk.locator(".portal-user").count() == 0  # no staff login on the kiosk
    _accessible(kiosk, "kiosk")

    if _closed_today():
        assert kiosk.locator(".queue-closed").is_visible()
        pytest.skip("a public holiday: the centres are closed, the kiosk says so")

    # A citizen asks for a message with a mistyped number: the error summary, no ticket.
    kiosk.locator("details.queue-notify summary").click()
    kiosk.fill("#notify_phone", "12")
    kiosk.locator("button.queue-choice").first.click()
    assert kiosk.locator("[data-module=error-summary]").is_visible()
    assert kiosk.input_value("#notify_phone") == "12"
    _accessible(kiosk, "kiosk with an error")
    kiosk.fill("#notify_phone", "")
    kiosk.fill("#notify_email", "borger@example.dk")
    kiosk.locator("button.queue-choice").first.click()
    kiosk.locator(".queue-receipt-code").wait_for()
    code = kiosk.locator(".queue-receipt-code").inner_text().strip()
    assert code.startswith("A")
    _accessible(kiosk, "receipt")

    # The display, public, before anybody is called.
    display = display_context.new_page()
    display.goto(f"{server_url}/en/queues/{QUEUE_CENTRE}/display/")
    _in_danish(display)
    assert display.locator("[aria-live=polite]").count() == 1
    _accessible(display, "display")

    # A front-office agent signs in at a counter covering queue A.
    counter = agent_context.new_page()
    log_in(counter, server_url, "frontoffice")
    counter.goto(f"{server_url}/en/queues/counter/?centre={QUEUE_CENTRE}")
    _in_danish(counter)
    _accessible(counter, "counter sign-in")
    counter.locator("input[name=counter]:not([disabled])").first.check()
    counter.locator("input[name=groups]").first.check()
    counter.locator("form[method=post] button.button-primary").click()
    counter.locator(".queue-current").wait_for()
    _accessible(counter, "counter workspace")
    waiting = counter.locator("#waiting-counts")
    assert waiting.get_attribute("hx-trigger") == "every 5s"

    # Call next: the citizen's number, also on the display (by htmx polling).
    counter.locator(".queue-current button.button-primary").click()
    counter.locator(".queue-current-code").wait_for()
    assert counter.locator(".queue-current-code").inner_text().strip() == code
    latest = display.locator(".queue-display-code")
    latest.wait_for(timeout=10_000)
    assert latest.inner_text().strip() == code
    counter_name = counter.locator("h1").inner_text().split("·")[0].strip()
    assert counter_name in display.locator(".queue-display-counter").inner_text()
    assert "borger@example.dk" not in display.content()
    _accessible(display, "display with a called number")

    # Start the service and finish it, registering the contact in one step.
    counter.locator(".queue-actions form").first.locator("button").click()
    counter.locator("#finish-heading").wait_for()
    _accessible(counter, "counter serving")
    counter.locator("#svc-stat-pas-og-koerekort").check()
    counter.locator("#could_be_digital").check()
    finish = counter.locator("section[aria-labelledby=finish-heading]")
    finish.locator("button.button-primary").click()
    counter.locator(".alert-success").wait_for()
    assert code in counter.locator(".alert-success").inner_text()
    assert counter.locator(".queue-current-code").count() == 0
    _accessible(counter, "counter after finishing")

    # The receipt page goes back to the start by itself (htmx), or by "New ticket".
    kiosk.locator(".queue-receipt-actions a.button-primary").click()
    kiosk.wait_for_url(f"**/{QUEUE_CENTRE}/kiosk/")
