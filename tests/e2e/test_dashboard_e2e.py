"""The management dashboard in Chromium: the analyst opens it, Chart.js draws every chart
from the embedded JSON (the CSP allows no inline script), the tables hold the same figures,
and axe finds no serious WCAG 2.1 AA problem.

The rollup rows are added to the server's database with ``manage.py shell``.
"""

from __future__ import annotations

import pytest

from .conftest import axe_violations, log_in, manage, screenshot

pytestmark = pytest.mark.e2e

SETUP = """
from datetime import timedelta
from django.utils import timezone
from borgerservice.analytics.models import ContactDay, ContactHour, SurveyDay
from borgerservice.analytics.rollups import months_fill
today = timezone.localdate()
rows, hours = [], []
for i in range(28):
    day = today - timedelta(days=i)
    for channel, n in (("phone", 40 + i), ("walk_in", 25), ("self_service", 30 + 2 * i)):
        rows.append(ContactDay(day=day, channel=channel, direction="inbound",
                               outcome="resolved", contacts=n))
        hours.append(ContactHour(day=day, weekday=day.weekday(), hour=14, channel=channel,
                                 contacts=n))
ContactDay.objects.filter(day__gte=today - timedelta(days=27)).delete()
ContactHour.objects.filter(day__gte=today - timedelta(days=27)).delete()
ContactDay.objects.bulk_create(rows)
ContactHour.objects.bulk_create(hours)
months_fill()
SurveyDay.objects.get_or_create(day=today, channel="phone", score=5, defaults={"answers": 12})
"""


@pytest.fixture(scope="module")
def rollups(server_url, server_env):
    manage(server_env, "shell", "-c", SETUP)


def test_the_analyst_sees_the_charts_drawn(page, server_url, rollups):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, server_url, "analyst")
    page.goto(f"{server_url}/management/dashboard/")
    if page.locator("#chart-channels").count() == 0:  # the Danish URL once translated
        page.goto(f"{server_url}/ledelsesinformation/oversigt/")
    page.wait_for_function(
        "() => window.borgerserviceCharts && window.borgerserviceCharts.channels"
    )
    drawn = page.evaluate(
        """() => Object.entries(window.borgerserviceCharts).map(([id, chart]) =>
            [id, chart instanceof Chart, chart.data.datasets.length])"""
    )
    ids = {item[0] for item in drawn}
    assert {"contacts_over_time", "channels", "heatmap", "first_contact_channel"} <= ids
    assert all(item[1] for item in drawn)  # every one a Chart instance
    datasets = {item[0]: item[2] for item in drawn}
    assert datasets["channels"] == 1 and datasets["contacts_over_time"] == 3
    assert datasets["heatmap"] == 7  # one line per weekday
    embedded = page.evaluate(
        "() => JSON.parse(document.getElementById('dashboard-data').textContent).charts.length"
    )
    assert page.locator("canvas[data-chart]").count() == embedded == len(drawn)
    phone = page.locator("#table-channels tbody tr", has_text="Telefon")
    assert phone.count() == 1
    assert not [e for e in errors if "Content Security Policy" in e]
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []
    screenshot(page, "dashboard-analyst")
