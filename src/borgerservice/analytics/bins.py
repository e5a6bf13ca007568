"""Histogram bins for waits and service times, and percentiles read from them.

Percentiles are not additive, so the rollups keep a histogram (``DurationBin``) and the
dashboards interpolate p50/p90 inside the bin that holds the rank. The edges are fine where
waits usually fall (every 30 s up to 10 minutes, every 5 minutes to an hour) and coarse for the
days written inquiries may wait, so a percentile is within half a bin of the exact value.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping

MINUTE = 60
HOUR = 3600
DAY = 86400

BIN_EDGES: tuple[int, ...] = (
    tuple(range(0, 10 * MINUTE, 30))
    + tuple(range(10 * MINUTE, HOUR, 5 * MINUTE))
    + tuple(range(HOUR, 8 * HOUR, 30 * MINUTE))
    + tuple(range(8 * HOUR, 2 * DAY, 4 * HOUR))
    + tuple(range(2 * DAY, 30 * DAY + 1, DAY))
)
"""Lower edges in seconds: bin ``i`` holds ``BIN_EDGES[i] <= s < BIN_EDGES[i + 1]``; the last
bin is open-ended."""


def bin_of(seconds: float) -> int:
    """The bin of a duration (negative durations, from clock skew, count as 0)."""
    return max(bisect.bisect_right(BIN_EDGES, max(seconds, 0)) - 1, 0)


def bin_upper(index: int) -> float:
    if index + 1 < len(BIN_EDGES):
        return float(BIN_EDGES[index + 1])
    return float(BIN_EDGES[-1] + DAY)


def percentile_from_bins(
    counts: Mapping[int, int] | Iterable[tuple[int, int]], q: float
) -> float | None:
    """The ``q`` quantile (0–1) of the durations counted per bin, interpolated linearly inside
    the bin; ``None`` when nothing was counted."""
    pairs = sorted(counts.items() if isinstance(counts, Mapping) else counts)
    total = sum(n for _, n in pairs if n > 0)
    if total <= 0:
        return None
    rank = q * total
    seen = 0
    for index, n in pairs:
        if n <= 0:
            continue
        if seen + n >= rank:
            low, high = float(BIN_EDGES[index]), bin_upper(index)
            return low + (high - low) * ((rank - seen) / n)
        seen += n
    index = pairs[-1][0]
    return bin_upper(index)
