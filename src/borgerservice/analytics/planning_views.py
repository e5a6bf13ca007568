"""The staffing-plan page and the simulation page (analysts and team leads)."""

from __future__ import annotations

import math
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from borgerservice.accounts.roles import ANALYST, TEAM_LEAD, has_role
from borgerservice.catalogue.models import OpeningHours, ServiceCentre
from borgerservice.core.errors import ServiceError

from . import forecast as fc
from . import planning

WEEKDAY_NAMES = [label for _value, label in OpeningHours.Weekday.choices]

SCENARIO_TEXTS = {
    "baseline": (_("Today (baseline)"), _("Demand and staffing as calibrated.")),
    "close-saturdays": (
        _("Close on Saturdays"),
        _("The centres close on Saturdays; a share of the Saturday visits comes on weekdays."),
    ),
    "booking-only": (
        _("Booking-only days"),
        _("On the chosen days every visit is booked in advance and spread over the day."),
    ),
    "more-counters": (
        _("More counters"),
        _("Extra counters are open in every opening hour of every centre."),
    ),
    "digital-shift": (
        _("Shift to digital"),
        _("A share of the visits and calls moves to digital self-service."),
    ),
    "move-area": (
        _("Move an area into the unit"),
        _("The spoken contacts of an area (e.g. Pension) come to the centres and the phone."),
    ),
}
CHANNEL_NAMES = {"walk_in": _("Walk-ins (service centres)"), "phone": _("Calls (contact centre)")}
BASIS_TEXTS = {
    "history": _("recorded history"),
    "sources": _("the calibration from the sources (too little history)"),
}
AHT_TEXTS = {
    "history": _("recorded service times"),
    "queue_groups": _("the queue groups' expected service times"),
    "sources": _("the calibration from the sources"),
}


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _may_plan(user) -> bool:
    return has_role(user, ANALYST, TEAM_LEAD)


def _number(source, name: str, errors: list, *, default=None, whole: bool = False):
    """The number in ``source[name]`` (a decimal comma is accepted); ``default`` when it is
    empty; an error is added when it is not a number."""
    raw = (source.get(name) or "").strip().replace(",", ".")
    if raw == "":
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        value = None
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        errors.append(
            ServiceError(
                "request.invalid",
                _("Write a number.") if not whole else _("Write a whole number."),
                field=name,
            )
        )
        return default
    return value


