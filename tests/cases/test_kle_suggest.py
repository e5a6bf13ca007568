"""KLE suggestions for a case: the keyword matcher (with and without æøå, ranking,
compounds), the index of the process (empty without KLE, rebuilt after an import),
the service that sets the case's KLE number, the panel on the case page and the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation

from borgerservice.accounts.models import AuditEntry
from borgerservice.accounts.roles import SPECIALIST
from borgerservice.api.auth import api_token_create
from borgerservice.cases import kle
from borgerservice.cases.kle import KleIndex, kle_suggest
from borgerservice.cases.models import Case, CaseType
from borgerservice.cases.services import case_create, case_kle_set, case_note_add
from borgerservice.catalogue.models import KleTopic, Service
from borgerservice.catalogue.services import _one_version_bump, kle_import
from borgerservice.core.errors import ServiceError
from tests.citizens.factories import CitizenFactory

pytestmark = pytest.mark.django_db

TOPICS = [
    (
        "32.18.14",
        "Plejevederlag, pasning af døende",
        [
            ["Plejevederlag", 5],
            ["pasning af døende", 20],
            ["Døende i eget hjem", 5],
            ["Terminalpleje", 20],
            ["Ansøgning om plejevederlag", 50],
            ["orlov", 5],
        ],
    ),
    (
        "32.06.00",
        "Boligstøtte i almindelighed",
        [["Boligstøtte", 5], ["Boligsikring", 5], ["Huslejetilskud", 20], ["ansøgning", 5]],
    ),
    (
        "27.36.04",
        "Personlig og praktisk hjælp",
        [["Hjemmehjælp", 5], ["Praktisk hjælp", 5], ["Rengøring", 5], ["ældre", 5]],
    ),
    (
        "27.36.24",
        "Madservice",
        [["Madservice", 5], ["Madordning", 5], ["ældre", 5]],
    ),
    (
        "23.09.02",
        "Pas",
        [["Pas", 5], ["Nødpas", 20], ["Fornyelse af pas", 50], ["orlov", 5]],
    ),
]

KLE_TEXT = "\n".join(
    f"KLENummer='{code}':KLETitel='{title}':Keywords[Weight]="
    + "".join(f"{word}[{weight}];" for word, weight in keywords)
    for code, title, keywords in TOPICS
)


@pytest.fixture(autouse=True)
def fresh_index():
    """Each test starts without a cached index: the catalogue version is rolled back with
    the test's transaction, so a cached index could otherwise outlive its rows."""
    kle._index.clear()
    yield
    kle._index.clear()


@pytest.fixture(autouse=True)
def danish():
    translation.activate("da")
    yield
    translation.activate("da")


def topics_replace(topics=TOPICS) -> None:
    with _one_version_bump():
        KleTopic.objects.all().delete()
        KleTopic.objects.bulk_create(
            KleTopic(code=code, title=title, keywords=keywords) for code, title, keywords in topics
        )


@pytest.fixture
def small_kle():
    topics_replace()


@pytest.fixture
def no_kle():
    topics_replace([])


@pytest.fixture
def index() -> KleIndex:
    return KleIndex(TOPICS)


def codes(suggestions) -> list[str]:
    return [s.code for s in suggestions]


# --- the matcher -------------------------------------------------------------------------


def test_phrases_are_found_with_and_without_danish_letters(index):
    for text in (
        "Ansøgning om plejevederlag til pasning af døende mor",
        "Ansogning om plejevederlag til pasning af doende mor",
        "ANSOEGNING OM PLEJEVEDERLAG TIL PASNING AF DOENDE MOR",
    ):
        found = index.suggest(text)
        assert codes(found)[0] == "32.18.14", text
        assert "pasning af døende" in found[0].matched
        assert "Ansøgning om plejevederlag" in found[0].matched
    assert codes(index.suggest("aeldre borger far madservice"))[0] == "27.36.24"


def test_inflected_words_and_compounds_match(index):
    assert codes(index.suggest("Plejevederlaget er bevilget"))[0] == "32.18.14"
    # The keyword is the first part of a compound.
    found = index.suggest("boligstotteansogning modtaget")
    assert codes(found)[0] == "32.06.00" and "Boligstøtte" in found[0].matched


