"""Triage of free text: masking, cleaning, the classifier's robustness, automatic routing by
the department's threshold, the triage queue, staff decisions and model versions."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils import translation

from borgerservice.catalogue.models import Department, Service
from borgerservice.contacts import triage_services
from borgerservice.contacts.inbox import (
    MessageInput,
    inbound_message_dismiss,
    inbound_message_receive,
    inbound_message_route,
    message_from_email,
)
from borgerservice.contacts.models import InboundMessage, TriageFeedback, TriageModel
from borgerservice.contacts.triage import (
    Example,
    TriageClassifier,
    mask_personal_data,
    prepare,
    strip_reply_and_signature,
    train,
)
from borgerservice.core.errors import ServiceError
from borgerservice.queueing.models import WorkItem, WorkQueue
from tests.accounts.staff import FRONT_OFFICE, TEAM_LEAD, make_staff

# --- masking ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Mit CPR-nr. er 120385-1234.", "Mit CPR-nr. er [CPR]."),
        ("cpr 1203851234 tak", "cpr [CPR] tak"),
        ("CPR: 120385 1234", "CPR: [CPR]"),
        ("Ring på 22 33 44 55", "Ring på [TELEFON]"),
        ("tlf. 2233 4455 efter kl. 16", "tlf. [TELEFON] efter kl. 16"),
        ("mobil 22334455", "mobil [TELEFON]"),
        ("call +45 22 33 44 55", "call [TELEFON]"),
        ("UK number +44 20 7946 0958", "UK number [TELEFON]"),
        ("skriv til hanne.jensen+kbh@example.dk", "skriv til [EMAIL]"),
    ],
)
def test_cpr_phone_numbers_and_email_addresses_are_masked(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Jeg skylder 12.500 kr. fra 03.04.2026",
        "Boligstøtte for 2026 og 2027",
        "Sagsnummer 2026-001234",
        "kl. 10.30 den 4. maj",
    ],
)
def test_amounts_dates_and_years_are_not_masked(text):
    assert mask_personal_data(text) == text


def test_staff_decisions_are_stored_masked(triage_model, routing):
    user = make_staff(FRONT_OFFICE, username="triage-masking")
    message, _created = inbound_message_receive(
        data=MessageInput(
            kind="email",
            subject="Spørgsmål",
            body="Hej, mit CPR er 010203-1234, ring 22 33 44 55 eller skriv a@b.dk. Tak.",
        ),
        idempotency_key="masking-1",
    )
    if message.state != InboundMessage.State.TRIAGE:
        pytest.skip("routed automatically; the threshold fixture should prevent it")
    inbound_message_route(user=user, message_id=message.pk, service_code=routing["service"].code)
    stored = TriageFeedback.objects.get(message=message).text
    assert "010203" not in stored and "22 33 44 55" not in stored and "a@b.dk" not in stored
    assert "[CPR]" in stored and "[TELEFON]" in stored and "[EMAIL]" in stored


# --- cleaning ---------------------------------------------------------------------------------


def test_a_quoted_reply_and_the_signature_are_cut():
    text = (
        "Hej\nJeg har stadig ikke fået mit nye sundhedskort efter flytningen.\n\n"
        "Med venlig hilsen\nHanne Jensen\nTlf. 22 33 44 55\n\n"
        "Den 3. marts 2026 kl. 10.12 skrev Borgerservice <borgerservice@kk.dk>:\n"
        "> Din ansøgning om boligstøtte er modtaget.\n"
    )
    own = strip_reply_and_signature(text)
    assert "sundhedskort" in own
    assert "Hanne" not in own and "boligstøtte" not in own


def test_a_short_answer_keeps_the_quoted_message_it_is_about():
    text = "Se nedenfor, tak\n\n-----Original Message-----\nFrom: x\nSent: y\nOm min boligstøtte"
    assert "boligstøtte" in strip_reply_and_signature(text)


def test_prepare_masks_and_caps_the_length():
    text = prepare("cpr 120385-1234 " + "ord " * 2000)
    assert "[CPR]" in text and len(text) <= 3000


# --- the classifier -----------------------------------------------------------------------------


@pytest.fixture
def classifier(triage_artifact) -> TriageClassifier:
    return TriageClassifier.loads(triage_artifact)


def _top3(classifier, text: str) -> list[str]:
    return [s.code for s in classifier.suggest([prepare(text)])[0]]


@pytest.mark.parametrize(
    ("text", "service"),
    [
        # everyday words instead of the official names
        ("Jeg har fået en p-bøde som jeg mener er forkert", "btf-klager-over-p-afgift"),
        ("Jeg har mistet mit sundhedskort", "ksr-folkeregister-nyt-sygesikringskort"),
        ("Skraldet er ikke blevet hentet i vores gård", "mff-affald-raadgivning-r98-og-anmeldelse"),
        # no æøå, oe/aa spellings
        ("ansogning om boligstotte til min lejlighed i kobenhavn", "faf-boligsikring"),
        ("Hvornaar faar jeg min folkepension udbetalt", "suf-folkepension"),
        # OCR errors of a scanned letter
        (
            "Kebenhavns Kommune\nAnsegning om frip1ads i bomehaven til min\n"
            "søn, vi har lav indkomst",
            "faf-oekonomisk-friplads",
        ),
        ("Jeg er flyttet og vil melde adresseandring til Kebenhavns\nKommune", None),
        # English
        ("I lost my passport and need a new one before my trip", "stat-pas-og-koerekort"),
        ("How do I register my new address after moving to Copenhagen?", None),
        # a long email with a quoted reply and a signature
        (
            "Hej\n\nJeg skrev til jer for en uge siden om min p-afgift. Jeg holdt kun stille for "
            "at aflæsse, og jeg vil gerne klage over afgiften.\n\nMvh\nPeter Hansen\n"
            "Tlf 22 33 44 55\n\nDen 2. maj 2026 skrev Borgerservice:\n> Tak for din henvendelse "
            "om din folkepension.\n",
            "btf-klager-over-p-afgift",
        ),
    ],
)
def test_what_citizens_really_write_lands_in_the_top_three(classifier, text, service):
    top3 = _top3(classifier, text)
    if service is None:  # moving: any of the moving/address services
        assert "ksr-folkeregister-flytteanmeldelser" in top3
    else:
        assert service in top3, top3


def test_confidences_are_probabilities_best_first(classifier):
    suggestions = classifier.suggest([prepare("Jeg har mistet mit pas")])[0]
    assert len(suggestions) == 3
    values = [s.confidence for s in suggestions]
    assert values == sorted(values, reverse=True)
    assert all(0 <= v <= 1 for v in values) and sum(values) <= 1.0001


def test_a_stored_model_classifies_exactly_as_before(classifier):
    again = TriageClassifier.loads(classifier.dumps())
    text = [prepare("Ansøgning om boligstøtte")]
    assert [s.code for s in again.suggest(text)[0]] == [s.code for s in classifier.suggest(text)[0]]


def test_training_on_a_small_set_learns_it():
    examples = [
        Example(text, code)
        for code, texts in {
            "a": ["boligstøtte husleje", "støtte til husleje", "housing benefit rent"],
            "b": ["nyt pas", "pas udløbet", "passport renewal"],
            "c": ["p-bøde klage", "parkeringsafgift forkert", "parking ticket appeal"],
        }.items()
        for text in texts * 3
    ]
    model = train(examples)
    assert model.suggest(["mit pas er udlobet"])[0][0].code == "b"
    assert model.suggest(["klage over p-afgift"])[0][0].code == "c"


# --- the model life cycle -------------------------------------------------------------------------


def test_only_one_version_can_be_active(triage_model):
    with pytest.raises(IntegrityError), transaction.atomic():
        TriageModel.objects.create(
            version=2,
            active=True,
            artifact=b"x",
            artifact_sha256="0" * 64,
            library_version="1",
            examples=1,
            services=1,
            training_seconds=1,
        )


def test_switching_back_to_an_earlier_version(triage_model, triage_artifact):
    import hashlib

    second = TriageModel.objects.create(
        version=2,
        artifact=triage_artifact,
        artifact_sha256=hashlib.sha256(triage_artifact).hexdigest(),
        library_version="1",
        examples=1,
        services=1,
        training_seconds=1,
    )
    triage_services.triage_model_activate(version=2)
    assert TriageModel.objects.get(active=True) == second
    assert triage_services.triage_classify(["nyt pas"])[0] == 2
    out = StringIO()
    call_command("triage_activate", "1", stdout=out)
    assert "v1" in out.getvalue()
    assert TriageModel.objects.get(active=True).version == 1
    assert triage_services.triage_classify(["nyt pas"])[0] == 1
    with pytest.raises(ServiceError) as error:
        triage_services.triage_model_activate(version=99)
    assert error.value.code == "triage.unknown_version"
    assert TriageModel.objects.get(active=True).version == 1


def test_no_model_is_a_clear_error(db):
    triage_services.clear_cache()
    with pytest.raises(ServiceError) as error:
        triage_services.triage_classify(["nyt pas"])
    assert error.value.code == "triage.no_model" and error.value.status == 503


@pytest.mark.parametrize("text", ["", "   ", "x" * 20_001])
def test_empty_or_too_long_text_is_refused(triage_model, text):
    with pytest.raises(ServiceError):
        triage_services.triage_classify([text])


def test_staff_decisions_become_training_data(triage_model, routing):
    user = make_staff(FRONT_OFFICE, username="triage-feedback")
    message = _waiting("Noget helt andet om min sag")
    inbound_message_route(user=user, message_id=message.pk, service_code=routing["service"].code)
    examples = triage_services.training_examples()
    staff = [e for e in examples if e.source == "staff"]
    assert [e.service for e in staff] == [routing["service"].code]


@pytest.mark.parametrize("name", ["heldout.jsonl", "personas.jsonl"])
def test_the_held_out_files_are_not_training_data(name):
    rows = triage_services.read_jsonl(triage_services.HELDOUT_FILE.parent / name)
    held_out = {" ".join(row["text"].lower().split()) for row in rows}
    trained = {" ".join(e.text.lower().split()) for e in triage_services.phrasing_examples()}
    assert len(held_out) >= 300
    assert not held_out & trained
    assert not {" ".join(prepare(t).lower().split()) for t in held_out} & trained


def test_the_high_volume_services_have_15_phrasings_each(db):
    from collections import Counter

    counts = Counter(e.service for e in triage_services.phrasing_examples())
    high = triage_services.high_volume_services()
    assert len(high) >= 60
    assert set(high) <= set(Service.objects.values_list("code", flat=True))
    assert {code: counts[code] for code in high if counts[code] < 15} == {}


# --- routing and the triage queue ---------------------------------------------------------------


@pytest.fixture
def routing(db):
    """A queue for the passport service and one catch-all queue for its department; the
    department routes automatically at 0.50, every other department never (1.00)."""
    from borgerservice.contacts.models import TriageThreshold

    service = Service.objects.get(code="stat-pas-og-koerekort")
    queue = WorkQueue.objects.create(code="pas-test", name_da="Pas", name_en="Passports")
    queue.services.add(service)
    for department in Department.objects.all():
        TriageThreshold.objects.create(
            department=department,
            threshold=Decimal("0.50") if department == service.department else Decimal("1.00"),
        )
    return {"service": service, "queue": queue}


def _waiting(text: str, **extra) -> InboundMessage:
    message, created = inbound_message_receive(
        data=MessageInput(kind="web", body=text, **extra), idempotency_key=f"k-{text[:60]}"
    )
    assert created
    return message


def test_a_confident_message_is_routed_to_the_services_work_queue(triage_model, routing):
    message = _waiting("Mit pas er udløbet og jeg skal have et nyt pas til ferien")
    assert message.suggestions[0]["code"] == "stat-pas-og-koerekort"
    assert message.confidence >= 0.5
    assert message.state == InboundMessage.State.ROUTED and message.routed_by is None
    item = WorkItem.objects.get(pk=message.work_item_id)
    assert item.queue == routing["queue"] and item.service == routing["service"]
    assert item.kind == WorkItem.Kind.WEB_MESSAGE


def test_below_the_threshold_it_waits_in_the_triage_queue(triage_model, routing):
    from borgerservice.contacts.models import TriageThreshold

    TriageThreshold.objects.filter(department=routing["service"].department).update(
        threshold=Decimal("1.00")
    )
    message = _waiting("Mit pas er udløbet og jeg skal have et nyt pas til ferien")
    assert message.state == InboundMessage.State.TRIAGE
    assert message.triage_note == "below_threshold"
    assert message.work_item_id is None and not WorkItem.objects.exists()
    assert len(message.suggestions) == 3


def test_a_service_without_a_queue_waits_for_a_person(triage_model, routing):
    routing["queue"].delete()
    message = _waiting("Mit pas er udløbet og jeg skal have et nyt pas til ferien")
    assert message.state == InboundMessage.State.TRIAGE and message.triage_note == "no_queue"


def test_the_catch_all_queue_of_the_department_takes_the_service(triage_model, routing):
    routing["queue"].services.clear()
    routing["queue"].department = routing["service"].department
    routing["queue"].save()
    message = _waiting("Mit pas er udløbet og jeg skal have et nyt pas til ferien")
    assert message.state == InboundMessage.State.ROUTED
    assert message.work_item.queue == routing["queue"]


def test_accepting_the_suggestion_is_recorded_with_who(triage_model, routing):
    user = make_staff(FRONT_OFFICE, username="triage-accept")
    thresholds_all(Decimal("1.00"))
    message = _waiting("Mit pas er udløbet og jeg skal have et nyt pas til ferien")
    routed = inbound_message_route(
        user=user, message_id=message.pk, service_code="stat-pas-og-koerekort"
    )
    assert routed.state == InboundMessage.State.ACCEPTED and routed.routed_by == user
    feedback = TriageFeedback.objects.get(message=message)
    assert feedback.corrected is False and feedback.decided_by == user
    assert routed.work_item.created_by == user


def test_correcting_records_the_other_service(triage_model, routing):
    user = make_staff(FRONT_OFFICE, username="triage-correct")
    message = _waiting("Noget om min familie og penge")
    routed = inbound_message_route(
        user=user, message_id=message.pk, service_code=routing["service"].code
    )
    feedback = TriageFeedback.objects.get(message=message)
    assert routed.state == InboundMessage.State.CORRECTED
    assert feedback.corrected is True and feedback.chosen == routing["service"]
    assert feedback.suggested is not None and feedback.suggested != routing["service"]
    assert feedback.decided_by == user and feedback.model_version == 1


def test_a_routed_message_cannot_be_routed_again(triage_model, routing):
    user = make_staff(FRONT_OFFICE, username="triage-twice")
    message = _waiting("Noget om min familie og penge")
    inbound_message_route(user=user, message_id=message.pk, service_code=routing["service"].code)
    with pytest.raises(ServiceError) as error:
        inbound_message_route(
            user=user, message_id=message.pk, service_code=routing["service"].code
        )
    assert error.value.status == 409
    assert WorkItem.objects.count() == 1 and TriageFeedback.objects.count() == 1


def test_bad_routing_input_changes_nothing(triage_model, routing):
    user = make_staff(FRONT_OFFICE, username="triage-bad")
    message = _waiting("Noget om min familie og penge")
    other = Service.objects.exclude(pk=routing["service"].pk).first()
    for code in ["does-not-exist", other.code]:  # unknown; no queue handles it
        with pytest.raises(ServiceError):
            inbound_message_route(user=user, message_id=message.pk, service_code=code)
    message.refresh_from_db()
    assert message.state == InboundMessage.State.TRIAGE
    assert not WorkItem.objects.exists() and not TriageFeedback.objects.exists()


def test_dismissing_needs_a_person_role(triage_model, routing):
    message = _waiting("Køb billige ure nu!!!")
    analyst = make_staff("analyst", username="triage-analyst")
    with pytest.raises(ServiceError):
        inbound_message_dismiss(user=analyst, message_id=message.pk)
    user = make_staff(FRONT_OFFICE, username="triage-dismiss")
    assert inbound_message_dismiss(user=user, message_id=message.pk).state == "dismissed"


def test_without_a_model_messages_wait_and_are_not_lost(db, routing):
    triage_services.clear_cache()
    message = _waiting("Mit pas er udløbet")
    assert message.state == InboundMessage.State.TRIAGE and message.triage_note == "no_model"
    assert message.suggestions == []


def test_the_same_email_delivered_twice_is_filed_once(triage_model, routing):
    raw = (
        "From: Hanne Jensen <hanne@example.dk>\r\nTo: kk@kk.dk\r\nSubject: Nyt pas\r\n"
        "Message-ID: <abc-123@example.dk>\r\nDate: Mon, 4 May 2026 10:12:00 +0200\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nMit pas er udløbet.\r\n"
    )
    first, created = inbound_message_receive(data=message_from_email(raw))
    again, created_again = inbound_message_receive(data=message_from_email(raw))
    assert created and not created_again and first.pk == again.pk
    assert first.sender_email == "hanne@example.dk" and first.subject == "Nyt pas"
    assert InboundMessage.objects.count() == 1


def test_a_reused_idempotency_key_with_another_text_is_refused(triage_model, routing):
    _waiting("Mit pas er udløbet")
    with pytest.raises(ServiceError) as error:
        inbound_message_receive(
            data=MessageInput(kind="web", body="Noget andet"),
            idempotency_key="k-Mit pas er udløbet",
        )
    assert error.value.status == 409 and InboundMessage.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (MessageInput(kind="fax", body="x"), "inbox.bad_kind"),
        (MessageInput(kind="email", body="  "), "inbox.empty"),
        (MessageInput(kind="email", body="x", sender_email="not-an-address"), "inbox.bad_email"),
        (MessageInput(kind="email", body="x" * 20_001), "inbox.body_too_long"),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_filed(db, data, code):
    with pytest.raises(ServiceError) as error:
        inbound_message_receive(data=data, idempotency_key="bad")
    assert error.value.code == code and not InboundMessage.objects.exists()


def test_thresholds_are_set_by_team_leads_only(db):
    department = Department.objects.first()
    with pytest.raises(ServiceError):
        triage_services.triage_threshold_set(
            user=make_staff(FRONT_OFFICE, username="t-fo"), department=department, threshold="0.5"
        )
    lead = make_staff(TEAM_LEAD, username="t-lead")
    for bad in ["1.5", "-0.1", "abc"]:
        with pytest.raises(ServiceError):
            triage_services.triage_threshold_set(user=lead, department=department, threshold=bad)
    assert triage_services.threshold_for(department.pk) == Decimal("0.80")
    triage_services.triage_threshold_set(user=lead, department=department, threshold="0.65")
    assert triage_services.threshold_for(department.pk) == Decimal("0.65")


def thresholds_all(value: Decimal) -> None:
    from borgerservice.contacts.models import TriageThreshold

    TriageThreshold.objects.update(threshold=value)


# --- commands -----------------------------------------------------------------------------------


def test_triage_classify_reads_json_lines_and_writes_one_answer_per_line(triage_model, monkeypatch):
    lines = [
        json.dumps({"text": "Jeg har mistet mit pas"}),
        "not json",
        json.dumps({"text": "I need to renew my parking permit"}),
    ]
    monkeypatch.setattr("sys.stdin", StringIO("\n".join(lines) + "\n"))
    out = StringIO()
    call_command("triage_classify", stdout=out)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(answers) == 3
    assert answers[0]["suggestions"][0]["code"] == "stat-pas-og-koerekort"
    assert set(answers[0]["suggestions"][0]) >= {"code", "name_da", "department", "confidence"}
    assert "error" in answers[1]
    assert len(answers[2]["suggestions"]) == 3


def test_triage_eval_prints_the_figures(triage_model, tmp_path):
    path = tmp_path / "eval.jsonl"
    path.write_text(
        "\n".join(
            json.dumps({"text": t, "service": s}, ensure_ascii=False)
            for t, s in [
                ("Jeg har mistet mit pas", "stat-pas-og-koerekort"),
                ("Klage over min p-bøde", "btf-klager-over-p-afgift"),
                ("Hvornår kommer folkepensionen", "suf-folkepension"),
            ]
        ),
        encoding="utf-8",
    )
    out = StringIO()
    call_command("triage_eval", str(path), stdout=out)
    text = out.getvalue()
    for label in ("top-1 accuracy", "top-3 accuracy", "macro-F1", "confusion"):
        assert label in text
    out = StringIO()
    call_command("triage_eval", str(path), "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["total"] == 3 and figures["top3"] == 1.0


def test_triage_eval_refuses_a_bad_file(triage_model, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "x"}\n', encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError, match="Line 1"):
        call_command("triage_eval", str(path))
    with pytest.raises(CommandError):
        call_command("triage_eval", str(tmp_path / "missing.jsonl"))


def test_ingesting_a_maildir_files_each_mail_once(triage_model, routing, tmp_path):
    import mailbox
    from email.message import EmailMessage

    box = mailbox.Maildir(tmp_path / "mail", create=True)
    for number, text in enumerate(["Mit pas er udløbet og jeg skal have et nyt", "Køb ure"]):
        mail = EmailMessage()
        mail["From"] = "borger@example.dk"
        mail["Subject"] = f"Henvendelse {number}"
        mail["Message-ID"] = f"<m{number}@example.dk>"
        mail.set_content(text)
        box.add(mail)
    for _run in range(2):
        call_command("triage_ingest_mailbox", str(tmp_path / "mail"), stdout=StringIO())
    assert InboundMessage.objects.count() == 2
    with pytest.raises(CommandError):
        call_command("triage_ingest_mailbox", str(tmp_path / "nothing-here"))
