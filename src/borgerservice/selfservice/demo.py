"""Demo application forms: one for each rule set of the decisions engine (the question
names are the rule set's inputs, so applications can be decided at once) and plain
forms for two other rule-based services that caseworkers decide.

Keyed on (service, version 1): running it again creates nothing new. Each form is
checked like the admin checks it before it is made active.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from borgerservice.catalogue.models import Service
from borgerservice.core.errors import ServiceError

from .models import FormDefinition, FormField, FormStep
from .validation import field_definition_errors, rule_set_or_none, structure_errors


def _q(name, kind, label_da, label_en, hint_da="", hint_en="", **extra) -> dict:
    return {
        "name": name,
        "kind": kind,
        "label_da": label_da,
        "label_en": label_en,
        "hint_da": hint_da,
        "hint_en": hint_en,
        **extra,
    }


def _choices(*items) -> list[dict]:
    return [{"value": v, "label_da": da, "label_en": en} for v, da, en in items]


FRIPLADS = {
    "rule_set": "friplads",
    "title_da": "Ansøg om økonomisk friplads",
    "title_en": "Apply for an income-based free place in day care",
    "intro_da": (
        "Har din husstand en lav indkomst, kan du få tilskud til betalingen for dit barns "
        "plads i dagtilbud, fritidshjem eller klub. Oftest får du svar med det samme."
    ),
    "intro_en": (
        "If your household has a low income, you can get a subsidy towards the payment for "
        "your child's place in day care or an after-school centre. Most often you get the "
        "answer at once."
    ),
    "you_need_da": "Husstandens indkomst for året før skat\nBetalingen for pladsen pr. måned",
    "you_need_en": (
        "The household's income for the year before tax\nThe monthly payment for the place"
    ),
    "minutes": 5,
    "steps": [
        (
            "Din husstand",
            "Your household",
            [
                _q(
                    "single_provider",
                    "yes_no",
                    "Er du enlig forsørger?",
                    "Are you a single provider?",
                    "Du er enlig, når du hverken er gift eller bor sammen med en partner.",
                    "You are single when you are neither married nor living with a partner.",
                ),
                _q(
                    "partner_name",
                    "text",
                    "Din ægtefælles eller samlevers navn",
                    "The name of your spouse or partner",
                    show_if={"field": "single_provider", "equals": "no"},
                    max_length=200,
                ),
                _q(
                    "children_under_18",
                    "integer",
                    "Hvor mange børn under 18 år bor hjemme?",
                    "How many children under 18 live at home?",
                    "Tæl alle børn under 18 i husstanden, også barnet i dagtilbuddet.",
                    "Count every child under 18 in the household, including the child in day care.",
                    min_value=1,
                    max_value=20,
                ),
            ],
        ),
        (
            "Pasningen",
            "The childcare",
            [
                _q(
                    "childcare_type",
                    "radio",
                    "Hvilken slags pasning har barnet?",
                    "What kind of childcare does the child have?",
                    choices=_choices(
                        (
                            "municipal",
                            "Kommunalt eller selvejende dagtilbud eller fritidshjem",
                            "Municipal or self-governing day care, or an after-school centre",
                        ),
                        ("private_institution", "Privatinstitution", "Private institution"),
                        (
                            "private_scheme",
                            "Privat pasningsordning",
                            "Private childminding scheme",
                        ),
                    ),
                ),
                _q(
                    "monthly_fee",
                    "decimal",
                    "Betalingen for pladsen pr. måned i kroner",
                    "The monthly payment for the place in kroner",
                    "Så kan vi fortælle dig, hvor meget kommunen betaler hver måned.",
                    "Then we can tell you how much the municipality pays each month.",
                    required=False,
                    min_value=0,
                    max_value=100000,
                ),
            ],
        ),
        (
            "Indkomst",
            "Income",
            [
                _q(
                    "household_income",
                    "decimal",
                    "Husstandens indkomst pr. år før skat i kroner",
                    "The household's income per year before tax in kroner",
                    "Din og din ægtefælles eller samlevers indkomst tilsammen, 12 gange den "
                    "nuværende månedsindkomst.",
                    "The income of you and your spouse or partner together, 12 times the "
                    "current monthly income.",
                    min_value=0,
                    max_value=100000000,
                ),
                _q(
                    "income_needs_assessment",
                    "yes_no",
                    "Har husstanden indkomst fra egen virksomhed, fra udlandet eller en "
                    "indkomst, der svinger meget?",
                    "Does the household have business income, income from abroad or an "
                    "income that varies a lot?",
                    "Så skal en sagsbehandler vurdere indkomsten.",
                    "Then a caseworker must assess the income.",
                ),
                _q(
                    "income_explanation",
                    "textarea",
                    "Fortæl kort om indkomsten",
                    "Tell us briefly about the income",
                    show_if={"field": "income_needs_assessment", "equals": "yes"},
                    max_length=2000,
                ),
            ],
        ),
    ],
}

BOERNETILSKUD = {
    "rule_set": "boernetilskud",
    "title_da": "Ansøg om børnetilskud til enlige forsørgere",
    "title_en": "Apply for child supplement for single providers",
    "intro_da": (
        "Er du enlig forsørger, kan du få ordinært og ekstra børnetilskud. Oftest får du "
        "svar med det samme."
    ),
    "intro_en": (
        "If you are a single provider, you can get the ordinary and the extra child "
        "supplement. Most often you get the answer at once."
    ),
    "you_need_da": "Barnets fødselsdato\nOplysning om forældremyndighed",
    "you_need_en": "The child's date of birth\nInformation on custody",
    "minutes": 5,
    "steps": [
        (
            "Om dig",
            "About you",
            [
                _q(
                    "single_provider",
                    "yes_no",
                    "Er du enlig forsørger?",
                    "Are you a single provider?",
                    "Du er enlig, når du hverken er gift eller bor sammen med en partner.",
                    "You are single when you are neither married nor living with a partner.",
                ),
                _q(
                    "resident_in_denmark",
                    "yes_no",
                    "Har du fast bopæl i Danmark?",
                    "Do you have your permanent residence in Denmark?",
                ),
                _q(
                    "danish_citizen_or_refugee",
                    "yes_no",
                    "Har du eller barnet dansk indfødsret eller status som flygtning?",
                    "Do you or the child have Danish citizenship or refugee status?",
                ),
                _q(
                    "residence_years",
                    "decimal",
                    "Hvor mange år har du og barnet boet i Danmark?",
                    "How many years have you and the child lived in Denmark?",
                    show_if={"field": "danish_citizen_or_refugee", "equals": "no"},
                    min_value=0,
                    max_value=100,
                ),
            ],
        ),
        (
            "Om barnet",
            "About the child",
            [
                _q("child_birth_date", "date", "Barnets fødselsdato", "The child's date of birth"),
                _q(
                    "has_custody",
                    "yes_no",
                    "Har du forældremyndigheden over barnet, alene eller sammen med en anden?",
                    "Do you have custody of the child, alone or shared?",
                ),
                _q(
                    "child_lives_with_applicant",
                    "yes_no",
                    "Bor barnet hos dig?",
                    "Does the child live with you?",
                    "Bor barnet lige meget hos begge forældre, tæller det, hvor det er "
                    "folkeregistreret.",
                    "When the child lives equally with both parents, it counts where it is "
                    "registered.",
                ),
                _q(
                    "child_in_denmark",
                    "yes_no",
                    "Bor barnet i Danmark?",
                    "Does the child live in Denmark?",
                ),
                _q(
                    "child_placed_outside_home",
                    "yes_no",
                    "Er barnet anbragt uden for hjemmet eller forsørget af det offentlige?",
                    "Is the child placed outside the home or supported by public funds?",
                    "For eksempel på en døgninstitution eller i en plejefamilie.",
                    "For example at a residential institution or in foster care.",
                ),
                _q(
                    "child_married",
                    "yes_no",
                    "Er barnet gift eller i registreret partnerskab?",
                    "Is the child married or in a registered partnership?",
                ),
            ],
        ),
        (
            "Familien",
            "The family",
            [
                _q(
                    "other_parent",
                    "radio",
                    "Barnets anden forælder",
                    "The child's other parent",
                    show_if={"field": "single_provider", "equals": "yes"},
                    choices=_choices(
                        ("known", "Lever og er kendt", "Is alive and known"),
                        ("dead", "Er død", "Has died"),
                        (
                            "unknown",
                            "Er ukendt (faderskabet er ikke fastslået)",
                            "Is unknown (paternity not established)",
                        ),
                    ),
                ),
                _q(
                    "both_parents_pensioners",
                    "yes_no",
                    "Får begge barnets forældre folkepension?",
                    "Do both of the child's parents receive folkepension?",
                    show_if={"field": "other_parent", "equals": "known"},
                ),
                _q(
                    "other_children_under_18",
                    "integer",
                    "Hvor mange andre børn under 18 år bor hos dig, som du har "
                    "forældremyndigheden over?",
                    "How many other children under 18 live with you in your custody?",
                    required=False,
                    min_value=0,
                    max_value=15,
                ),
            ],
        ),
    ],
}

HELBREDSTILLAEG = {
    "rule_set": "helbredstillaeg",
    "title_da": "Ansøg om helbredstillæg",
    "title_en": "Apply for the health supplement",
    "intro_da": (
        "Får du folkepension, kan du få tilskud til fx medicin, tandbehandling og briller. "
        "Oftest får du svar med det samme."
    ),
    "intro_en": (
        "If you receive the state old-age pension, you can get a supplement towards e.g. "
        "medicine, dental treatment and glasses. Most often you get the answer at once."
    ),
    "you_need_da": (
        "Din likvide formue pr. 1. januar (bankindestående, aktier, obligationer)\n"
        "Din personlige tillægsprocent fra pensionsmeddelelsen, hvis du kender den"
    ),
    "you_need_en": (
        "Your liquid assets on 1 January (bank deposits, shares, bonds)\n"
        "Your personal supplement percentage from the pension statement, if you know it"
    ),
    "minutes": 5,
    "steps": [
        (
            "Din pension",
            "Your pension",
            [
                _q(
                    "pension_type",
                    "radio",
                    "Hvilken pension får du?",
                    "Which pension do you receive?",
                    choices=_choices(
                        ("folkepension", "Folkepension", "Folkepension (state old-age pension)"),
                        (
                            "foertidspension_before_2003",
                            "Førtidspension tilkendt før 1. januar 2003",
                            "Førtidspension granted before 1 January 2003",
                        ),
                        (
                            "foertidspension_from_2003",
                            "Førtidspension tilkendt fra 1. januar 2003",
                            "Førtidspension granted from 1 January 2003",
                        ),
                        ("none", "Ingen pension", "No pension"),
                    ),
                ),
                _q(
                    "resident_in_denmark",
                    "yes_no",
                    "Bor du i Danmark?",
                    "Do you live in Denmark?",
                ),
            ],
        ),
        (
            "Husstand og formue",
            "Household and assets",
            [
                _q(
                    "cohabiting",
                    "yes_no",
                    "Er du gift eller samlevende?",
                    "Are you married or living with a partner?",
                ),
                _q(
                    "liquid_assets",
                    "decimal",
                    "Likvid formue i kroner",
                    "Liquid assets in kroner",
                    "Bankindestående, kontanter, aktier, obligationer og andre værdipapirer pr. "
                    "1. januar, sammen med din ægtefælle eller samlever. Din bolig og "
                    "pensionsopsparing tæller ikke med.",
                    "Bank deposits, cash, shares, bonds and other securities on 1 January, "
                    "together with your spouse or partner. Your home and pension savings do "
                    "not count.",
                    min_value=0,
                    max_value=1000000000,
                ),
            ],
        ),
        (
            "Indkomst",
            "Income",
            [
                _q(
                    "knows_percentage",
                    "yes_no",
                    "Kender du din personlige tillægsprocent?",
                    "Do you know your personal supplement percentage?",
                    "Den står på pensionsmeddelelsen fra Udbetaling Danmark.",
                    "It is on your pension statement from Udbetaling Danmark.",
                ),
                _q(
                    "supplement_percentage",
                    "integer",
                    "Din personlige tillægsprocent",
                    "Your personal supplement percentage",
                    show_if={"field": "knows_percentage", "equals": "yes"},
                    min_value=0,
                    max_value=100,
                ),
                _q(
                    "income_besides_pension",
                    "decimal",
                    "Indkomst ud over pensionen pr. år i kroner",
                    "Income besides the pension per year in kroner",
                    "Før skat, fx ATP, private pensioner og renter; for et par begges indkomst "
                    "(ikke din partners lønindkomst).",
                    "Before tax, for example ATP, private pensions and interest; for a couple "
                    "the income of both (not your partner's pay from work).",
                    show_if={"field": "knows_percentage", "equals": "no"},
                    min_value=0,
                    max_value=1000000000,
                ),
            ],
        ),
        (
            "Udgiften",
            "The expense",
            [
                _q(
                    "expenses",
                    "checkbox",
                    "Hvad søger du tilskud til?",
                    "What do you apply for a supplement towards?",
                    "Vælg alt det, der passer.",
                    "Choose all that apply.",
                    choices=_choices(
                        ("medicine", "Medicin", "Medicine"),
                        ("dental", "Tandbehandling", "Dental treatment"),
                        ("glasses", "Briller", "Glasses"),
                        ("physio", "Fysioterapi", "Physiotherapy"),
                        ("other", "Andet", "Something else"),
                    ),
                ),
                _q(
                    "expense_other",
                    "text",
                    "Hvad er det andet, du søger til?",
                    "What else do you apply for?",
                    show_if={"field": "expenses", "equals": "other"},
                    max_length=200,
                ),
            ],
        ),
    ],
}

BEGRAVELSESHJAELP = {
    "service": "suf-begravelseshjaelp",
    "title_da": "Ansøg om begravelseshjælp",
    "title_en": "Apply for a funeral grant",
    "intro_da": (
        "Når en person dør, kan boet eller de pårørende få hjælp til udgifterne til "
        "begravelsen eller bisættelsen. En sagsbehandler behandler ansøgningen."
    ),
    "intro_en": (
        "When a person dies, the estate or the next of kin can get help with the costs of "
        "the funeral or cremation. A caseworker handles the application."
    ),
    "you_need_da": "Afdødes CPR-nummer\nRegningen fra bedemanden",
    "you_need_en": "The deceased's CPR number\nThe undertaker's bill",
    "minutes": 10,
    "steps": [
        (
            "Afdøde",
            "The deceased",
            [
                _q("deceased_name", "text", "Afdødes navn", "The deceased's name", max_length=200),
                _q("deceased_cpr", "cpr", "Afdødes CPR-nummer", "The deceased's CPR number"),
                _q("date_of_death", "date", "Dødsdato", "Date of death"),
            ],
        ),
        (
            "Begravelsen",
            "The funeral",
            [
                _q(
                    "funeral_costs",
                    "decimal",
                    "Udgifterne til begravelsen i kroner",
                    "The costs of the funeral in kroner",
                    "Det samlede beløb på regningen fra bedemanden.",
                    "The total on the undertaker's bill.",
                    min_value=0,
                    max_value=1000000,
                ),
                _q(
                    "applicant_relation",
                    "radio",
                    "Hvad var du for afdøde?",
                    "What was your relation to the deceased?",
                    choices=_choices(
                        ("spouse", "Ægtefælle eller samlever", "Spouse or partner"),
                        ("child", "Barn", "Child"),
                        ("other", "Andet", "Other"),
                    ),
                ),
                _q(
                    "relation_other",
                    "text",
                    "Beskriv din relation til afdøde",
                    "Describe your relation to the deceased",
                    show_if={"field": "applicant_relation", "equals": "other"},
                    max_length=200,
                ),
            ],
        ),
        (
            "Kontakt",
            "Contact",
            [
                _q(
                    "email",
                    "email",
                    "Din e-mailadresse",
                    "Your email address",
                    "Hvis sagsbehandleren har spørgsmål.",
                    "In case the caseworker has questions.",
                    required=False,
                ),
                _q("phone", "phone", "Dit telefonnummer", "Your phone number", required=False),
            ],
        ),
    ],
}

BEBOERINDSKUDSLAAN = {
    "service": "suf-beboerindskudslaan",
    "title_da": "Ansøg om beboerindskudslån",
    "title_en": "Apply for a tenant deposit loan",
    "intro_da": (
        "Flytter du ind i en almen bolig, kan du låne til indskuddet hos kommunen. "
        "En sagsbehandler behandler ansøgningen."
    ),
    "intro_en": (
        "When you move into social housing, you can borrow the deposit from the "
        "municipality. A caseworker handles the application."
    ),
    "you_need_da": "Lejekontrakten med indskuddets størrelse\nHusstandens indkomst",
    "you_need_en": "The tenancy agreement with the deposit amount\nThe household's income",
    "minutes": 10,
    "steps": [
        (
            "Boligen",
            "The home",
            [
                _q(
                    "address", "text", "Boligens adresse", "The address of the home", max_length=200
                ),
                _q("move_in_date", "date", "Indflytningsdato", "Moving-in date"),
                _q(
                    "housing_kind",
                    "select",
                    "Hvilken slags bolig er det?",
                    "What kind of home is it?",
                    choices=_choices(
                        ("almen", "Almen bolig", "Social housing"),
                        ("privat", "Privat udlejning", "Private rental"),
                        ("andel", "Andelsbolig", "Housing cooperative"),
                    ),
                ),
                _q(
                    "deposit_amount",
                    "decimal",
                    "Indskuddet i kroner",
                    "The deposit in kroner",
                    min_value=0,
                    max_value=500000,
                ),
            ],
        ),
        (
            "Husstanden",
            "The household",
            [
                _q(
                    "adults",
                    "integer",
                    "Hvor mange voksne flytter ind?",
                    "How many adults move in?",
                    min_value=1,
                    max_value=10,
                ),
                _q(
                    "children",
                    "integer",
                    "Hvor mange børn under 18 år flytter ind?",
                    "How many children under 18 move in?",
                    min_value=0,
                    max_value=20,
                ),
                _q(
                    "household_income",
                    "decimal",
                    "Husstandens samlede indkomst pr. år før skat i kroner",
                    "The household's total income per year before tax in kroner",
                    min_value=0,
                    max_value=100000000,
                ),
            ],
        ),
        (
            "Kontakt",
            "Contact",
            [
                _q("phone", "phone", "Dit telefonnummer", "Your phone number"),
                _q("email", "email", "Din e-mailadresse", "Your email address", required=False),
            ],
        ),
    ],
}

RULE_SET_FORMS = (FRIPLADS, BOERNETILSKUD, HELBREDSTILLAEG)
PLAIN_FORMS = (BEGRAVELSESHJAELP, BEBOERINDSKUDSLAAN)


@dataclass(frozen=True)
class DemoResult:
    created: int
    skipped: int


def _service_for(definition: dict) -> Service:
    code = definition.get("service")
    if code is None:
        spec = rule_set_or_none(definition["rule_set"])
        if spec is None or not spec.service_codes:
            raise ServiceError(
                "selfservice.demo_rule_set",
                f"The decisions engine has no rule set {definition['rule_set']}.",
            )
        code = spec.service_codes[0]
    service = Service.objects.filter(code=code).first()
    if service is None:
        raise ServiceError(
            "selfservice.demo_service", f"The catalogue has no service {code}; load it first."
        )
    return service


@transaction.atomic
def form_from_definition(definition: dict, *, service: Service, active: bool = True):
    """Create one form (version 1) from a definition dict; checked like the admin does."""
    form = FormDefinition.objects.create(
        service=service,
        version=definition.get("version", 1),
        active=False,
        title_da=definition["title_da"],
        title_en=definition["title_en"],
        intro_da=definition.get("intro_da", ""),
        intro_en=definition.get("intro_en", ""),
        you_need_da=definition.get("you_need_da", ""),
        you_need_en=definition.get("you_need_en", ""),
        minutes=definition.get("minutes", 10),
        rule_set=definition.get("rule_set", ""),
    )
    fields = []
    for step_number, (title_da, title_en, questions) in enumerate(definition["steps"], 1):
        step = FormStep.objects.create(
            form=form, position=step_number, title_da=title_da, title_en=title_en
        )
        for position, question in enumerate(questions, 1):
            item = FormField(form=form, step=step, position=position, **question)
            problems = field_definition_errors(item)
            if problems:
                raise ServiceError("selfservice.demo_invalid", f"{item.name}: {problems}")
            item.save()
            fields.append(item)
    problems = structure_errors(form, fields)
    if problems:
        raise ServiceError("selfservice.demo_invalid", "; ".join(problems))
    if active:
        form.active = True
        form.save(update_fields=["active"])
    return form


def demo_forms_create() -> DemoResult:
    """The demo forms that do not exist yet (a service with any form is left alone)."""
    created = skipped = 0
    for definition in (*RULE_SET_FORMS, *PLAIN_FORMS):
        service = _service_for(definition)
        if FormDefinition.objects.filter(service=service).exists():
            skipped += 1
            continue
        form_from_definition(definition, service=service)
        created += 1
    return DemoResult(created=created, skipped=skipped)