def _show(value) -> str:
    """A number as the form shows it again (no trailing zeros)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _centres() -> list[ServiceCentre]:
    return sorted(
        ServiceCentre.objects.all(),
        key=lambda c: (c.kind != ServiceCentre.Kind.CONTACT_CENTRE, c.sort_order, c.code),
    )


def _percent(value):
    return None if value is None else value * 100


def _plan_context(plan: planning.StaffingPlan) -> dict:
    forecast = plan.forecast
    hours = sorted({c.hour for c in plan.cells})
    by_key = {(c.weekday, c.hour): c for c in plan.cells}
    weekdays = [d.weekday for d in plan.days]
    matrix = []
    for h in hours:
        matrix.append(
            {
                "hour": h,
                "cells": [by_key.get((d, h)) for d in weekdays],
            }
        )
    days = []
    for day in plan.days:
        days.append(
            {
                "name": WEEKDAY_NAMES[day.weekday],
                "weekday": day.weekday,
                "day": day,
                "service_level": _percent(day.service_level),
                "cells": [
                    {
                        "cell": c,
                        "service_level": c.service_level * 100,
                        "occupancy": c.occupancy * 100,
                        "abandonment": _percent(c.abandonment),
                        "asa": c.asa_seconds if math.isfinite(c.asa_seconds) else None,
                        "partial": c.interval_seconds < 3600,
                    }
                    for c in day.cells
                ],
            }
        )
    return {
        "plan": plan,
        "forecast": forecast,
        "basis_text": BASIS_TEXTS[forecast.basis],
        "aht_text": AHT_TEXTS[forecast.aht_basis],
        "aht_minutes": forecast.aht_seconds / 60,
        "weekday_headers": [WEEKDAY_NAMES[d] for d in weekdays],
        "matrix": matrix,
        "days": days,
        "week_service_level": _percent(plan.service_level),
        "target_percent": plan.target * 100,
        "shrinkage_percent": plan.shrinkage * 100,
        "is_phone": forecast.channel == fc.PHONE,
        "staffed_difference": (
            None if plan.staffed_hours is None else plan.staffed_hours - plan.agent_hours
        ),
    }


@require_safe
@login_required
def staffing_plan(request: HttpRequest) -> HttpResponse:
    if not _may_plan(request.user):
        return _forbidden(request)
    source = request.GET
    errors: list[ServiceError] = []
    centres = _centres()
    chosen = (source.get("centre") or "").strip() or (centres[0].code if centres else "")
    centre = None
    try:
        centre = fc.centre_resolve(chosen)
    except ServiceError as exc:
        errors.append(exc)
    channel = fc.channel_of(centre) if centre else fc.PHONE
    defaults = planning.PLAN_DEFAULTS[channel]
    weeks = _number(source, "weeks", errors, default=fc.DEFAULT_WEEKS, whole=True)
    target = _number(source, "target", errors, default=defaults["target"])
    within = _number(source, "within", errors, default=defaults["within"])
    shrinkage = _number(source, "shrinkage", errors, default=planning.DEFAULT_SHRINKAGE)
    max_occupancy = _number(source, "max_occupancy", errors, default=planning.DEFAULT_MAX_OCCUPANCY)
    patience = _number(source, "patience", errors)
    trend = source.get("trend") == "1"
    as_of = None
    if (source.get("as_of") or "").strip():
        try:
            as_of = date.fromisoformat(source["as_of"].strip())
        except ValueError:
            errors.append(
                ServiceError("request.invalid", _("Write the date as YYYY-MM-DD."), field="as_of")
            )
    context: dict = {
        "centres": centres,
        "chosen": centre.code if centre else chosen,
        "form": {
            "weeks": source.get("weeks", _show(weeks)),
            "target": source.get("target", _show(target)),
            "within": source.get("within", _show(within)),
            "shrinkage": source.get("shrinkage", _show(shrinkage)),
            "max_occupancy": source.get("max_occupancy", _show(max_occupancy)),
            "patience": source.get("patience", ""),
            "as_of": source.get("as_of", ""),
            "trend": trend,
        },
        "errors": errors,
        "field_errors": {},
    }
    if not errors:
        try:
            plan = planning.staffing_plan_build(
                centre=centre,
                weeks=weeks,
                as_of=as_of,
                target=target,
                within=within,
                shrinkage=shrinkage,
                max_occupancy=max_occupancy,
                patience=patience,
                trend=trend,
            )
        except ServiceError as exc:
            errors.append(exc)
        else:
            context.update(_plan_context(plan))
    context["field_errors"] = {e.field: e.message for e in errors if e.field}
    return render(request, "analytics/staffing_plan.html", context, status=400 if errors else 200)


# -- simulation -----------------------------------------------------------------------------

METRIC_ROWS = (
    ("arrivals_per_year", _("Arrivals a year"), "count"),
    ("mean_wait_seconds", _("Mean wait (minutes)"), "minutes"),
    ("p90_wait_seconds", _("90th percentile of the wait (minutes)"), "minutes"),
    ("service_level", _("Served within the target"), "percent"),
    ("abandonment", _("Left without being served"), "percent"),
    ("utilisation", _("Utilisation of the counters"), "percent"),
    ("fte", _("FTE staffed"), "fte"),
    ("fte_needed", _("FTE needed for the target"), "fte"),
)

SECONDS_LABELS = {
    "mean_wait_seconds": _("Mean wait (seconds)"),
    "p90_wait_seconds": _("90th percentile of the wait (seconds)"),
}


def _scale(value: float, kind: str) -> float:
    if kind == "minutes":
        return value / 60
    if kind == "percent":
        return value * 100
    return value


def _simulation_rows(result: dict) -> list[dict]:
    channels = []
    for channel, figures in result["channels"].items():
        rows = []
        for key, label, kind in METRIC_ROWS:
            if channel == "phone" and kind == "minutes":
                # Calls wait seconds, not minutes.
                kind, label = "seconds", SECONDS_LABELS[key]
            rows.append(
                {
                    "label": label,
                    "kind": kind,
                    "baseline": _scale(figures["baseline"][key], kind),
                    "scenario": _scale(figures["scenario"][key], kind),
                    "difference": _scale(figures["difference"][key], kind),
                }
            )
        target = figures["scenario"].get("target_seconds") or 0
        channels.append(
            {
                "channel": channel,
                "name": CHANNEL_NAMES.get(channel, channel),
                "rows": rows,
                "target_minutes": target / 60,
                "target_seconds": target,
            }
        )
    return channels


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def simulation(request: HttpRequest) -> HttpResponse:
    if not _may_plan(request.user):
        return _forbidden(request)
    errors: list[ServiceError] = []
    posted = request.method == "POST"
    source = request.POST if posted else request.GET
    scenario = source.get("scenario") or "baseline"
    weeks = _number(source, "weeks", errors, default=planning.DEFAULT_SIMULATION_WEEKS, whole=True)
    replications = _number(
        source, "replications", errors, default=planning.DEFAULT_REPLICATIONS, whole=True
    )
    seed = _number(source, "seed", errors, default=1, whole=True)
    counters = _number(source, "counters", errors, default=1, whole=True)
    shift = _number(source, "shift_percent", errors, default=20.0)
    saturday = _number(source, "saturday_percent", errors, default=80.0)
    area = source.get("area") or "suf-pensionsomraadet"
    raw_days = source.getlist("booking_days")
    if not raw_days and not posted:
        raw_days = ["4"]
    booking_days = [int(raw) if raw.isdigit() else -1 for raw in raw_days]
    calls = source.get("calls") == "1" if posted else source.get("calls", "1") == "1"
    # The form asks for percentages: shift and Saturday share are fractions in the engine.
    result = None
    if request.method == "POST" and not errors:
        try:
            result = planning.simulation_run(
                scenario=scenario,
                weeks=weeks,
                replications=replications,
                seed=seed,
                counters=counters,
                shift=shift / 100,
                area=area,
                booking_days=booking_days,
                saturday_moved_share=saturday / 100,
                calls=calls,
            )
        except ServiceError as exc:
            field = {"shift": "shift_percent", "saturday_moved_share": "saturday_percent"}.get(
                exc.field, exc.field
            )
            errors.append(ServiceError(exc.code, exc.message, status=exc.status, field=field))
    context = {
        "scenarios": [
            {"value": name, "label": label, "help": help_text}
            for name, (label, help_text) in SCENARIO_TEXTS.items()
        ],
        "areas": planning.area_choices(),
        "weekdays": [(d, WEEKDAY_NAMES[d]) for d in range(6)],
        "form": {
            "scenario": scenario,
            "weeks": source.get("weeks", _show(weeks)),
            "replications": source.get("replications", _show(replications)),
            "seed": source.get("seed", _show(seed)),
            "counters": source.get("counters", _show(counters)),
            "shift_percent": source.get("shift_percent", _show(shift)),
            "saturday_percent": source.get("saturday_percent", _show(saturday)),
            "area": area,
            "booking_days": booking_days,
            "calls": calls,
        },
        "limits": {
            "weeks": planning.MAX_SIMULATION_WEEKS,
            "replications": planning.MAX_REPLICATIONS,
            "work": planning.MAX_SIMULATION_WORK,
            "counters": planning.MAX_EXTRA_COUNTERS,
        },
        "errors": errors,
        "field_errors": {e.field: e.message for e in errors if e.field},
        "result": result,
        "scenario_label": SCENARIO_TEXTS.get(scenario, (scenario, ""))[0],
        "channels": _simulation_rows(result) if result else [],
    }
    return render(request, "analytics/simulation.html", context, status=400 if errors else 200)
