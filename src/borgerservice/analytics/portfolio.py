"""Portfolio analysis after the method of the 2010 Copenhagen analysis (001).

Table 2 of 001 is rebuilt from the ``AreaVolume`` rows flagged ``in_table2_total``; the
shares 001 reports per area are recomputed from the figures they are shares of.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from borgerservice.catalogue.models import AreaVolume

# 001 table 2 ("Samlet" row), section 2.
TABLE2_TOTALS_001 = {
    "fte": Decimal("541"),
    "contacts": 2_475_006,
    "cases": 296_090,
    "budget_tdkk": 969_859,
    "budget_excl_benefits_tdkk": 249_349,
}

# Area whose total share 001 computes over contacts, not applications (001 table 21).
SHARE_OF_CONTACTS = {"buf-pladsanvisning-foraeldrebetaling"}
# Area whose total share is the plain mean of its benefits' percentages (001 table 18).
SHARE_MEAN_OF_PARTS = {"suf-pensionsomraadet"}


@dataclass
class Table2:
    year: int
    rows: list[AreaVolume]
    totals: dict = field(default_factory=dict)
    discrepancies: list[str] = field(default_factory=list)


def table2(year: int = 2009) -> Table2:
    rows = list(AreaVolume.objects.filter(year=year, in_table2_total=True).select_related("area"))
    totals = {name: sum((getattr(r, name) or 0) for r in rows) for name in TABLE2_TOTALS_001}
    result = Table2(year=year, rows=rows, totals=totals)
    for name, expected in TABLE2_TOTALS_001.items():
        if totals[name] != expected:
            result.discrepancies.append(f"{name}: data {totals[name]}, 001 {expected}")
    return result


def computed_share(volume: AreaVolume) -> float | None:
    """Share (%) resolved at once or rule-based, from the figures it is a share of."""
    code = volume.area.code
    if code in SHARE_MEAN_OF_PARTS:
        parts = [
            float(v.resolved_share_pct)
            for v in AreaVolume.objects.filter(
                year=volume.year, area__parent__parent=volume.area, resolved_share_pct__isnull=False
            ).exclude(fte__isnull=True)
        ]
        return sum(parts) / len(parts) if parts else None
    if volume.resolved_count is None:
        return None
    base = volume.contacts if code in SHARE_OF_CONTACTS else volume.applications
    if not base:
        base = volume.contacts
    return 100 * volume.resolved_count / base if base else None
