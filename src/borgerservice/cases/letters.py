"""The letters a case sends: the decision letter and the hearing letter.

Each letter is built once as a ``Letter`` (sender, addressee, key facts, sections, sign-off)
in the addressee's preferred language (Danish unless the citizen chose English) and then
rendered twice: as a PDF (``core.pdf.PdfDocument``) that is stored and journalised on the
case, and as plain text for the outbox message that carries it to the citizen.

A decision letter holds what forvaltningsloven §§ 22–25 require: the outcome, the rules
applied, the facts relied on, the reasons (the main considerations where there was
discretion), and complaint guidance when the decision is not fully in the party's favour.
A hearing letter (§ 19) gives the facts the party is heard on and the answer deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from borgerservice.core.pdf import PdfDocument

from .models import Case, CaseParty, Decision, Hearing

MUNICIPALITY = "Københavns Kommune"


@dataclass
class Letter:
    """One letter, in one language, ready to render."""

    language: str
    title: str
    subject: str
    sender: list[str]
    addressee: list[str]
    fields: list[tuple[str, str]]
    sections: list[tuple[str, str]] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)


def letter_language(citizen) -> str:
    """The language letters to ``citizen`` are written in: English if chosen, else Danish."""
    return "en" if (getattr(citizen, "preferred_language", "") or "").startswith("en") else "da"


def addressees(case: Case) -> list:
    """The citizens a letter on the case goes to: the applicants, or every party when the
    case has no applicant."""
    parties = list(case.parties.select_related("citizen").order_by("id"))
    applicants = [p.citizen for p in parties if p.role == CaseParty.Role.APPLICANT]
    chosen = applicants or [p.citizen for p in parties]
    return list({citizen.pk: citizen for citizen in chosen}.values())


def _language_for(case: Case, language: str | None) -> str:
    if language in ("da", "en"):
        return language
    recipients = addressees(case)
    return letter_language(recipients[0]) if recipients else "da"


def _date(value: date, language: str) -> str:
    return date_format(value, "j. F Y" if language == "da" else "j F Y")


def _addressee_lines(citizens: Iterable) -> list[str]:
    """Names and, unless protected, postal addresses of the addressees."""
    lines: list[str] = []
    for citizen in citizens:
        lines.append(citizen.full_name)
        if not citizen.name_address_protected:
            lines.extend(line for line in (citizen.address_line, citizen.postal_line) if line)
    return lines


def _staff_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _sign_off(case: Case, user) -> list[str]:
    lines = [_("Kind regards")]
    name = _staff_name(user)
    if name:
        lines.append(name)
    lines.extend([case.unit.t("name"), MUNICIPALITY])
    return lines


def _outcome_sentence(outcome: str) -> str:
    # Spelt out for makemessages; looked up by outcome.
    sentences = {
        Decision.Outcome.GRANTED: _("Your application has been granted."),
        Decision.Outcome.PARTLY_GRANTED: _("Your application has been partly granted."),
        Decision.Outcome.REFUSED: _("Your application has been refused."),
        Decision.Outcome.DISMISSED: _("Your application has been dismissed."),
    }
    return sentences[outcome]


def decision_letter(decision: Decision, *, language: str | None = None) -> Letter:
    """The decision letter as a ``Letter`` in the addressee's language (or ``language``)."""
    case = decision.case
    language = _language_for(case, language)
    with translation.override(language):
        title = _("Decision in your case %(number)s") % {"number": case.number}
        sections = [
            (_("Decision"), _outcome_sentence(decision.outcome)),
            (_("Rules applied"), decision.rules_applied),
        ]
        if decision.facts:
            sections.append((_("Facts relied on"), decision.facts))
        sections.append((_("Reasons"), decision.reasons))
        hearing = decision.hearing
        if hearing is not None:
            sections.append((_("Hearing"), _hearing_summary(hearing, language)))
        if decision.complaint_guidance:
            sections.append((_("Complaint guidance"), decision.complaint_guidance))
        return Letter(
            language=language,
            title=title,
            subject=title,
            sender=[MUNICIPALITY, case.unit.t("name")],
            addressee=_addressee_lines(addressees(case)),
            fields=[
                (_("Date"), _date(decision.decided_on, language)),
                (_("Case number"), case.number),
                (_("Case"), case.case_type.t("name")),
                (_("Outcome"), str(decision.get_outcome_display())),
                (_("Caseworker"), _staff_name(decision.decided_by) or "-"),
            ],
            sections=sections,
            closing=_sign_off(case, decision.decided_by),
        )


