"""The satisfaction survey after a contact: the public survey page (GET) and the answer
(POST), p50/p95/p99, and Min side's contact list offering the survey.

200 contacts of one citizen from the last days are surveyed, in a database with other
citizens' contacts and answers around them (100,000 contacts, 20,000 answers), so the
look-ups go by index. Requests go through Django's whole stack in-process (test Client),
which is the server time without the network. Every page is GET five times (1,000
samples); every contact is answered once (200 samples: one answer per contact). Also
the queries per request, and "My contacts" on Min side for the citizen with 200 recent
contacts (each offered the survey: 200 signed links on the page).
"""

from __future__ import annotations

import logging
import random
import time
from datetime import timedelta

from common import bench_citizens, percentile, report, setup_django, summarise

CONTACTS, WARM_UP_CONTACTS = 200, 20
OTHER_CITIZENS, OTHER_CONTACTS, OTHER_ANSWERS = 2_000, 100_000, 20_000
GET_ROUNDS = 5
PAGE_SAMPLES = 300


def _load() -> tuple[int, list[int], list[int]]:
    from django.utils import timezone

    from borgerservice.analytics.models import SurveyResponse
    from borgerservice.contacts.models import Contact

    rng = random.Random(8)
    ids = bench_citizens(OTHER_CITIZENS + 1)
    me, others = ids[0], ids[1:]
    now = timezone.now()
    channels = ["phone", "walk_in", "email", "letter", "self_service"]
    mine = CONTACTS + WARM_UP_CONTACTS
    contacts = [
        Contact(
            channel=rng.choice(channels),
            citizen_id=me if n < mine else rng.choice(others),
            outcome="resolved",
            started_at=now - timedelta(minutes=rng.randint(10, 60 * 24 * 25)),
        )
        for n in range(mine + OTHER_CONTACTS)
    ]
    Contact.objects.bulk_create(contacts, batch_size=5000)
    all_ids = list(Contact.objects.order_by("id").values_list("id", flat=True))
    my_ids, other_ids = all_ids[:mine], all_ids[mine:]
    SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(contact_id=c, score=rng.randint(1, 5))
            for c in rng.sample(other_ids, OTHER_ANSWERS)
        ],
        batch_size=5000,
    )
    return me, my_ids[WARM_UP_CONTACTS:], my_ids[:WARM_UP_CONTACTS]


def _counted(call) -> tuple[object, int]:
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        result = call()
    return result, len(queries)


def _timed(call) -> tuple[object, float]:
    start = time.perf_counter()
    result = call()
    return result, (time.perf_counter() - start) * 1000


def main() -> None:
    vendor = setup_django()
    # The refused second answers (409) would each log a warning.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    started = time.perf_counter()
    me, measured, warm = _load()
    report("survey_load_seconds", time.perf_counter() - started, "s")
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from borgerservice.analytics.models import SurveyResponse
    from borgerservice.analytics.survey import survey_link
    from borgerservice.portal.auth import ACTIVITY_KEY, SESSION_KEY

    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    links = {pk: survey_link(pk, language="da") for pk in measured + warm}

    # Warm up on contacts of their own: pages and answers.
    for pk in warm:
        assert client.get(links[pk]).status_code == 200
        assert client.post(links[pk], {"score": "4"}).status_code == 200
    _response, get_queries = _counted(lambda: client.get(links[measured[0]]))

    get_samples = []
    for _round in range(GET_ROUNDS):
        for pk in measured:
            response, ms = _timed(lambda pk=pk: client.get(links[pk]))
            assert response.status_code == 200, response.status_code
            get_samples.append(ms)
    summarise("survey_page_get", get_samples)
    report("survey_page_get_queries", get_queries, "queries")

    post_samples, post_queries = [], 0
    for index, pk in enumerate(measured):
        score = str(1 + index % 5)
        if index == 0:
            (response, ms), post_queries = _counted(
                lambda pk=pk, score=score: _timed(lambda: client.post(links[pk], {"score": score}))
            )
        else:
            response, ms = _timed(
                lambda pk=pk, score=score: client.post(links[pk], {"score": score})
            )
        assert response.status_code == 200, response.status_code
        post_samples.append(ms)
    summarise("survey_answer_post", post_samples)
    report("survey_answer_post_queries", post_queries, "queries")
    stored = SurveyResponse.objects.filter(contact_id__in=measured).count()
    report("survey_answers_stored", stored, "answers")
    assert stored == len(measured)

    # A second answer is refused (409), cheaply.
    refused = []
    for pk in measured[:50]:
        response, ms = _timed(lambda pk=pk: client.post(links[pk], {"score": "1"}))
        assert response.status_code == 409, response.status_code
        refused.append(ms)
    report("survey_second_answer_refused_p95", percentile(refused, 0.95), "ms")

    # Min side's "My contacts" for the citizen with 220 contacts of the last 25 days:
    # first with every one answered above (nothing offered), then with no answers (every
    # contact offered: 220 signed links).
    portal = Client()
    session = portal.session
    session[SESSION_KEY] = {"id": me, "method": "demo", "at": int(time.time())}
    session[ACTIVITY_KEY] = int(time.time())
    session.save()
    page = reverse("portal:contacts")
    survey_path = links[measured[0]].rsplit("/", 2)[0] + "/"
    for label in ("survey_portal_contacts_all_answered", "survey_portal_contacts_with_offers"):
        if label.endswith("with_offers"):
            SurveyResponse.objects.filter(contact_id__in=measured + warm).delete()
        for _ in range(20):
            assert portal.get(page).status_code == 200
        (response, _ms), queries = _counted(lambda: _timed(lambda: portal.get(page)))
        offered = response.content.decode().count(f'href="{survey_path}')
        samples = []
        for _ in range(PAGE_SAMPLES):
            response, ms = _timed(lambda: portal.get(page))
            assert response.status_code == 200
            samples.append(ms)
        summarise(label, samples)
        report(f"{label}_offers", offered, "links")
        report(f"{label}_queries", queries, "queries")
    report("survey_database_is_postgresql", 1.0 if vendor == "postgresql" else 0.0, "bool")


if __name__ == "__main__":
    main()
