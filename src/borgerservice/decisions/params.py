"""The parameter data files of the rule sets: ``decisions/data/<code>.toml``.

Every figure a rule uses lives in the rule set's data file, never in code. A parameter
has one or more values, each valid from ``valid_from`` to ``valid_to`` (inclusive; open
when left out), with its source (name and URL), the source's date and ``example``
(``true`` when the figure could not be verified for that period). The loader checks
every value and that the periods of one parameter never overlap, and cuts the
timeline into *segments*: stretches of days on which every parameter has one value.
A decision looks its segment up by the decision date (a bisection), so evaluating is a
dictionary read once the file is parsed; parsed files are cached for the process.
"""

from __future__ import annotations

import tomllib
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from itertools import pairwise
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
REQUIRED_VALUE_KEYS = ("valid_from", "value", "source", "url", "source_date", "example")
REQUIRED_GUIDANCE_KEYS = ("text_da", "text_en", "source", "url", "source_date", "example")


class DataFileError(ValueError):
    """A data file that breaks the rules above; raised when it is loaded."""


@dataclass(frozen=True, slots=True)
class ParameterValue:
    name: str
    value: Decimal
    unit: str
    valid_from: date
    valid_to: date | None
    source: str
    url: str
    source_date: date
    example: bool
    note: str = ""
    description_da: str = ""
    description_en: str = ""

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def as_dict(self) -> dict:
        """JSON-ready, for explanations and the API."""
        return {
            "parameter": self.name,
            "value": str(self.value),
            "unit": self.unit,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "source": self.source,
            "url": self.url,
            "source_date": self.source_date.isoformat(),
            "example": self.example,
            "description_da": self.description_da,
            "description_en": self.description_en,
        }


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    unit: str
    description_da: str
    description_en: str
    values: tuple[ParameterValue, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    """Days ``start`` to ``end`` (exclusive; None = open) with one value per parameter."""

    start: date
    end: date | None
    values: dict[str, ParameterValue]
    missing: tuple[str, ...]
    # The JSON form of every value, built once: explanations share these dicts.
    cited: dict[str, dict] = field(default_factory=dict)
    amounts: dict[str, Decimal] = field(default_factory=dict)
    has_example_values: bool = False

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def last_day(self) -> date | None:
        return self.end - timedelta(days=1) if self.end else None


@dataclass(frozen=True, slots=True)
class ComplaintGuidance:
    text_da: str
    text_en: str
    source: str
    url: str
    source_date: date
    example: bool


@dataclass(frozen=True)
class ParameterFile:
    code: str
    logic_version: str
    legal_basis: str
    parameters: dict[str, Parameter]
    complaint_guidance: ComplaintGuidance
    segments: tuple[Segment, ...]
    _starts: tuple[date, ...] = ()

    def segment_on(self, day: date) -> Segment | None:
        """The segment holding ``day``, or None when no parameter value is valid then."""
        index = bisect_right(self._starts, day) - 1
        if index < 0:
            return None
        segment = self.segments[index]
        if segment.end is not None and day >= segment.end:
            return None
        return segment

    def version(self, segment: Segment) -> str:
        return f"{self.code}-v{self.logic_version}/{segment.start.isoformat()}"


def _date(raw, where: str) -> date:
    if not isinstance(raw, date):
        raise DataFileError(f"{where}: expected a TOML date, got {raw!r}")
    return raw


def _value(name: str, meta: dict, raw: dict, where: str) -> ParameterValue:
    missing = [key for key in REQUIRED_VALUE_KEYS if key not in raw]
    if missing:
        raise DataFileError(f"{where}: missing {', '.join(missing)}")
    for key in ("source", "url"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise DataFileError(f"{where}: {key} must be a non-empty string")
    if not isinstance(raw["example"], bool):
        raise DataFileError(f"{where}: example must be true or false")
    number = raw["value"]
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise DataFileError(f"{where}: value must be a number")
    valid_from = _date(raw["valid_from"], f"{where}.valid_from")
    valid_to = _date(raw["valid_to"], f"{where}.valid_to") if "valid_to" in raw else None
    if valid_to is not None and valid_to < valid_from:
        raise DataFileError(f"{where}: valid_to before valid_from")
    return ParameterValue(
        name=name,
        value=Decimal(str(number)),
        unit=meta["unit"],
        valid_from=valid_from,
        valid_to=valid_to,
        source=raw["source"].strip(),
        url=raw["url"].strip(),
        source_date=_date(raw["source_date"], f"{where}.source_date"),
        example=raw["example"],
        note=str(raw.get("note", "")),
        description_da=meta["description_da"],
        description_en=meta["description_en"],
    )


def _parameter(name: str, raw: dict, where: str) -> Parameter:
    for key in ("unit", "description_da", "description_en", "values"):
        if key not in raw:
            raise DataFileError(f"{where}: missing {key}")
    values = sorted(
        (
            _value(name, raw, item, f"{where}.values[{index}]")
            for index, item in enumerate(raw["values"])
        ),
        key=lambda v: v.valid_from,
    )
    if not values:
        raise DataFileError(f"{where}: no values")
    for before, after in pairwise(values):
        if before.valid_to is None or before.valid_to >= after.valid_from:
            raise DataFileError(
                f"{where}: the periods from {before.valid_from} and {after.valid_from} overlap"
            )
    return Parameter(name, raw["unit"], raw["description_da"], raw["description_en"], tuple(values))


def _segments(parameters: dict[str, Parameter]) -> tuple[Segment, ...]:
    boundaries: set[date] = set()
    open_ended = False
    for parameter in parameters.values():
        for value in parameter.values:
            boundaries.add(value.valid_from)
            if value.valid_to is None:
                open_ended = True
            else:
                boundaries.add(value.valid_to + timedelta(days=1))
    ordered = sorted(boundaries)
    segments = []
    for index, start in enumerate(ordered):
        end = ordered[index + 1] if index + 1 < len(ordered) else None
        values = {}
        for name, parameter in parameters.items():
            found = next((v for v in parameter.values if v.covers(start)), None)
            if found is not None:
                values[name] = found
        if end is None and not open_ended:
            continue  # the day after the last period: nothing is valid from here
        if not values:
            continue
        missing = tuple(sorted(set(parameters) - set(values)))
        segments.append(
            Segment(
                start=start,
                end=end,
                values=values,
                missing=missing,
                cited={name: value.as_dict() for name, value in values.items()},
                amounts={name: value.value for name, value in values.items()},
                has_example_values=any(value.example for value in values.values()),
            )
        )
    return tuple(segments)


def parse(text: str, code: str) -> ParameterFile:
    """Parse and check one data file's text (``code`` is the expected rule-set code)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{code}: not valid TOML: {exc}") from exc
    if raw.get("code") != code:
        raise DataFileError(f"{code}: the file's code is {raw.get('code')!r}")
    for key in ("logic_version", "legal_basis", "complaint_guidance", "parameters"):
        if key not in raw:
            raise DataFileError(f"{code}: missing {key}")
    guidance = raw["complaint_guidance"]
    missing = [key for key in REQUIRED_GUIDANCE_KEYS if key not in guidance]
    if missing:
        raise DataFileError(f"{code}.complaint_guidance: missing {', '.join(missing)}")
    parameters = {
        name: _parameter(name, item, f"{code}.parameters.{name}")
        for name, item in raw["parameters"].items()
    }
    segments = _segments(parameters)
    return ParameterFile(
        code=code,
        logic_version=str(raw["logic_version"]),
        legal_basis=raw["legal_basis"],
        parameters=parameters,
        complaint_guidance=ComplaintGuidance(
            text_da=guidance["text_da"].strip(),
            text_en=guidance["text_en"].strip(),
            source=guidance["source"],
            url=guidance["url"],
            source_date=_date(guidance["source_date"], f"{code}.complaint_guidance"),
            example=bool(guidance["example"]),
        ),
        segments=segments,
        _starts=tuple(s.start for s in segments),
    )


@cache
def load(code: str) -> ParameterFile:
    """The parsed data file of ``code`` (cached for the life of the process)."""
    path = DATA_DIR / f"{code}.toml"
    return parse(path.read_text(encoding="utf-8"), code)
