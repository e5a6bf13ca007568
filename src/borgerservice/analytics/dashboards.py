"""The dashboards' query layer: filters, one function per panel, small-cell suppression.

Every panel reads the rollup tables in ``models.py`` (never the raw contacts or cases; the
one exception is the team lead's list of cases at risk, which is a list of cases and is
audited like any other list of cases). A panel returns plain dicts: one or more *tables*
with columns, rows and a total row, and a chart description the browser draws from the same
numbers. The tables are the accessible source of each chart and what the exports write.

Contacts are the inquiries from citizens (``direction = inbound``) in every contact panel.

Suppression (``suppress``): a count of persons from 1 to 4 is shown as "<5"; a share, mean
or percentile computed from fewer than 5 persons is hidden as well; and when exactly one cell
of a group that adds up to a shown total is hidden, the next smallest cell of the group is
hidden too ("x"), so the small number cannot be worked out from the total. A share or
percentile that depends on a hidden count is hidden with it. This applies to every role,
on the page, in the API and in the exports.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from borgerservice.core.channels import Channel
from borgerservice.core.errors import ServiceError

from .bins import percentile_from_bins
from .models import (
    BookingDay,
    CapacityDay,
    CaseDay,
    ContactDay,
    ContactHour,
    ContactMonth,
    DurationBin,
    DurationMonth,
    LinkDay,
    SurveyDay,
)

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
DEFAULT_DAYS = 28
MAX_DAYS = 4 * 366
MIN_COUNT = 5
TOP_SERVICES = 10
AT_RISK_LIMIT = 100
INBOUND = "inbound"
DIGITAL_CHANNELS = (Channel.SELF_SERVICE.value, Channel.EMAIL.value, Channel.CHAT_SMS.value)
FILTER_PARAMS = ("from_date", "to_date", "department", "centre", "channel", "service")

SMALL = "small"  # a count from 1 to 4, or a figure computed from fewer than 5 persons
SECONDARY = "secondary"  # hidden so that a small cell cannot be worked out from a total

COUNT = "count"  # a number of persons (contacts, cases, tickets, answers): suppressed 1-4
NUMBER = "number"  # a measure not about persons (staffed hours): never suppressed
LABEL = "label"
DERIVED_KINDS = ("share", "seconds", "mean", "hours")


def require_dashboard_role(user) -> None:
    """The dashboards are for analysts and team leads."""
    from borgerservice.accounts.roles import ANALYST, TEAM_LEAD, has_role

    if not has_role(user, ANALYST, TEAM_LEAD):
        raise ServiceError(
            "access.denied",
            gettext_lazy("Only analysts and team leads may see the dashboards."),
            status=403,
        )


def today_local() -> dt.date:
    return timezone.now().astimezone(COPENHAGEN).date()


# --- Filters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What every panel is limited to; ``None`` means all."""

    date_from: dt.date
    date_to: dt.date
    department: int | None = None
    centre: int | None = None
    channel: str | None = None
    service: int | None = None

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def granularity(self) -> str:
        """Day for up to 31 days, week for up to half a year, else month."""
        if self.days <= 31:
            return "day"
        if self.days <= 184:
            return "week"
        return "month"

    def as_params(self) -> dict[str, str]:
        params = {"from_date": self.date_from.isoformat(), "to_date": self.date_to.isoformat()}
        for name in ("department", "centre", "channel", "service"):
            value = getattr(self, name)
            if value not in (None, ""):
                params[name] = str(value)
        return params

    @classmethod
    def default(cls, today: dt.date | None = None) -> Filters:
        today = today or today_local()
        return cls(date_from=today - dt.timedelta(days=DEFAULT_DAYS - 1), date_to=today)


def _parse_date(raw: str, name: str, label) -> tuple[dt.date | None, ServiceError | None]:
    try:
        return dt.date.fromisoformat(raw), None
    except ValueError:
        return None, ServiceError(
            "dashboard.bad_date",
            gettext_lazy("%(label)s must be a date written as YYYY-MM-DD."),
            field=name,
            params={"label": label},
        )


def _parse_id(raw: str, name: str, known: Callable[[int], bool], message) -> tuple:
    value = int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else None
    if value is None or not known(value):
        return None, ServiceError(f"dashboard.bad_{name}", message, field=name)
    return value, None


def filters_check(
    params: Mapping[str, str], *, today: dt.date | None = None
) -> tuple[Filters | None, list[ServiceError]]:
    """The filters of a GET request and every error in them (translated, each with the
    name of its field). Missing dates give the last 28 days ending today (Copenhagen)."""
    from borgerservice.catalogue.models import Department, Service, ServiceCentre

    default = Filters.default(today)
    errors: list[ServiceError] = []

    def value(name: str) -> str:
        raw = params.get(name, "")
        return (raw if isinstance(raw, str) else str(raw)).strip()

    date_from, date_to = default.date_from, default.date_to
    raw_from, raw_to = value("from_date"), value("to_date")
    if raw_from:
        parsed, error = _parse_date(raw_from, "from_date", _("The first day"))
        errors += [error] if error else []
        date_from = parsed or date_from
    if raw_to:
        parsed, error = _parse_date(raw_to, "to_date", _("The last day"))
        errors += [error] if error else []
        date_to = parsed or date_to
    if raw_to and not raw_from and not errors:
        date_from = date_to - dt.timedelta(days=DEFAULT_DAYS - 1)
    if not errors and date_from > date_to:
        errors.append(
            ServiceError(
                "dashboard.period_reversed",
                gettext_lazy("The first day must be on or before the last day."),
                field="from_date",
            )
        )
    elif not errors and (date_to - date_from).days + 1 > MAX_DAYS:
        errors.append(
            ServiceError(
                "dashboard.period_too_long",
                gettext_lazy("The period may be at most %(days)s days long."),
                field="from_date",
                params={"days": MAX_DAYS},
            )
        )

    ids: dict[str, int | None] = {"department": None, "centre": None, "service": None}
    checks = {
        "department": (
            lambda pk: Department.objects.filter(pk=pk).exists(),
            gettext_lazy("Choose a department from the list."),
        ),
        "centre": (
            lambda pk: ServiceCentre.objects.filter(pk=pk).exists(),
            gettext_lazy("Choose a centre from the list."),
        ),
        "service": (
            lambda pk: Service.objects.filter(pk=pk).exists(),
            gettext_lazy("Choose a service from the list."),
        ),
    }
    for name, (known, message) in checks.items():
        raw = value(name)
        if raw:
            ids[name], error = _parse_id(raw, name, known, message)
            errors += [error] if error else []
    channel = value("channel") or None
    if channel and channel not in Channel.values:
        errors.append(
            ServiceError(
                "dashboard.bad_channel",
                gettext_lazy("Choose a channel from the list."),
                field="channel",
            )
        )
        channel = None
    if errors:
        return None, errors
    return Filters(date_from=date_from, date_to=date_to, channel=channel, **ids), []


