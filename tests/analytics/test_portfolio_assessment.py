"""The five-principle assessment reproduces 001's conclusions and reported percentages."""

from __future__ import annotations

import pytest
from django.utils.translation import override

from borgerservice.analytics import portfolio
from borgerservice.analytics.portfolio import (
    HIGH,
    LOW,
    MEDIUM,
    MET,
    NOT_MET,
    PARTLY,
    SUPPORT,
    PrincipleResult,
    assessment,
    computed_share,
    overall_suitability,
)
from borgerservice.catalogue.models import AreaVolume

pytestmark = pytest.mark.django_db


@pytest.fixture
def by_code():
    with override("en"):
        return {a.area.code: a for a in assessment(2009)}


# 001 section 2 (summary and table 1) and the "Vurdering" of each area in section 5.
EXPECTED = {
    "okf-kbs": HIGH,
    "okf-kontaktcenter": HIGH,
    "okf-center-for-sikringsydelser": HIGH,
    "okf-stoettefunktioner": SUPPORT,
    "kff-administrativ-borgerservice": HIGH,
    "bif-ydelsesservice": MEDIUM,  # specific tasks (phone service, maternity benefit, fraud)
    "tmf-affaldsservice": HIGH,
    "tmf-parkering-kundeservice": HIGH,
    "suf-pensionsomraadet": HIGH,
    "buf-pladsanvisning-foraeldrebetaling": LOW,  # possible future area
    "tmf-byggesagsomraadet": LOW,  # possible future area
}


def test_every_unit_001_analyses_is_assessed(by_code):
    assert set(by_code) == set(EXPECTED)


@pytest.mark.parametrize(("code", "expected"), sorted(EXPECTED.items()))
def test_suitability_reproduces_001s_conclusion(by_code, code, expected):
    item = by_code[code]
    assert item.suitability == expected
    assert item.agrees_with_001


def test_the_areas_001_recommends_moving(by_code):
    moving = sorted(code for code, a in by_code.items() if a.suitability == HIGH)
    assert moving == [
        "kff-administrativ-borgerservice",
        "okf-center-for-sikringsydelser",
        "okf-kbs",
        "okf-kontaktcenter",
        "suf-pensionsomraadet",
        "tmf-affaldsservice",
        "tmf-parkering-kundeservice",
    ]


@pytest.mark.parametrize(
    ("code", "reported", "recomputed"),
    [
        ("bif-ydelsesservice", 93, 93.3606),  # 182,800 / 195,800 (001 table 9)
        ("tmf-parkering-kundeservice", 96, 95.8621),  # 55,600 / 58,000 (table 14)
        ("tmf-affaldsservice", 85, 85.0394),  # 54,000 / 63,500 (table 12)
        ("buf-pladsanvisning-foraeldrebetaling", 48, 48.0979),  # 130,427 / 271,170 contacts
        # Table 18 reports 76.5; the mean of the seven benefits' shares is 535 / 7 = 76.43.
        ("suf-pensionsomraadet", 76.5, 76.4286),
    ],
)
def test_principle_1_figure_and_the_reported_share(by_code, code, reported, recomputed):
    item = by_code[code]
    assert item.reported_share == reported
    assert item.resolved_share == pytest.approx(recomputed, abs=1e-4)
    assert round(item.resolved_share) == round(reported)
    assert item.principles[0].value == pytest.approx(recomputed, abs=0.005)


def test_pension_meets_principle_1_with_either_figure(by_code):
    pension = by_code["suf-pensionsomraadet"]
    assert pension.principles[0].judgement == MET
    for share in (76.43, 76.5):
        assert share >= portfolio.SHARE_MET_PCT
    assert abs(pension.resolved_share - 76.5) == pytest.approx(0.0714, abs=1e-4)


def test_childcare_office_does_not_meet_principle_1(by_code):
    result = by_code["buf-pladsanvisning-foraeldrebetaling"].principles[0]
    assert (result.judgement, result.figure) == (NOT_MET, "48.1 %")


def test_administrative_citizen_service_share_counts_only_measured_sub_areas(by_code):
    # Collection 24,500/24,500, health insurance 23,770/23,770, licensing 18,840/20,067.
    kff = by_code["kff-administrativ-borgerservice"]
    assert kff.share_basis == "measured_sub_areas"
    assert kff.resolved_share == pytest.approx(100 * 67_110 / 68_337)
    assert kff.principles[0].judgement == MET
    # The plain total (civil registration's unmeasured 22,523 counted as not resolved):
    volume = AreaVolume.objects.get(area__code="kff-administrativ-borgerservice", year=2009)
    assert computed_share(volume) == pytest.approx(100 * 43_340 / 67_090)  # 64.6 %


