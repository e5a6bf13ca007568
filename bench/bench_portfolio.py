"""The portfolio analysis: table 2 with the five-principle assessment, the savings path
against realised benefits, the cost per channel over a year of contact rollups, and the
portfolio page.

Loads the catalogue (001's area volumes), inserts a year of synthetic ``ContactDay`` rows
(about 100,000: 365 days × 7 channels × 3 outcomes × 13 services) and a realised benefit per
area and year, then times each computation (best of several runs, and p50/p95) and the page
through Django's full request stack (the test client, logged in as an analyst).
"""

from __future__ import annotations

import datetime as dt
import random
import time

from common import percentile, report, setup_django, summarise

RUNS = 30
PAGE_REQUESTS = 60
YEAR = 2026


def _timed(function, runs: int = RUNS) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    vendor = setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from borgerservice.accounts.roles import ANALYST, roles_ensure
    from borgerservice.analytics import portfolio
    from borgerservice.analytics.models import ContactDay
    from borgerservice.analytics.portfolio_services import benefit_record
    from borgerservice.catalogue.models import ServiceArea

    report("portfolio_on_postgresql", 1 if vendor == "postgresql" else 0, "bool")
    roles_ensure()
    rng = random.Random(20261202)
    channels = ["phone", "walk_in", "letter", "email", "self_service", "chat_sms", "outreach"]
    rows = []
    day = dt.date(YEAR, 1, 1)
    while day.year == YEAR:
        for channel in channels:
            for outcome in ("resolved", "referred", "callback"):
                for service in range(1, 14):
                    rows.append(
                        ContactDay(
                            day=day,
                            channel=channel,
                            direction="in",
                            outcome=outcome,
                            service=service,
                            contacts=rng.randint(1, 40),
                        )
                    )
        day += dt.timedelta(days=1)
    start = time.perf_counter()
    ContactDay.objects.bulk_create(rows, batch_size=5000)
    report("portfolio_contactday_rows", len(rows), "rows")
    report("portfolio_contactday_insert", time.perf_counter() - start, "s")

    user = get_user_model().objects.create_user(username="bench-portfolio-analyst")
    user.groups.add(Group.objects.get(name=ANALYST))
    areas = list(ServiceArea.objects.filter(code__in=portfolio.AREA_FACTS_001))
    for year in (2010, 2011, 2012):
        for area in areas:
            benefit_record(user=user, area=area, year=year, fte_saved="1.5", amount_dkk="691356")

    def assessment():
        portfolio.table2(2009)
        portfolio.assessment(2009)

    samples = _timed(assessment)
    summarise("portfolio_table2_assessment", samples)
    samples = _timed(lambda: portfolio.plan_vs_realised(portfolio.savings_path()))
    summarise("portfolio_savings_path_vs_realised", samples)
    costs = portfolio.channel_costs(year=YEAR)
    report("portfolio_channel_costs_contacts", sum(r["contacts"] for r in costs.rows), "contacts")
    samples = _timed(lambda: portfolio.channel_costs(year=YEAR))
    summarise("portfolio_channel_costs_year", samples)

    client = Client()
    client.force_login(user)
    from django.urls import reverse
    from django.utils.translation import override

    with override("da"):
        url = reverse("analytics:portfolio")  # the Danish page, as staff see it
    for _ in range(5):  # warm-up: templates, translations, connection
        assert client.get(url).status_code == 200
    samples = _timed(lambda: client.get(url), runs=PAGE_REQUESTS)
    summarise("portfolio_page", samples)
    report("portfolio_page_max", percentile(samples, 1.0), "ms")


if __name__ == "__main__":
    main()
