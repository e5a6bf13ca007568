"""Shared helpers for the decision tests: decision dates inside each parameter period and
the parameter values valid on them (read from the data files, so threshold tests follow
the figures)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from borgerservice.decisions.engine import rule_set

# Decision dates in the parameter periods of the data files.
DAY_2017 = date(2017, 6, 1)
DAY_2021 = date(2021, 6, 1)
DAY_2024 = date(2024, 6, 1)
DAY_2025 = date(2025, 6, 1)
DAY_2026 = date(2026, 6, 1)


def figures(code: str, on: date) -> dict[str, Decimal]:
    """The parameter values of ``code`` valid on ``on``."""
    return dict(rule_set(code).segment_on(on).amounts)


def outcomes(result) -> dict[str, str]:
    """rule id -> step outcome."""
    return {step["rule"]: step["outcome"] for step in result.explanation}
