"""Building blocks shared by the rule sets: input specifications, explanation steps and
number formatting in Danish and English.

A rule set's ``decide`` function gets the cleaned inputs and the parameter segment valid
on the decision date, and returns a ``Verdict``: the steps it applied (each with its
outcome, facts and the parameter values it used) plus amount and percentage. The
outcome of the whole decision follows from the steps: refused when any step refuses,
otherwise manual when any step cannot decide, otherwise granted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

GRANTED = "granted"
REFUSED = "refused"
MANUAL = "manual"
OUTCOMES = (GRANTED, REFUSED, MANUAL)

# The outcome of one step.
OK = "ok"
INFO = "info"
KINDS = ("int", "decimal", "bool", "choice", "date")


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One fact a rule set needs. Self-service form fields use ``name`` as their name.

    ``label`` and ``help`` are translated (lazy) strings; ``choices`` is a tuple of
    (value, label) pairs for kind "choice"; ``min``/``max`` bound "int" and "decimal".
    An input that is not ``required`` may be left out (``default`` is used, and None
    means "not known", which a rule may turn into a manual outcome).
    """

    name: str
    kind: str
    label: Any
    help: Any = ""
    choices: tuple[tuple[str, Any], ...] = ()
    min: Decimal | int | None = None
    max: Decimal | int | None = None
    required: bool = True
    default: Any = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown input kind {self.kind!r}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"{self.name}: a choice needs choices")

    @property
    def choice_values(self) -> frozenset[str]:
        return frozenset(value for value, _label in self.choices)


@dataclass(slots=True)
class Verdict:
    steps: list[dict] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    amount: Decimal | None = None
    percentage: Decimal | None = None
    details: dict = field(default_factory=dict)

    def add(
        self,
        rule: str,
        outcome: str,
        text_da: str,
        text_en: str,
        *,
        facts: dict | None = None,
        parameters: tuple[dict, ...] | list[dict] = (),
        source: str = "",
        reason: str | None = None,
    ) -> None:
        self.steps.append(
            {
                "rule": rule,
                "outcome": outcome,
                # "… 185.701 kr.." at the end of a sentence reads as one full stop.
                "text_da": text_da.replace("kr..", "kr."),
                "text_en": text_en,
                "facts": facts or {},
                "parameters": list(parameters),
                "source": source,
            }
        )
        if outcome == MANUAL and reason:
            self.reasons.append(reason)

    @property
    def outcome(self) -> str:
        outcomes = {step["outcome"] for step in self.steps}
        if REFUSED in outcomes:
            return REFUSED
        if MANUAL in outcomes:
            return MANUAL
        return GRANTED


# --- formatting (fast, locale-free: evaluate must not touch Django's l10n machinery) ------


_TO_DANISH = str.maketrans(",.", ".,")


@lru_cache(maxsize=8192)
def number_da(value: Decimal | int) -> str:
    """185701 → "185.701"; 1608.5 → "1.608,50"."""
    return number_en(value).translate(_TO_DANISH)


@lru_cache(maxsize=8192)
def number_en(value: Decimal | int) -> str:
    """185701 → "185,701"; 1608.5 → "1,608.50"."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def kr_da(value: Decimal | int) -> str:
    return f"{number_da(value)} kr."


def kr_en(value: Decimal | int) -> str:
    return f"DKK {number_en(value)}"


def fact(value: Any) -> Any:
    """A fact as stored in the explanation (JSON): Decimals and dates as strings."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def yes_no_da(value: bool) -> str:
    return "ja" if value else "nej"


def yes_no_en(value: bool) -> str:
    return "yes" if value else "no"