def test_ranking_weighs_keyword_weight_rarity_and_phrases(index):
    # "ældre" is a keyword of two topics; "madservice" only of one: the rarer word decides.
    assert codes(index.suggest("Ældre borger ønsker madservice"))[:2] == ["27.36.24", "27.36.04"]
    # "orlov" (weight 5, two topics) loses to the weight-50 phrase "fornyelse af pas".
    found = index.suggest("Fornyelse af pas før orlov")
    assert codes(found)[0] == "23.09.02"
    assert all(other.score < found[0].score for other in found[1:])
    # A whole phrase beats its single words scattered in the text.
    scattered = index.suggest("pasning hos døende")
    phrase = index.suggest("pasning af døende")
    assert phrase[0].score > (scattered[0].score if scattered else 0)


def test_topic_titles_count(index):
    # "praktisk" is only in the title and one keyword phrase of 27.36.04.
    assert codes(index.suggest("Personlig og praktisk hjælp i hjemmet"))[0] == "27.36.04"


def test_no_match_and_limit(index):
    assert index.suggest("") == []
    assert index.suggest("Vejret er godt i dag") == []
    assert len(index.suggest("ældre orlov pas madservice plejevederlag boligstøtte", limit=2)) == 2
    assert KleIndex([]).suggest("plejevederlag") == []


def test_the_real_os2kle_file(kle_loaded):
    from tests.conftest import KLE_FILE

    if not kle_loaded:
        pytest.skip("the OS2KLE file is not present")
    from borgerservice.catalogue.services import parse_kle_file

    index = KleIndex(parse_kle_file(KLE_FILE).topics)
    assert codes(index.suggest("Ansogning om plejevederlag til pasning af doende"))[0] == (
        "32.18.14"
    )
    assert "32.06.00" in codes(index.suggest("Borgeren søger boligstøtte"))[:3]


# --- the index of the process -------------------------------------------------------------


def test_empty_when_no_kle_is_imported(no_kle):
    assert kle_suggest("Ansøgning om plejevederlag") == []
    assert not kle.kle_loaded()


def test_the_index_is_rebuilt_after_an_import(no_kle, tmp_path):
    assert kle_suggest("plejevederlag") == []
    path = Path(tmp_path) / "OS2KLE.txt"
    path.write_text(KLE_TEXT, encoding="utf-8")
    kle_import(path=path)
    assert codes(kle_suggest("plejevederlag"))[0] == "32.18.14"
    assert kle_suggest("hospice") == []
    # A new version of the file: same topics, a keyword more.
    path.write_text(KLE_TEXT.replace("orlov[5];", "orlov[5];Hospice[20];", 1), encoding="utf-8")
    kle_import(path=path)
    assert codes(kle_suggest("hospice")) == ["32.18.14"]
    # An edited topic (the admin) counts too.
    topic = KleTopic.objects.get(code="27.36.24")
    topic.keywords = [*topic.keywords, ["Køkken", 20]]
    topic.save()
    assert codes(kle_suggest("køkken")) == ["27.36.24"]


# --- cases: the service, the page and the API ------------------------------------------------


def person(username: str):
    user = get_user_model().objects.create_user(username=username, password="x")
    user.groups.add(Group.objects.get(name=SPECIALIST))
    return user


@pytest.fixture
def worker():
    return person("sagsbehandler")


@pytest.fixture
def case(worker) -> Case:
    case_type, _created = CaseType.objects.update_or_create(
        service=Service.objects.get(code="suf-helbredstillaeg"),
        defaults={"name_da": "Helbredstillæg", "name_en": "Health supplement"},
    )
    case = case_create(
        user=worker,
        case_type=case_type,
        citizen=CitizenFactory(),
        title="Ansøgning om plejevederlag",
        channel="self_service",
        received_on=timezone.localdate(),
    )
    case.unit.members.add(worker)
    case_note_add(user=worker, case_id=case.pk, text="Moren er døende og ønsker at være hjemme.")
    return case


def detail_url(case) -> str:
    return reverse("cases:detail", args=[case.number])


def kle_url(case) -> str:
    return reverse("cases:kle", args=[case.number])


def test_the_case_page_shows_the_panel_with_suggestions(client, worker, case, small_kle):
    client.force_login(worker)
    html = client.get(detail_url(case)).content.decode()
    assert 'id="case-kle"' in html and 'id="case-kle-heading"' in html
    assert "32.18.14" in html and "Plejevederlag, pasning af døende" in html
    assert f'action="{kle_url(case)}"' in html and f'hx-post="{kle_url(case)}"' in html
    assert 'name="kle_code" value="32.18.14"' in html and "csrfmiddlewaretoken" in html


def test_no_panel_without_kle(client, worker, case, no_kle):
    client.force_login(worker)
    html = client.get(detail_url(case)).content.decode()
    assert 'id="case-kle"' not in html