def filters_parse(params: Mapping[str, str], *, today: dt.date | None = None) -> Filters:
    """The filters of a GET request; the first problem raises a ``ServiceError`` (400)."""
    filters, errors = filters_check(params, today=today)
    if errors:
        raise errors[0]
    return filters


# --- Who is looking, and names -----------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """What the viewer may see beyond aggregates: a team lead sees the caseworkers and the
    cases at risk of the departments they lead (their staff profile's department and the
    departments of the case units they are a member of). Analysts see neither."""

    user: object = None
    team_lead: bool = False
    departments: frozenset[int] = frozenset()

    @property
    def sees_caseworkers(self) -> bool:
        return self.team_lead and bool(self.departments)


def viewer_for(user) -> Viewer:
    """The viewer of the dashboards; raises 403 for roles other than analyst and team lead."""
    from borgerservice.accounts.models import StaffProfile
    from borgerservice.accounts.roles import TEAM_LEAD, has_role
    from borgerservice.cases.models import Unit

    require_dashboard_role(user)
    if not has_role(user, TEAM_LEAD):
        return Viewer(user=user)
    departments = set(
        Unit.objects.filter(members=user).values_list("department_id", flat=True).distinct()
    )
    profile_department = (
        StaffProfile.objects.filter(user=user).values_list("department_id", flat=True).first()
    )
    if profile_department:
        departments.add(profile_department)
    return Viewer(user=user, team_lead=True, departments=frozenset(departments))


class Names:
    """Names of the dimension ids, loaded once per table (they are small) per request."""

    def __init__(self) -> None:
        self._cache: dict[str, dict[int, str]] = {}

    def _load(self, kind: str) -> dict[int, str]:
        if kind in self._cache:
            return self._cache[kind]
        from borgerservice.cases.models import CaseType, Unit
        from borgerservice.catalogue.models import Department, Service, ServiceArea, ServiceCentre

        if kind == "department":
            names = {d.pk: f"{d.code} – {d.name}" for d in Department.objects.all()}
        elif kind == "department_code":
            names = dict(Department.objects.values_list("id", "code"))
        else:
            model = {
                "service": Service,
                "area": ServiceArea,
                "centre": ServiceCentre,
                "unit": Unit,
                "case_type": CaseType,
            }[kind]
            fields = ("id", "name_da", "name_en")
            names = {
                pk: (en if en and not _danish() else da)
                for pk, da, en in model.objects.values_list(*fields)
            }
        self._cache[kind] = names
        return names

    def of(self, kind: str, pk: int) -> str:
        if not pk:
            return str(NONE_LABELS.get(kind, _("Not given")))
        return self._load(kind).get(pk) or f"#{pk}"

    def options(self, kind: str) -> list[tuple[int, str]]:
        return sorted(self._load(kind).items(), key=lambda item: item[1].casefold())

    def case_types_of_service(self, service: int) -> list[int]:
        from borgerservice.cases.models import CaseType

        return list(CaseType.objects.filter(service_id=service).values_list("id", flat=True))

    def users(self, ids: Iterable[int]) -> dict[int, str]:
        from django.contrib.auth import get_user_model

        wanted = [pk for pk in set(ids) if pk]
        found = get_user_model().objects.filter(pk__in=wanted)
        return {
            pk: " ".join(p for p in (first, last) if p) or username
            for pk, first, last, username in found.values_list(
                "id", "first_name", "last_name", "username"
            )
        }


def _danish() -> bool:
    from borgerservice.core.i18n import current_language

    return current_language() == "da"


NONE_LABELS = {
    "service": gettext_lazy("No service registered"),
    "area": gettext_lazy("No area"),
    "department": gettext_lazy("No department"),
    "department_code": gettext_lazy("No department"),
    "centre": gettext_lazy("No centre (digital and written)"),
    "unit": gettext_lazy("No unit"),
    "case_type": gettext_lazy("No case type"),
    "caseworker": gettext_lazy("Not assigned"),
}


def channel_label(value: str) -> str:
    return str(dict(Channel.choices).get(value, value or _("Not given")))


# --- Tables ------------------------------------------------------------------------------


def column(key: str, label, kind: str = COUNT, *, uses: Iterable[str] = (), base: str = "") -> dict:
    """A column. ``kind`` is ``count`` (persons, suppressed 1–4), ``number`` (not persons),
    ``share`` (0–1), ``seconds``, ``hours`` or ``mean``; a derived column names the count
    behind it (``base``, in the row's ``bases`` when not a column) and the count columns it
    is computed from (``uses``): it is hidden when the base is under 5 or one of them is."""
    data = {"key": key, "label": str(label), "kind": kind}
    if kind in DERIVED_KINDS:
        data["base"] = base or key
        data["uses"] = list(uses)
    return data


def row(key, label, values: dict, bases: dict | None = None) -> dict:
    return {"key": str(key), "label": str(label), "values": values, "bases": bases or {}}


def table(
    table_id: str,
    title,
    columns: list[dict],
    rows: list[dict],
    *,
    total: dict | None = None,
    row_total: str | None = None,
    chart: dict | None = None,
    notes: Iterable = (),
) -> dict:
    """A table: ``total`` is the row of column sums (shown; it takes part in the secondary
    suppression), ``row_total`` the key of a column that is the sum of the row's other
    count columns."""
    return {
        "id": table_id,
        "title": str(title),
        "columns": columns,
        "rows": rows,
        "total": total,
        "row_total": row_total,
        "chart": chart,
        "notes": [str(n) for n in notes],
    }


def total_row(rows: list[dict], columns: list[dict], derive: Callable[[dict], dict] | None = None):
    """The row of sums of the count and number columns; ``derive`` fills derived cells from
    the summed values and bases."""
    sums: dict[str, float] = defaultdict(int)
    bases: dict[str, float] = defaultdict(int)
    for r in rows:
        for col in columns:
            if col["kind"] in (COUNT, NUMBER):
                sums[col["key"]] += r["values"].get(col["key"]) or 0
        for name, value in r["bases"].items():
            bases[name] += value or 0
    values = {col["key"]: sums[col["key"]] for col in columns if col["kind"] in (COUNT, NUMBER)}
    result = row("total", _("Total"), values, dict(bases))
    if derive:
        result["values"].update(derive(result))
    return result


def _share(part, whole) -> float | None:
    return part / whole if whole else None


def suppress(data: dict, min_count: int = MIN_COUNT) -> dict:
    """A copy of a table (or of a panel: each of its tables) with small cells hidden.

    Primary: a count from 1 to ``min_count - 1`` and a derived figure whose base is under
    ``min_count``. Secondary: in every group of cells that adds up to a shown total (a
    column with the total row, a row with its ``row_total`` column), when exactly one cell
    is hidden the smallest other non-zero cell is hidden too (the total itself when there
    is none), repeated until nothing changes. Then a derived figure that uses a hidden count
    is hidden. Hidden cells have value ``None`` and a flag in ``flags`` (``small`` or
    ``secondary``); the bases are removed from the copy.
    """
    if "tables" in data:
        result = dict(data)
        result["tables"] = [suppress(t, min_count) for t in data["tables"]]
        return result
    t = copy.deepcopy(data)
    rows = t["rows"] + ([t["total"]] if t.get("total") else [])
    columns = t["columns"]
    counts = [c["key"] for c in columns if c["kind"] == COUNT]
    for r in rows:
        r.setdefault("flags", {})
        for key in counts:
            v = r["values"].get(key)
            if v is not None and 0 < v < min_count:
                r["flags"][key] = SMALL
        for col in columns:
            if col["kind"] in DERIVED_KINDS:
                base = r["bases"].get(col["base"], r["values"].get(col["base"]))
                if r["values"].get(col["key"]) is not None and 0 < (base or 0) < min_count:
                    r["flags"][col["key"]] = SMALL

    groups: list[tuple[list[tuple[dict, str]], tuple[dict, str]]] = []
    if t.get("total"):
        for key in counts:
            groups.append(([(r, key) for r in t["rows"]], (t["total"], key)))
    if t.get("row_total"):
        parts = [k for k in counts if k != t["row_total"]]
        for r in rows:
            groups.append(([(r, k) for k in parts], (r, t["row_total"])))

    changed = True
    while changed:
        changed = False
        for cells, total_cell in groups:
            hidden = [(r, k) for r, k in cells if k in r["flags"]]
            if len(hidden) != 1 or total_cell[1] in total_cell[0]["flags"]:
                continue
            open_cells = [
                (r["values"].get(k) or 0, i, r, k)
                for i, (r, k) in enumerate(cells)
                if k not in r["flags"] and (r["values"].get(k) or 0) > 0
            ]
            if open_cells:
                _value, _i, r, k = min(open_cells, key=lambda item: (item[0], item[1]))
                r["flags"][k] = SECONDARY
            else:
                total_cell[0]["flags"][total_cell[1]] = SECONDARY
            changed = True

    for r in rows:
        for col in columns:
            if (
                col["kind"] in DERIVED_KINDS
                and col["key"] not in r["flags"]
                and any(u in r["flags"] for u in col.get("uses", []))
            ):
                r["flags"][col["key"]] = SECONDARY
        for key in r["flags"]:
            r["values"][key] = None
        r.pop("bases", None)
    t["suppressed"] = True
    return t


# --- Querysets ---------------------------------------------------------------------------

FILTER_NAMES = {
    "department": gettext_lazy("department"),
    "centre": gettext_lazy("centre"),
    "channel": gettext_lazy("channel"),
    "service": gettext_lazy("service"),
}


def _filtered(model, f: Filters, dims: Iterable[str]):
    qs = model.objects.filter(day__gte=f.date_from, day__lte=f.date_to)
    return _dims_filtered(qs, f, dims)


def _dims_filtered(qs, f: Filters, dims: Iterable[str]):
    for name in dims:
        value = getattr(f, name)
        if value:
            qs = qs.filter(**{name: value})
    return qs


MONTH_ROLLUPS = {ContactDay: ContactMonth, DurationBin: DurationMonth}


def _whole_months(f: Filters) -> tuple[dt.date, dt.date] | None:
    """The calendar months wholly inside the period, as ``[first day, day after)``."""
    first = f.date_from if f.date_from.day == 1 else _next_month(f.date_from)
    after = _next_month(f.date_to)
    if (after - dt.timedelta(days=1)) != f.date_to:
        after = f.date_to.replace(day=1)
    return (first, after) if first < after else None


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _covering(model, f: Filters, dims: Iterable[str]) -> list:
    """Querysets that together cover the period: the month rollup for the whole months and
    the day rollup for the days before and after them. A year then reads twelve month rows
    per cell instead of 365 day rows; use it only where days are summed into months or
    not grouped by at all."""
    months = _whole_months(f) if model in MONTH_ROLLUPS else None
    if months is None:
        return [_filtered(model, f, dims)]
    first, after = months
    day_rows = model.objects.filter(day__gte=f.date_from, day__lte=f.date_to).exclude(
        day__gte=first, day__lt=after
    )
    month_rows = MONTH_ROLLUPS[model].objects.filter(day__gte=first, day__lt=after)
    parts = [month_rows]
    if f.date_from < first or after <= f.date_to:
        parts.append(day_rows)
    return [_dims_filtered(qs, f, dims) for qs in parts]


def _ignored(f: Filters, dims: Iterable[str]) -> list[str]:
    """A note naming the filters that do not apply to a figure."""
    names = [str(FILTER_NAMES[n]) for n in FILTER_NAMES if n not in dims and getattr(f, n)]
    if not names:
        return []
    return [
        _("The filter on %(names)s does not apply to this figure.") % {"names": ", ".join(names)}
    ]


CONTACT_DIMS = ("department", "centre", "channel", "service")


def _contacts(f: Filters, *, months: bool = True) -> list:
    """Inbound contacts in the period; ``months=False`` when the caller groups by day in
    buckets other than months."""
    parts = (
        _covering(ContactDay, f, CONTACT_DIMS)
        if months
        else [_filtered(ContactDay, f, CONTACT_DIMS)]
    )
    return [qs.filter(direction=INBOUND) for qs in parts]


def _grouped(qs, dims: tuple[str, ...], measures: Mapping[str, str]) -> list[dict]:
    """Sums per group, over one queryset or over several that cover the period together."""
    sums = {k: Sum(v) for k, v in measures.items()}
    if not isinstance(qs, list):
        return list(qs.order_by().values(*dims).annotate(**sums))
    if len(qs) == 1:
        return _grouped(qs[0], dims, measures)
    merged: dict[tuple, dict] = {}
    for part in qs:
        for item in part.order_by().values(*dims).annotate(**sums):
            key = tuple(item[d] for d in dims)
            acc = merged.get(key)
            if acc is None:
                merged[key] = item
            else:
                for k in measures:
                    acc[k] = (acc[k] or 0) + (item[k] or 0)
    return list(merged.values())


def _bucket(day: dt.date, granularity: str) -> tuple[dt.date, str]:
    if granularity == "day":
        return day, day.isoformat()
    if granularity == "week":
        start = day - dt.timedelta(days=day.weekday())
        year, week, _weekday = day.isocalendar()
        return start, _("week %(week)s %(year)s") % {"week": week, "year": year}
    start = day.replace(day=1)
    return start, start.strftime("%Y-%m")


def _buckets(f: Filters) -> list[tuple[dt.date, str]]:
    seen: dict[dt.date, str] = {}
    day = f.date_from
    while day <= f.date_to:
        start, label = _bucket(day, f.granularity)
        seen.setdefault(start, label)
        day += dt.timedelta(days=1)
    return list(seen.items())


def _channels_in(f: Filters) -> list[str]:
    return [f.channel] if f.channel else list(Channel.values)


# --- Contact panels ----------------------------------------------------------------------


def panel_contacts_over_time(f: Filters, names: Names, viewer: Viewer) -> dict:
    granularity = f.granularity
    found = _grouped(
        _contacts(f, months=granularity == "month"), ("day", "channel"), {"n": "contacts"}
    )
    cells: dict[tuple[dt.date, str], int] = defaultdict(int)
    for item in found:
        start, _label = _bucket(item["day"], granularity)
        cells[(start, item["channel"])] += item["n"] or 0
    channels = [c for c in _channels_in(f) if any(k[1] == c for k in cells)] or _channels_in(f)
    columns = [column("label", _("Period"), LABEL)]
    columns += [column(c, channel_label(c)) for c in channels]
    columns.append(column("total", _("All channels")))
    rows = []
    for start, label in _buckets(f):
        values = {c: cells.get((start, c), 0) for c in channels}
        values["total"] = sum(values.values())
        rows.append(row(start.isoformat(), label, values))
    title = {
        "day": _("Contacts per day by channel"),
        "week": _("Contacts per week by channel"),
        "month": _("Contacts per month by channel"),
    }[granularity]
    return {
        "panel": "contacts_over_time",
        "title": title,
        "granularity": granularity,
        "tables": [
            table(
                "contacts_over_time",
                title,
                columns,
                rows,
                total=total_row(rows, columns),
                row_total="total",
                chart={"type": "line", "series": channels, "stacked": False},
            )
        ],
    }


def _by_dimension(
    f: Filters,
    dim: str,
    panel: str,
    title,
    label,
    names: Names,
    *,
    top: int | None = None,
    horizontal: bool = False,
) -> dict:
    found = _grouped(_contacts(f), (dim,), {"n": "contacts", "digital": "could_be_digital"})
    found.sort(key=lambda item: (-(item["n"] or 0), item[dim]))
    columns = [
        column("label", label, LABEL),
        column("contacts", _("Contacts")),
        column("share", _("Share of all contacts"), "share", base="contacts", uses=["contacts"]),
    ]
    grand = sum(item["n"] or 0 for item in found)
    shown = found[:top] if top else found
    rows = []
    for item in shown:
        key = item[dim]
        text = channel_label(key) if dim == "channel" else names.of(dim, key)
        rows.append(row(key, text, {"contacts": item["n"] or 0, "share": _share(item["n"], grand)}))
    rest = found[top:] if top else []
    if rest:
        others = sum(item["n"] or 0 for item in rest)
        rows.append(
            row(
                "other",
                _("Other services (%(count)s)") % {"count": len(rest)},
                {"contacts": others, "share": _share(others, grand)},
            )
        )
    total = row("total", _("Total"), {"contacts": grand, "share": 1.0 if grand else None})
    chart = {"type": "bar", "series": ["contacts"], "horizontal": horizontal}
    return {
        "panel": panel,
        "title": str(title),
        "tables": [table(panel, title, columns, rows, total=total, chart=chart)],
    }


def panel_channels(f: Filters, names: Names, viewer: Viewer) -> dict:
    return _by_dimension(f, "channel", "channels", _("Contacts by channel"), _("Channel"), names)


def panel_services(f: Filters, names: Names, viewer: Viewer) -> dict:
    title = _("The %(top)s services with most contacts") % {"top": TOP_SERVICES}
    return _by_dimension(
        f, "service", "services", title, _("Service"), names, top=TOP_SERVICES, horizontal=True
    )


def panel_areas(f: Filters, names: Names, viewer: Viewer) -> dict:
    return _by_dimension(
        f, "area", "areas", _("Contacts by service area"), _("Area"), names, horizontal=True
    )


def panel_departments(f: Filters, names: Names, viewer: Viewer) -> dict:
    return _by_dimension(
        f, "department", "departments", _("Contacts by department"), _("Department"), names
    )


def panel_centres(f: Filters, names: Names, viewer: Viewer) -> dict:
    return _by_dimension(f, "centre", "centres", _("Contacts by centre"), _("Centre"), names)


WEEKDAYS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)


def panel_heatmap(f: Filters, names: Names, viewer: Viewer) -> dict:
    dims = ("department", "centre", "channel")
    found = _grouped(_filtered(ContactHour, f, dims), ("weekday", "hour"), {"n": "contacts"})
    cells = {(item["weekday"], item["hour"]): item["n"] or 0 for item in found}
    hours_seen = sorted({hour for _wd, hour in cells})
    hours = list(range(min([*hours_seen, 8]), max([*hours_seen, 17]) + 1))
    columns = [column("label", _("Weekday"), LABEL)]
    columns += [column(f"h{h:02d}", f"{h:02d}") for h in hours]
    columns.append(column("total", _("All hours")))
    rows = []
    for weekday, name in enumerate(WEEKDAYS):
        values = {f"h{h:02d}": cells.get((weekday, h), 0) for h in hours}
        values["total"] = sum(values.values())
        rows.append(row(weekday, name, values))
    title = _("Contacts by weekday and hour")
    return {
        "panel": "heatmap",
        "title": title,
        "tables": [
            table(
                "heatmap",
                title,
                columns,
                rows,
                total=total_row(rows, columns),
                row_total="total",
                chart={"type": "heatmap", "series": [f"h{h:02d}" for h in hours]},
                notes=[
                    *_ignored(f, dims),
                    _("Hours are the local time the contact began (00 = midnight to 1)."),
                ],
            )
        ],
    }


def panel_first_contact(f: Filters, names: Names, viewer: Viewer) -> dict:
    found = _grouped(_contacts(f), ("channel", "department", "outcome"), {"n": "contacts"})
    title = _("First-contact resolution")

    def build(dim: str, table_id: str, heading, label) -> dict:
        sums: dict = defaultdict(lambda: [0, 0])
        for item in found:
            sums[item[dim]][0] += item["n"] or 0
            if item["outcome"] == "resolved":
                sums[item[dim]][1] += item["n"] or 0
        columns = [
            column("label", label, LABEL),
            column("contacts", _("Contacts")),
            column("resolved", _("Resolved at first contact")),
            column(
                "rate", _("Share resolved"), "share", base="contacts", uses=["contacts", "resolved"]
            ),
        ]
        ordered = sorted(sums.items(), key=lambda item: (-item[1][0], item[0]))
        rows = [
            row(
                key,
                channel_label(key) if dim == "channel" else names.of("department", key),
                {"contacts": n, "resolved": r, "rate": _share(r, n)},
            )
            for key, (n, r) in ordered
        ]
        total = total_row(
            rows,
            columns,
            lambda t: {"rate": _share(t["values"]["resolved"], t["values"]["contacts"])},
        )
        chart = {"type": "bar", "series": ["rate"], "percent": True}
        return table(table_id, heading, columns, rows, total=total, chart=chart)

    return {
        "panel": "first_contact",
        "title": title,
        "tables": [
            build(
                "channel",
                "first_contact_channel",
                _("First-contact resolution by channel"),
                _("Channel"),
            ),
            build(
                "department",
                "first_contact_department",
                _("First-contact resolution by department"),
                _("Department"),
            ),
        ],
    }


MEASURE_LABELS = dict(DurationBin.Measure.choices)


def panel_durations(f: Filters, names: Names, viewer: Viewer) -> dict:
    qs = _covering(DurationBin, f, ("department", "centre", "channel", "service"))
    found = _grouped(qs, ("measure", "centre", "bin"), {"n": "n", "seconds": "seconds"})
    by_measure: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_centre: dict[tuple[int, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    seconds: dict[str, int] = defaultdict(int)
    for item in found:
        by_measure[item["measure"]][item["bin"]] += item["n"] or 0
        by_centre[(item["centre"], item["measure"])][item["bin"]] += item["n"] or 0
        seconds[item["measure"]] += item["seconds"] or 0

    def quantiles(bins: Mapping[int, int]) -> tuple[int, float | None, float | None]:
        n = sum(bins.values())
        return n, percentile_from_bins(bins, 0.5), percentile_from_bins(bins, 0.9)

    derived = {"uses": []}
    columns = [
        column("label", _("Measure"), LABEL),
        column("n", _("Counted")),
        column("mean", _("Mean"), "seconds", base="n", **derived),
        column("p50", _("Median (p50)"), "seconds", base="n", **derived),
        column("p90", _("90th percentile (p90)"), "seconds", base="n", **derived),
    ]
    rows = []
    for measure, label in MEASURE_LABELS.items():
        if measure not in by_measure:
            continue
        n, p50, p90 = quantiles(by_measure[measure])
        rows.append(
            row(
                measure,
                label,
                {"n": n, "mean": seconds[measure] / n if n else None, "p50": p50, "p90": p90},
            )
        )
    measures = [m for m in ("ticket_wait", "ticket_service") if any(k[1] == m for k in by_centre)]
    centre_columns = [column("label", _("Centre"), LABEL)]
    for measure in measures:
        short = _("wait") if measure == "ticket_wait" else _("service")
        centre_columns += [
            column(f"{measure}_n", _("Tickets (%(what)s)") % {"what": short}),
            column(
                f"{measure}_p50",
                _("p50 %(what)s") % {"what": short},
                "seconds",
                base=f"{measure}_n",
            ),
            column(
                f"{measure}_p90",
                _("p90 %(what)s") % {"what": short},
                "seconds",
                base=f"{measure}_n",
            ),
        ]
    centre_rows = []
    for centre in sorted(
        {k[0] for k in by_centre if k[1] in measures}, key=lambda c: names.of("centre", c)
    ):
        values = {}
        for measure in measures:
            n, p50, p90 = quantiles(by_centre.get((centre, measure), {}))
            values.update({f"{measure}_n": n, f"{measure}_p50": p50, f"{measure}_p90": p90})
        centre_rows.append(row(centre, names.of("centre", centre), values))
    title = _("Waits and service times")
    return {
        "panel": "durations",
        "title": title,
        "tables": [
            table(
                "durations",
                title,
                columns,
                rows,
                chart={
                    "type": "bar",
                    "series": ["p50", "p90"],
                    "seconds": True,
                    "horizontal": True,
                },
            ),
            table(
                "durations_centre",
                _("Waits and service times at the counter by centre"),
                centre_columns,
                centre_rows,
                chart={
                    "type": "bar",
                    "series": [f"{m}_p50" for m in measures] + [f"{m}_p90" for m in measures],
                    "seconds": True,
                },
            ),
        ],
    }


def panel_no_shows(f: Filters, names: Names, viewer: Viewer) -> dict:
    dims = ("department", "centre", "service")
    qs = _filtered(BookingDay, f, dims).filter(state__in=["no_show", "served", "checked_in"])
    found = _grouped(qs, ("centre", "state"), {"n": "bookings"})
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for item in found:
        sums[item["centre"]][0 if item["state"] == "no_show" else 1] += item["n"] or 0
    columns = [
        column("label", _("Centre"), LABEL),
        column("came", _("Came")),
        column("no_show", _("Did not show up")),
        column("due", _("Appointments due")),
        column("rate", _("No-show rate"), "share", base="due", uses=["no_show", "due", "came"]),
    ]
    rows = [
        row(
            centre,
            names.of("centre", centre),
            {
                "came": came,
                "no_show": missing,
                "due": came + missing,
                "rate": _share(missing, came + missing),
            },
        )
        for centre, (missing, came) in sorted(
            sums.items(), key=lambda item: names.of("centre", item[0])
        )
    ]
    total = total_row(
        rows, columns, lambda t: {"rate": _share(t["values"]["no_show"], t["values"]["due"])}
    )
    title = _("No-shows for appointments")
    return {
        "panel": "no_shows",
        "title": title,
        "tables": [
            table(
                "no_shows",
                title,
                columns,
                rows,
                total=total,
                row_total="due",
                chart={"type": "bar", "series": ["rate"], "percent": True},
                notes=_ignored(f, dims),
            )
        ],
    }


# --- Cases -------------------------------------------------------------------------------


def _cases(f: Filters, names: Names, event: str | None):
    qs = CaseDay.objects.filter(day__gte=f.date_from, day__lte=f.date_to)
    if event:
        qs = qs.filter(event=event)
    if f.department:
        qs = qs.filter(department=f.department)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.service:
        qs = qs.filter(case_type__in=names.case_types_of_service(f.service) or [0])
    return qs


CASE_DIMS = ("department", "channel", "service")


def _sla_table(found, dim: str, table_id: str, heading, label, name_of) -> dict:
    sums: dict = defaultdict(lambda: [0, 0])
    for item in found:
        sums[item[dim]][0] += item["on_time"] or 0
        sums[item[dim]][1] += item["late"] or 0
    columns = [
        column("label", label, LABEL),
        column("closed", _("Closed")),
        column("on_time", _("By the due date")),
        column("late", _("Late")),
        column(
            "rate", _("SLA attainment"), "share", base="closed", uses=["on_time", "late", "closed"]
        ),
    ]
    rows = [
        row(key, name_of(key), {"closed": a + b, "on_time": a, "late": b, "rate": _share(a, a + b)})
        for key, (a, b) in sorted(
            sums.items(), key=lambda item: (-(item[1][0] + item[1][1]), item[0])
        )
    ]
    total = total_row(
        rows, columns, lambda t: {"rate": _share(t["values"]["on_time"], t["values"]["closed"])}
    )
    chart = {"type": "bar", "series": ["rate"], "percent": True, "horizontal": len(rows) > 8}
    return table(table_id, heading, columns, rows, total=total, row_total="closed", chart=chart)


def panel_sla(f: Filters, names: Names, viewer: Viewer) -> dict:
    qs = _cases(f, names, CaseDay.Event.CLOSED)
    # One scan: by caseworker too when a team lead looks (a few thousand groups).
    dims = (
        ("department", "unit", "caseworker") if viewer.sees_caseworkers else ("department", "unit")
    )
    found = _grouped(qs, dims, {"on_time": "on_time", "late": "late"})
    tables = [
        _sla_table(
            found,
            "department",
            "sla_department",
            _("SLA attainment by department"),
            _("Department"),
            lambda pk: names.of("department", pk),
        ),
        _sla_table(
            found,
            "unit",
            "sla_unit",
            _("SLA attainment by unit"),
            _("Unit"),
            lambda pk: names.of("unit", pk),
        ),
    ]
    if viewer.sees_caseworkers:
        workers = [item for item in found if item["department"] in viewer.departments]
        people = names.users(item["caseworker"] for item in workers)
        tables.append(
            _sla_table(
                workers,
                "caseworker",
                "sla_caseworker",
                _("SLA attainment by caseworker (your departments)"),
                _("Caseworker"),
                lambda pk: people.get(pk, f"#{pk}") if pk else str(NONE_LABELS["caseworker"]),
            )
        )
    for t in tables:
        t["notes"] = [
            *_ignored(f, CASE_DIMS),
            _("Cases closed in the period, on time when closed by their due date."),
        ]
    return {"panel": "sla", "title": _("SLA attainment"), "tables": tables}


def panel_complaints(f: Filters, names: Names, viewer: Viewer) -> dict:
    qs = _cases(f, names, None).filter(event__in=[CaseDay.Event.CLOSED, CaseDay.Event.COMPLAINT])
    found = _grouped(
        qs, ("event", "department"), {"n": "cases", "on_time": "on_time", "late": "late"}
    )
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for item in found:
        if item["event"] == CaseDay.Event.COMPLAINT:
            sums[item["department"]][0] += item["n"] or 0
        else:
            sums[item["department"]][1] += (item["on_time"] or 0) + (item["late"] or 0)
    columns = [
        column("label", _("Department"), LABEL),
        column("complaints", _("Complaints")),
        column("closed", _("Cases closed")),
        column(
            "rate",
            _("Complaints per 100 closed cases"),
            "mean",
            base="closed",
            uses=["complaints", "closed"],
        ),
    ]
    rows = [
        row(
            key,
            names.of("department", key),
            {"complaints": c, "closed": n, "rate": 100 * c / n if n else None},
        )
        for key, (c, n) in sorted(sums.items(), key=lambda item: (-item[1][0], item[0]))
    ]
    total = total_row(
        rows,
        columns,
        lambda t: {
            "rate": 100 * t["values"]["complaints"] / t["values"]["closed"]
            if t["values"]["closed"]
            else None
        },
    )
    title = _("Complaints")
    return {
        "panel": "complaints",
        "title": title,
        "tables": [
            table(
                "complaints",
                title,
                columns,
                rows,
                total=total,
                chart={"type": "bar", "series": ["complaints"]},
                notes=_ignored(f, CASE_DIMS),
            )
        ],
    }


# --- Centres, channel shift, satisfaction ------------------------------------------------


def panel_capacity(f: Filters, names: Names, viewer: Viewer) -> dict:
    dims = ("centre",)
    found = _grouped(
        _filtered(CapacityDay, f, dims),
        ("centre",),
        {"staffed": "staffed_seconds", "busy": "served_seconds", "served": "served"},
    )
    columns = [
        column("label", _("Centre"), LABEL),
        column("staffed", _("Staffed counter hours"), NUMBER),
        column("busy", _("Hours serving citizens"), "hours", base="served", uses=["served"]),
        column("served", _("Tickets served")),
        column("rate", _("Utilisation"), "share", base="served", uses=["served"]),
    ]
    rows = [
        row(
            item["centre"],
            names.of("centre", item["centre"]),
            {
                "staffed": round((item["staffed"] or 0) / 3600, 1),
                "busy": (item["busy"] or 0) / 3600,
                "served": item["served"] or 0,
                "rate": _share(item["busy"] or 0, item["staffed"] or 0),
            },
            {"busy_seconds": item["busy"] or 0, "staffed_seconds": item["staffed"] or 0},
        )
        for item in sorted(found, key=lambda item: names.of("centre", item["centre"]))
    ]

    def derive(t: dict) -> dict:
        busy, staffed = t["bases"].get("busy_seconds", 0), t["bases"].get("staffed_seconds", 0)
        return {"busy": busy / 3600, "rate": _share(busy, staffed)}

    total = total_row(rows, columns, derive)
    title = _("Capacity utilisation by centre")
    return {
        "panel": "capacity",
        "title": title,
        "tables": [
            table(
                "capacity",
                title,
                columns,
                rows,
                total=total,
                chart={"type": "bar", "series": ["rate"], "percent": True},
                notes=[
                    *_ignored(f, dims),
                    _(
                        "Utilisation is the time spent serving citizens over the staffed "
                        "counter time."
                    ),
                ],
            )
        ],
    }


def panel_channel_shift(f: Filters, names: Names, viewer: Viewer) -> dict:
    dims = ("department", "centre", "service")
    contacts = _grouped(
        [qs.filter(direction=INBOUND) for qs in _covering(ContactDay, f, dims)],
        ("day", "channel"),
        {"n": "contacts", "could": "could_be_digital"},
    )
    link_dims = ("department", "service")
    links = _grouped(_filtered(LinkDay, f, link_dims), ("day",), {"sent": "sent", "used": "used"})
    months: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in contacts:
        m = months[item["day"].replace(day=1)]
        m["contacts"] += item["n"] or 0
        m["could"] += item["could"] or 0
        if item["channel"] in DIGITAL_CHANNELS:
            m["digital"] += item["n"] or 0
    for item in links:
        m = months[item["day"].replace(day=1)]
        m["sent"] += item["sent"] or 0
        m["used"] += item["used"] or 0
    columns = [
        column("label", _("Month"), LABEL),
        column("contacts", _("Contacts")),
        column("digital", _("Digital contacts")),
        column(
            "digital_share",
            _("Digital share"),
            "share",
            base="contacts",
            uses=["contacts", "digital"],
        ),
        column("could", _("Could have been digital")),
        column(
            "could_share",
            _("Share that could have been digital"),
            "share",
            base="contacts",
            uses=["contacts", "could"],
        ),
        column("sent", _("Self-service links sent")),
        column("used", _("Links used")),
        column("used_share", _("Share of links used"), "share", base="sent", uses=["sent", "used"]),
    ]
    rows = []
    start = f.date_from.replace(day=1)
    while start <= f.date_to:
        m = months.get(start, {})
        n, digital, could = m.get("contacts", 0), m.get("digital", 0), m.get("could", 0)
        sent, used = m.get("sent", 0), m.get("used", 0)
        rows.append(
            row(
                start.isoformat(),
                start.strftime("%Y-%m"),
                {
                    "contacts": n,
                    "digital": digital,
                    "digital_share": _share(digital, n),
                    "could": could,
                    "could_share": _share(could, n),
                    "sent": sent,
                    "used": used,
                    "used_share": _share(used, sent),
                },
            )
        )
        start = (start + dt.timedelta(days=32)).replace(day=1)

    def derive(t: dict) -> dict:
        v = t["values"]
        return {
            "digital_share": _share(v["digital"], v["contacts"]),
            "could_share": _share(v["could"], v["contacts"]),
            "used_share": _share(v["used"], v["sent"]),
        }

    title = _("Channel shift")
    return {
        "panel": "channel_shift",
        "title": title,
        "tables": [
            table(
                "channel_shift",
                _("Channel shift per month"),
                columns,
                rows,
                total=total_row(rows, columns, derive),
                chart={
                    "type": "line",
                    "series": ["digital_share", "could_share", "used_share"],
                    "percent": True,
                },
                notes=[
                    *_ignored(f, dims),
                    _(
                        "Digital channels: self-service, email and chat/SMS. Links are "
                        "counted on the day they were sent; the centre filter does not "
                        "apply to them."
                    ),
                ],
            )
        ],
    }


def panel_satisfaction(f: Filters, names: Names, viewer: Viewer) -> dict:
    qs = _filtered(SurveyDay, f, CONTACT_DIMS)
    found = _grouped(qs, ("score",), {"n": "answers"})
    by_score = {item["score"]: item["n"] or 0 for item in found}
    answers = sum(by_score.values())
    columns = [
        column("label", _("Score"), LABEL),
        column("answers", _("Answers")),
        column("share", _("Share of answers"), "share", base="answers", uses=["answers"]),
    ]
    labels = {
        1: _("1 – very dissatisfied"),
        2: "2",
        3: "3",
        4: "4",
        5: _("5 – very satisfied"),
    }
    rows = [
        row(
            score,
            labels[score],
            {"answers": by_score.get(score, 0), "share": _share(by_score.get(score, 0), answers)},
        )
        for score in range(1, 6)
    ]
    mean = sum(score * n for score, n in by_score.items()) / answers if answers else None
    total = row("total", _("Total"), {"answers": answers, "share": 1.0 if answers else None})
    summary_columns = [
        column("label", _("Measure"), LABEL),
        column("answers", _("Answers")),
        column("mean", _("Mean score (1–5)"), "mean", base="answers", uses=["answers"]),
    ]
    summary = [row("mean", _("All answers"), {"answers": answers, "mean": mean})]
    title = _("Satisfaction")
    return {
        "panel": "satisfaction",
        "title": title,
        "tables": [
            table("satisfaction_mean", _("Mean satisfaction"), summary_columns, summary),
            table(
                "satisfaction",
                _("Satisfaction: answers by score"),
                columns,
                rows,
                total=total,
                chart={"type": "bar", "series": ["answers"]},
            ),
        ],
    }


PANELS: dict[str, Callable[[Filters, Names, Viewer], dict]] = {
    "contacts_over_time": panel_contacts_over_time,
    "channels": panel_channels,
    "services": panel_services,
    "areas": panel_areas,
    "departments": panel_departments,
    "centres": panel_centres,
    "heatmap": panel_heatmap,
    "first_contact": panel_first_contact,
    "durations": panel_durations,
    "no_shows": panel_no_shows,
    "sla": panel_sla,
    "complaints": panel_complaints,
    "capacity": panel_capacity,
    "channel_shift": panel_channel_shift,
    "satisfaction": panel_satisfaction,
}


def panel_get(name: str, f: Filters, *, viewer: Viewer, names: Names | None = None) -> dict:
    """One panel, suppressed, with the period it covers."""
    if name not in PANELS:
        raise ServiceError(
            "dashboard.unknown_panel",
            gettext_lazy("There is no such dashboard panel."),
            status=404,
            field="panel",
        )
    data = suppress(PANELS[name](f, names or Names(), viewer))
    data["period"] = {
        "from_date": f.date_from.isoformat(),
        "to_date": f.date_to.isoformat(),
        "granularity": f.granularity,
    }
    data["filters"] = f.as_params()
    return data


def panels_all(f: Filters, *, viewer: Viewer, names: Names | None = None) -> list[dict]:
    names = names or Names()
    return [panel_get(name, f, viewer=viewer, names=names) for name in PANELS]


# --- The team lead's cases at risk -------------------------------------------------------


def at_risk_cases(
    *,
    viewer: Viewer,
    filters: Filters | None = None,
    today: dt.date | None = None,
    limit: int = AT_RISK_LIMIT,
    channel: str = "ui",
) -> dict:
    """Open cases (clock running) of the team lead's departments that are at risk
    (``at_risk_on <= today``) or overdue (``due_on < today``), nearest due date first.

    Shows no citizen: case number, case type, unit, caseworker, due date and working days
    left. Listing cases of citizens is still a read about them, so one audit entry ("list")
    names the citizens who are parties to the cases shown. Analysts get nothing.
    """
    from borgerservice.accounts.audit import audit_record
    from borgerservice.cases.calendar import working_days_between
    from borgerservice.cases.models import Case, CaseParty
    from borgerservice.cases.selectors import RUNNING

    if not viewer.sees_caseworkers:
        return {"rows": [], "count": 0, "shown": 0, "limit": limit}
    today = today or today_local()
    cases = Case.objects.filter(department_id__in=viewer.departments, status__in=RUNNING).filter(
        Q(at_risk_on__lte=today) | Q(due_on__lt=today)
    )
    if filters is not None:
        if filters.department:
            cases = cases.filter(department_id=filters.department)
        if filters.channel:
            cases = cases.filter(channel=filters.channel)
        if filters.service:
            cases = cases.filter(case_type__service_id=filters.service)
    count = cases.count()
    found = list(
        cases.select_related("case_type", "unit", "caseworker")
        .only(
            "number",
            "due_on",
            "at_risk_on",
            "case_type__name_da",
            "case_type__name_en",
            "unit__name_da",
            "unit__name_en",
            "caseworker__first_name",
            "caseworker__last_name",
            "caseworker__username",
        )
        .order_by("due_on", "id")[:limit]
    )
    rows = []
    for case in found:
        worker = case.caseworker
        if case.due_on >= today:
            left = working_days_between(today, case.due_on)
        else:
            left = -working_days_between(case.due_on, today)
        rows.append(
            {
                "number": case.number,
                "case_type": case.case_type.name,
                "unit": case.unit.name,
                "caseworker": (
                    " ".join(p for p in (worker.first_name, worker.last_name) if p)
                    or worker.username
                )
                if worker
                else str(NONE_LABELS["caseworker"]),
                "due_on": case.due_on,
                "days_left": left,
                "overdue": case.due_on < today,
            }
        )
    if found:
        citizen_ids = CaseParty.objects.filter(case_id__in=[c.pk for c in found]).values_list(
            "citizen_id", flat=True
        )
        audit_record(
            actor=viewer.user,
            action="list",
            what="cases at risk (management dashboard)",
            citizen_ids=list(citizen_ids),
            channel=channel,
        )
    return {"rows": rows, "count": count, "shown": len(rows), "limit": limit}


# --- Display -----------------------------------------------------------------------------


def cell_text(value, kind: str, flag: str | None) -> str:
    """How a cell reads on the page and in the CSV: "<5" for a small cell, "x" for one hidden
    so that a small one cannot be worked out, "–" where there is nothing to compute."""
    from django.utils.formats import number_format

    if flag == SMALL:
        return "<5"
    if flag:
        return "x"
    if value is None:
        return "–"
    if kind == "share":
        return f"{number_format(value * 100, 1)} %"
    if kind == "seconds":
        return duration_text(value)
    if kind in ("hours", "mean"):
        return number_format(value, 1, force_grouping=True)
    if isinstance(value, float) and not value.is_integer():
        return number_format(value, 1, force_grouping=True)
    return number_format(int(value), force_grouping=True)


def duration_text(seconds: float) -> str:
    from django.utils.formats import number_format

    if seconds < 3600:
        return _("%(n)s min") % {"n": number_format(seconds / 60, 1)}
    if seconds < 2 * 86400:
        return _("%(n)s hours") % {"n": number_format(seconds / 3600, 1)}
    return _("%(n)s days") % {"n": number_format(seconds / 86400, 1)}


def table_display(t: dict) -> dict:
    """The table's text, cell by cell, for the page."""
    columns = t["columns"]

    def cells(r: dict) -> list[str]:
        out = []
        for col in columns[1:]:
            out.append(
                cell_text(
                    r["values"].get(col["key"]), col["kind"], r.get("flags", {}).get(col["key"])
                )
            )
        return out

    return {
        "id": t["id"],
        "title": t["title"],
        "headers": [c["label"] for c in columns],
        "rows": [{"label": r["label"], "cells": cells(r)} for r in t["rows"]],
        "total": {"label": t["total"]["label"], "cells": cells(t["total"])}
        if t.get("total")
        else None,
        "notes": t.get("notes", []),
        "has_suppressed": any(
            r.get("flags") for r in t["rows"] + ([t["total"]] if t.get("total") else [])
        ),
    }


__all__ = [
    "PANELS",
    "Filters",
    "Names",
    "Viewer",
    "at_risk_cases",
    "filters_check",
    "filters_parse",
    "panel_get",
    "panels_all",
    "require_dashboard_role",
    "suppress",
    "table_display",
    "viewer_for",
]
