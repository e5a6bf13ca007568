"""The Copenhagen catalogue as loaded from the project's data files, checked against the sources.

Counts of the 2005 report (003, chapter 7): the information list has 137 task
lines, the rule-based list 34, the P/O-office list 14 and the list of tasks left
in the departments 81; a task on several lists is one service, 138 in all.
Table 2 of the 2010 analysis (001): 541 FTE, 2,475,006 contacts, 296,090 cases.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from borgerservice.catalogue.models import (
    AreaVolume,
    CatalogueState,
    Department,
    KleTopic,
    LifeSituation,
    OpeningHours,
    Service,
    ServiceArea,
    ServiceCentre,
)
from borgerservice.catalogue.services import (
    DATA_DIR,
    catalogue_load_copenhagen,
    kle_import,
    load_service_files,
)
from borgerservice.core.errors import ServiceError

pytestmark = pytest.mark.django_db

SOURCES = Path(__file__).resolve().parents[3] / "shared" / "sources"
TASK_LIST_LINES = {"information": 137, "rule_based": 34, "po_office": 14, "department": 81}
SERVICES_BY_2005_DEPARTMENT = {
    "BTF": 18,
    "FAF": 43,
    "KFF": 9,  # eight KFF lines and the joint KFF/KSR line
    "KI": 1,
    "KSR": 19,  # eighteen KSR lines and the joint KFF/KSR line
    "MFF": 19,
    "Stat": 5,
    "SUF": 18,
    "UUF": 7,
}


def test_every_task_line_is_one_service():
    assert Service.objects.count() == 138
    for task_list, lines in TASK_LIST_LINES.items():
        on_list = [s for s in Service.objects.all() if task_list in s.task_lists]
        assert len(on_list) == lines, task_list


def test_task_lines_counted_in_the_source_itself():
    """Recount the four lists in the OCR text when the shared sources are present."""
    path = SOURCES / "003_7cee74d6238242ff.txt"
    if not path.exists():
        pytest.skip("shared sources not present")
    text = path.read_text(encoding="utf-8")
    start = text.index("BBR BTF X")
    end = text.index("ANTAL BORGERSERVICECENTRE")
    section = text[start:end]
    marks = [
        section.index("med regelstyret sagsbehandling"),
        section.index("Samlokalisering med P/ O-kontorer"),
        section.index("som ikke er lagt i Kebenhavns Borgerservice"),
    ]
    parts = [
        section[: marks[0]],
        section[marks[0] : marks[1]],
        section[marks[1] : marks[2]],
        section[marks[2] :],
    ]
    code = r"(?:KFF/KSR|BTF|FAF|KFF|KSR|MFF|SUF|UUF|KI|Stat)"
    task_line = re.compile(rf"^(?:.*\S\s+)?{code}\s*[|\[]?\s*(?:X|x\)?|Ny)?\s*$", re.MULTILINE)
    counted = [len(task_line.findall(part)) for part in parts]
    assert counted == list(TASK_LIST_LINES.values())


def test_services_by_2005_department():
    counts = Counter(
        code
        for service in Service.objects.prefetch_related("source_departments")
        for code in (d.code for d in service.source_departments.all())
    )
    assert dict(counts) == SERVICES_BY_2005_DEPARTMENT


def test_names_are_spelt_as_the_task_list_with_ocr_corrected():
    names = set(Service.objects.values_list("name_da", flat=True))
    assert "Børnetilskud ordinært/ekstra" in names
    assert "Børnetilskud (særligt tilskud, flerbørn, uddannelsessøgende, adoption)" in names
    assert "Folkeregister (nyt sygesikringskort)" in names
    assert "Økonomisk friplads" in names
    assert "Ansøgning om trafikale ændringer/afmærkninger på private fællesveje" in names
    for name in names:
        assert not re.search(r"[@®|\[]|Bgrn|Kebenhavn|Kgbenhavn|ansggning|stgtte", name), name
    # Services keep their source department: the same name in two departments is two services.
    assert Service.objects.filter(name_da="Beboerindskudslån").count() == 2


def test_levels_follow_the_lists():
    flytning = Service.objects.get(name_da="Folkeregister (flytteanmeldelser)")
    assert flytning.levels == [1, 2]
    assert flytning.handled_in == Service.HandledIn.FRONT_OFFICE
    pension = Service.objects.get(name_da="Folkepension")
    assert pension.levels == [1, 2]
    assert pension.handled_in == Service.HandledIn.FRONT_AND_BACK
    byggesager = Service.objects.get(name_da="Byggesager")
    assert byggesager.levels == [1, 3]
    assert byggesager.handled_in == Service.HandledIn.DEPARTMENT
    assert Service.objects.get(name_da="BBR").levels == [1]
    assert Service.objects.get(name_da="Henvendelser i øvrigt").levels == [2]
    assert Service.objects.filter(status=Service.Status.EXISTING).count() == 41
    assert Service.objects.filter(status=Service.Status.NEW).count() == 97


def test_every_service_is_complete():
    for service in Service.objects.prefetch_related("channel_links"):
        assert service.name_en and service.description_da and service.description_en
        assert service.guidance_da and service.guidance_en
        assert service.channels, service.code
        assert service.preferred_channel in service.channels, service.code
        assert service.synonyms_da, service.code


def test_departments_and_their_mapping():
    current = set(Department.objects.filter(kind="current").values_list("code", flat=True))
    assert current == {"ØKF", "KFF", "BIF", "TMF", "SUF", "BUF", "SOF"}
    former = set(Department.objects.filter(kind="former").values_list("code", flat=True))
    assert former == {"BTF", "FAF", "KSR", "MFF", "SUF", "UUF", "KFF", "KI"}
    assert Department.objects.get(kind="external").code == "Stat"
    btf = Department.objects.get(kind="former", code="BTF")
    assert [d.code for d in btf.successors.all()] == ["TMF"]
    faf = Department.objects.get(kind="former", code="FAF")
    assert {d.code for d in faf.successors.all()} == {"BIF", "SOF", "BUF", "ØKF"}
    assert Service.objects.get(name_da="Pas og kørekort").department.kind == "external"
    # Every owning department is a current department or an external authority.
    assert not Service.objects.filter(department__kind="former").exists()


def test_table_2_totals():
    totals = AreaVolume.objects.filter(in_table2_total=True).aggregate(
        fte=Sum("fte"), contacts=Sum("contacts"), cases=Sum("cases")
    )
    assert totals == {"fte": Decimal("541"), "contacts": 2_475_006, "cases": 296_090}


def test_every_analysed_area_has_figures():
    units = ServiceArea.objects.filter(kind=ServiceArea.Kind.UNIT)
    assert units.count() >= 9
    for unit in units:
        assert unit.volumes.exists(), unit.code
    kontanthjaelp = AreaVolume.objects.get(area__code="kontanthjaelp")
    assert kontanthjaelp.contacts == 254_390
    assert kontanthjaelp.channel_phone == Decimal("92450")
    pension = AreaVolume.objects.get(area__code="pension-folkepension")
    assert pension.contacts == 91_800 and pension.resolved_share_pct == Decimal("80")


def test_life_situations_and_centres():
    assert set(LifeSituation.objects.values_list("code", flat=True)) == {
        "family_change",
        "work_change",
        "housing_change",
        "third_age",
        "birth",
        "death",
        "arriving",
        "leaving",
    }
    birth = LifeSituation.objects.get(code="birth")
    assert birth.services.filter(name_da="Folkeregister (nyt sygesikringskort)").exists()
    centres = ServiceCentre.objects.all()
    assert {c.name_da for c in centres} >= {
        "Borgerservice Indre By",
        "Borgerservice Østerbro",
        "Borgerservice Bispebjerg",
        "Borgerservice Vanløse",
        "Borgerservice Valby",
        "Borgerservice Amager",
        "Kontaktcentret",
    }
    indre_by = ServiceCentre.objects.get(code="indre-by")
    hours = {(h.weekday, h.opens.hour, h.closes.hour) for h in indre_by.opening_hours.all()}
    assert hours == {(0, 10, 18), (1, 10, 18), (2, 10, 18), (3, 10, 18), (4, 10, 18), (5, 10, 14)}
    benefits = OpeningHours.objects.filter(line="benefits_phone")
    assert benefits.count() == 5
    assert {(h.opens.hour, h.closes.hour) for h in benefits} == {(10, 14)}


def test_reloading_unchanged_files_writes_nothing():
    stamps = dict(Service.objects.values_list("code", "updated_at"))
    version = CatalogueState.objects.get().version
    catalogue_load_copenhagen()
    assert dict(Service.objects.values_list("code", "updated_at")) == stamps
    assert CatalogueState.objects.get().version == version + 1  # one bump per load


def test_rows_removed_from_the_files_are_removed(tmp_path):
    import json
    import shutil

    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "services" / "ki.json"
    path.write_text("[]", encoding="utf-8")
    centres = json.loads((data / "centres.json").read_text(encoding="utf-8"))
    centres["centres"] = [c for c in centres["centres"] if c["code"] != "valby"]
    (data / "centres.json").write_text(json.dumps(centres), encoding="utf-8")
    report = catalogue_load_copenhagen(data_dir=data)
    assert not Service.objects.filter(code="ki-vejvisning").exists()
    assert not ServiceCentre.objects.filter(code="valby").exists()
    assert Service.objects.count() == 137
    assert report.removed >= 2


def test_loading_is_idempotent():
    before = {
        model: model.objects.count()
        for model in (Service, Department, ServiceArea, AreaVolume, OpeningHours)
    }
    version = CatalogueState.objects.get().version
    catalogue_load_copenhagen()
    after = {model: model.objects.count() for model in before}
    assert before == after
    assert CatalogueState.objects.get().version > version


def test_kle_import(kle_loaded, tmp_path):
    if not kle_loaded:
        pytest.skip("OS2KLE file not present")
    assert KleTopic.objects.count() > 2000
    topic = KleTopic.objects.get(code="00.01.00")
    words = [word for word, _weight in topic.keywords]
    assert "Partistøtteloven §4" in words
    assert not any(word.startswith("ok0") for word in words)  # journal codes are dropped
    mapped = Service.objects.exclude(kle_code="")
    assert mapped.count() > 100
    known = set(KleTopic.objects.values_list("code", flat=True))
    assert {s.kle_code for s in mapped} <= known


def test_kle_import_is_idempotent_and_rejects_bad_files(tmp_path):
    sample = tmp_path / "kle.txt"
    sample.write_text(
        "header line\n"
        "KLENummer='99.01.00':KLETitel='Prøveemne':Keywords[Weight]=prøve[5];test[5];ok01[1000];\n",
        encoding="utf-8",
    )
    kle_import(path=sample)
    kle_import(path=sample)
    assert KleTopic.objects.filter(code="99.01.00").count() == 1
    assert KleTopic.objects.get(code="99.01.00").keywords == [["prøve", 5], ["test", 5]]
    # The file is the whole KLE: topics it no longer holds disappear.
    assert KleTopic.objects.count() == 1

    odd = tmp_path / "odd.txt"
    odd.write_text(
        "KLENummer='99.02.00':KLETitel='Børn's sag':Keywords[Weight]=kort[ 5];\n"
        "KLENummer='99.03':broken line\n",
        encoding="utf-8",
    )
    report = kle_import(path=odd)
    topic = KleTopic.objects.get(code="99.02.00")
    assert topic.title == "Børn's sag" and topic.keywords == [["kort", 5]]
    assert report.skipped_lines == 1 and report.removed == 1
    bad = tmp_path / "bad.txt"
    bad.write_text("not a KLE file", encoding="utf-8")
    count = KleTopic.objects.count()
    with pytest.raises(ServiceError) as error:
        kle_import(path=bad)
    assert error.value.code == "kle.file_empty"
    with pytest.raises(ServiceError):
        kle_import(path=tmp_path / "missing.txt")
    assert KleTopic.objects.count() == count


def test_bad_data_changes_nothing(tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    broken = data / "services" / "btf.json"
    broken.write_text(broken.read_text(encoding="utf-8").replace('"walk_in"', '"pigeon"'))
    names = list(Service.objects.order_by("pk").values_list("name_da", flat=True))
    with pytest.raises(ServiceError) as error:
        catalogue_load_copenhagen(data_dir=data)
    assert error.value.code == "catalogue.data_invalid"
    assert list(Service.objects.order_by("pk").values_list("name_da", flat=True)) == names


def test_service_files_have_unique_codes():
    entries = load_service_files(DATA_DIR)
    assert len({entry["code"] for entry in entries}) == len(entries) == 138


def test_database_constraints_hold():
    service = Service.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.filter(pk=service.pk).update(level_1=False, level_2=False, level_3=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.filter(pk=service.pk).update(kle_code="27.xx")
    centre = ServiceCentre.objects.first()
    row = centre.opening_hours.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHours.objects.create(
            centre=centre, line=row.line, weekday=row.weekday, opens=row.opens, closes=row.closes
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHours.objects.filter(pk=row.pk).update(opens=row.closes, closes=row.opens)
    volume = AreaVolume.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        AreaVolume.objects.filter(pk=volume.pk).update(resolved_share_pct=Decimal("140"))