def test_use_sets_the_kle_number_and_writes_an_audit_entry(client, worker, case, small_kle):
    client.force_login(worker)
    before = AuditEntry.objects.count()
    response = client.post(kle_url(case), {"kle_code": "32.18.14"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"{detail_url(case)}#case-kle")
    case.refresh_from_db()
    assert case.kle_code == "32.18.14"
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "change" and case.number in entry.what and "32.18.14" in entry.what
    page = client.get(detail_url(case)).content.decode()
    assert "<strong>32.18.14</strong> Plejevederlag, pasning af døende" in page
    # The number in use has no button of its own.
    assert 'name="kle_code" value="32.18.14"' not in page


def test_use_with_htmx_returns_the_panel(client, worker, case, small_kle):
    client.force_login(worker)
    response = client.post(kle_url(case), {"kle_code": "27.36.24"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="case-kle-heading"' in html
    assert "<strong>27.36.24</strong> Madservice" in html
    # The facts table at the top of the page is updated in the same answer.
    assert '<span id="case-kle-code" hx-swap-oob="true">27.36.24' in html
    case.refresh_from_db()
    assert case.kle_code == "27.36.24"


@pytest.mark.parametrize("code", ["99.99.99", "32.18", "321814", "32.18.1x", "", "٣٢.١٨.١٤"])
def test_a_bad_code_is_refused_and_changes_nothing(client, worker, case, small_kle, code):
    client.force_login(worker)
    before_code = Case.objects.get(pk=case.pk).kle_code
    before = AuditEntry.objects.filter(action="change").count()
    response = client.post(kle_url(case), {"kle_code": code})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#kle_code"' in html and 'aria-invalid="true"' in html
    assert Case.objects.get(pk=case.pk).kle_code == before_code
    assert AuditEntry.objects.filter(action="change").count() == before
    # The htmx form gets the panel with the error, status 200 so that htmx swaps it.
    response = client.post(kle_url(case), {"kle_code": code}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'href="#kle_code"' in response.content.decode()
    assert Case.objects.get(pk=case.pk).kle_code == before_code
    assert AuditEntry.objects.filter(action="change").count() == before
    # The panel it shows is a read of the case, logged as one.
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "view" and "KLE" in entry.what and case.number in entry.what


def test_without_kle_only_the_format_is_checked(worker, case, no_kle):
    assert case_kle_set(user=worker, case_id=case.pk, kle_code=" 99.99.99 ").kle_code == (
        "99.99.99"
    )
    with pytest.raises(ServiceError) as error:
        case_kle_set(user=worker, case_id=case.pk, kle_code="99.99")
    assert error.value.code == "case.kle_format" and error.value.field == "kle_code"


def test_the_service_refuses_an_unknown_code_and_strangers(worker, case, small_kle):
    with pytest.raises(ServiceError) as error:
        case_kle_set(user=worker, case_id=case.pk, kle_code="99.99.99")
    assert error.value.code == "case.kle_unknown"
    with pytest.raises(ServiceError) as error:
        case_kle_set(user=person("fremmed"), case_id=case.pk, kle_code="32.18.14")
    assert error.value.status == 404
    assert Case.objects.get(pk=case.pk).kle_code != "32.18.14"


def test_strangers_cannot_post(client, case, small_kle):
    client.force_login(person("fremmed"))
    assert client.post(kle_url(case), {"kle_code": "32.18.14"}).status_code == 404
    assert Case.objects.get(pk=case.pk).kle_code != "32.18.14"


def api_get(client, user, url):
    token = api_token_create(user=user, name="test")
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_suggests_topics(client, worker, case, small_kle):
    url = f"/api/v1/cases/{case.number}/kle-suggestions"
    before = AuditEntry.objects.count()
    response = api_get(client, worker, url)
    assert response.status_code == 200
    suggestions = response.json()["suggestions"]
    assert suggestions[0]["code"] == "32.18.14"
    assert suggestions[0]["title"] == "Plejevederlag, pasning af døende"
    assert suggestions[0]["score"] > 0
    assert set(suggestions[0]) == {"code", "title", "score"}
    assert AuditEntry.objects.count() == before + 1
    assert api_get(client, person("fremmed"), url).status_code == 404
    assert api_get(client, worker, "/api/v1/cases/2099-999999/kle-suggestions").status_code == 404
    assert client.get(url).status_code == 401


def test_the_api_is_empty_without_kle(client, worker, case, no_kle):
    url = f"/api/v1/cases/{case.number}/kle-suggestions"
    response = api_get(client, worker, url)
    assert response.status_code == 200 and response.json() == {"suggestions": []}