def test_principle_2_from_responsibility_and_interfaces(by_code):
    judgements = {code: a.principles[1].judgement for code, a in by_code.items()}
    assert judgements["bif-ydelsesservice"] == NOT_MET  # the law keeps BIU responsible
    assert judgements["buf-pladsanvisning-foraeldrebetaling"] == NOT_MET
    assert judgements["kff-administrativ-borgerservice"] == PARTLY  # 13 outside parties
    assert by_code["kff-administrativ-borgerservice"].principles[1].value == 13
    assert judgements["suf-pensionsomraadet"] == MET
    assert judgements["okf-kbs"] == MET  # exempt: the one entrance itself


def test_principle_3_volume(by_code):
    assert by_code["tmf-byggesagsomraadet"].principles[2].value == 38_000
    assert by_code["tmf-byggesagsomraadet"].principles[2].judgement == PARTLY
    assert by_code["okf-center-for-sikringsydelser"].principles[2].value == 71_000
    assert by_code["tmf-affaldsservice"].principles[2].judgement == MET


@pytest.mark.parametrize(
    ("code", "share"),
    [
        ("bif-ydelsesservice", 100 * 600_130 / 666_280),  # table 10
        ("tmf-affaldsservice", 100 * 75_500 / 91_500),  # table 11
        ("tmf-parkering-kundeservice", 100 * (0.78 * 14_210 + 0.96 * 46_060) / 60_270),
        ("buf-pladsanvisning-foraeldrebetaling", 72.7),  # 2/3 phone + 6 % in person
        ("suf-pensionsomraadet", 50.0),  # "about half" written
        ("okf-kontaktcenter", 100.0),
    ],
)
def test_principle_5_staff_handled_share(by_code, code, share):
    assert by_code[code].assisted_share == pytest.approx(share, abs=1e-6)
    assert by_code[code].principles[4].judgement == MET


def test_areas_without_a_channel_split_have_no_principle_5_figure(by_code):
    assert by_code["okf-kbs"].assisted_share is None
    assert by_code["okf-kbs"].principles[4].judgement == portfolio.UNKNOWN


def _results(*judgements):
    return [PrincipleResult(n, j, "", None, "") for n, j in enumerate(judgements, start=1)]


def test_overall_rule():
    facts = portfolio.AREA_FACTS_001["suf-pensionsomraadet"]
    assert overall_suitability(_results(MET, PARTLY, MET, MET, MET), facts)[0] == HIGH
    assert overall_suitability(_results(MET, NOT_MET, MET, MET, MET), facts)[0] == MEDIUM
    assert overall_suitability(_results(MET, NOT_MET, MET, NOT_MET, MET), facts)[0] == LOW
    assert overall_suitability(_results(PARTLY, MET, MET, MET, MET), facts)[0] == LOW
    assert overall_suitability(_results(MET, MET, PARTLY, MET, MET), facts)[0] == LOW


def test_assessment_is_the_same_in_both_languages():
    with override("da"):
        danish = [(a.area.code, a.suitability) for a in assessment(2009)]
    with override("en"):
        english = [(a.area.code, a.suitability) for a in assessment(2009)]
    assert danish == english


def test_as_dict_carries_inputs_and_judgements(by_code):
    with override("en"):
        data = by_code["suf-pensionsomraadet"].as_dict()
    assert data["fte"] == 103.0 and data["contacts"] == 306_000 and data["applications"] == 7855
    assert data["reported_share_pct"] == 76.5 and data["resolved_share_pct"] == 76.43
    assert data["target_group"] == "Pensioners"
    assert [p["judgement"] for p in data["principles"]] == [MET] * 5
    assert data["suitability"] == HIGH and data["conclusion_001"] == "transfer"


def test_the_loaded_tree_gives_the_same_shares_as_computed_share():
    from borgerservice.analytics.portfolio import VolumeTree, recomputed_share

    tree = VolumeTree(2009)
    volumes = AreaVolume.objects.filter(year=2009).select_related("area")
    compared = 0
    for volume in volumes:
        expected = computed_share(volume)
        assert recomputed_share(volume, tree) == expected
        compared += expected is not None
    assert compared >= 20
