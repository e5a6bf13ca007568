from decimal import Decimal

import pytest

from borgerservice.analytics.portfolio import computed_share, table2
from borgerservice.catalogue.models import AreaVolume

pytestmark = pytest.mark.django_db


def test_table2_totals_equal_001():
    # 001 section 2, table 2, row "Samlet".
    result = table2(2009)
    assert result.discrepancies == []
    assert result.totals["fte"] == Decimal("541")
    assert result.totals["contacts"] == 2_475_006
    assert result.totals["cases"] == 296_090


@pytest.mark.parametrize(
    ("code", "reported", "tolerance"),
    [
        ("bif-ydelsesservice", 93, 0.5),  # 001 §4.3, table 9: 182,800 / 195,800 applications
        ("tmf-parkering-kundeservice", 96, 0.5),  # 001 §4.4.2, table 14: 55,600 / 58,000
        ("tmf-affaldsservice", 85, 0.5),  # 001 §4.4.1, table 12: 54,000 / 63,500
        ("buf-pladsanvisning-foraeldrebetaling", 48, 0.5),  # 001 §4.6, table 21, of contacts
        # 001 §4.5, table 18: 76.5 % reported; the mean of the seven benefits is 76.43.
        ("suf-pensionsomraadet", 76.5, 0.1),
    ],
)
def test_reported_percentages(code, reported, tolerance):
    volume = AreaVolume.objects.select_related("area").get(area__code=code, year=2009)
    assert abs(computed_share(volume) - reported) <= tolerance