def _hearing_summary(hearing: Hearing, language: str) -> str:
    if hearing.state == Hearing.State.ANSWERED and hearing.answered_on:
        return _(
            "On %(sent)s we asked for your comments on the facts of the case. We received "
            "your answer on %(answered)s and have taken it into account."
        ) % {
            "sent": _date(hearing.sent_on, language),
            "answered": _date(hearing.answered_on, language),
        }
    return _(
        "On %(sent)s we asked for your comments on the facts of the case by %(answer_by)s. "
        "We did not receive an answer."
    ) % {
        "sent": _date(hearing.sent_on, language),
        "answer_by": _date(hearing.answer_by, language),
    }


def hearing_letter(hearing: Hearing, *, language: str | None = None) -> Letter:
    """The hearing letter (partshøring) as a ``Letter``."""
    case = hearing.case
    language = _language_for(case, language)
    with translation.override(language):
        title = _("Hearing before a decision in your case %(number)s") % {"number": case.number}
        answer_by = _date(hearing.answer_by, language)
        return Letter(
            language=language,
            title=title,
            subject=title,
            sender=[MUNICIPALITY, case.unit.t("name")],
            addressee=_addressee_lines(addressees(case)),
            fields=[
                (_("Date"), _date(hearing.sent_on, language)),
                (_("Case number"), case.number),
                (_("Case"), case.case_type.t("name")),
                (_("Answer by"), answer_by),
            ],
            sections=[
                (
                    _("Your right to comment"),
                    _(
                        "Before we decide on your case, you have the right to comment on the "
                        "information below, which may be decisive for the decision (the "
                        "Public Administration Act, section 19)."
                    ),
                ),
                (_("The information you are heard on"), hearing.facts),
                (
                    _("Your answer"),
                    _(
                        "Please send us your comments by %(date)s and quote the case number "
                        "%(number)s. If we have not heard from you by then, we will decide on "
                        "the case on the basis of the information we have."
                    )
                    % {"date": answer_by, "number": case.number},
                ),
            ],
            closing=_sign_off(case, hearing.created_by),
        )


def letter_pdf(letter: Letter) -> bytes:
    """Render a ``Letter`` as a PDF."""
    doc = PdfDocument(title=letter.sender[0], language=letter.language)
    for line in letter.sender[1:]:
        doc.paragraph(line)
    if letter.addressee:
        doc.paragraph("\n".join(letter.addressee))
    for label, value in letter.fields:
        doc.field(label, value)
    doc.paragraph("")
    doc.heading(letter.title)
    for heading, text in letter.sections:
        doc.heading(heading, size=11)
        doc.paragraph(text)
    if letter.closing:
        doc.paragraph("\n".join(letter.closing))
    return doc.output()


def letter_text(letter: Letter) -> str:
    """Render a ``Letter`` as plain text (the body of the outbox message)."""
    parts = [letter.title, ""]
    parts.extend(f"{label}: {value}" for label, value in letter.fields)
    for heading, text in letter.sections:
        parts.extend(["", heading, text])
    if letter.closing:
        parts.extend(["", *letter.closing])
    return "\n".join(parts).strip() + "\n"


def decision_letter_pdf(decision: Decision, *, language: str | None = None) -> bytes:
    """The decision letter as PDF bytes, in the addressee's language."""
    return letter_pdf(decision_letter(decision, language=language))


def hearing_letter_pdf(hearing: Hearing, *, language: str | None = None) -> bytes:
    """The hearing letter as PDF bytes, in the addressee's language."""
    return letter_pdf(hearing_letter(hearing, language=language))
