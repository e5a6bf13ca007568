"""The portfolio analysis page: 001's table 2 with the five-principle assessment, the
savings path against the realised benefits, and the cost per contact by channel.

Analysts and team leads read it. Analysts also record realised benefits and set the unit
costs: POST forms that work without JavaScript; on success the page redirects with a
message, on bad input it is shown again (status 400) with a DKFDS error summary, the posted
values kept, and nothing changed. The savings assumption (compounding or of the baseline)
and the channel shift are GET parameters, so a view can be linked to.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from borgerservice.accounts.roles import ANALYST, TEAM_LEAD, has_role
from borgerservice.catalogue.models import ServiceArea
from borgerservice.core.errors import ServiceError

from . import portfolio
from .models import BenefitRealisation
from .portfolio_services import benefit_record, may_write_portfolio, unit_cost_set

TABLE2_YEAR = 2009


def _number(raw: str) -> str:
    """Danish or English notation: "1.234,5" / "1,234.5" / "1234,5" → "1234.5"."""
    text = (raw or "").strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif text.count(".") > 1:  # 3.456.780: dots as thousands separators
        text = text.replace(".", "")
    elif text.count(",") > 1:  # 3,456,780
        text = text.replace(",", "")
    else:
        text = text.replace(",", ".")
    return text


def _options(request: HttpRequest) -> tuple[bool, Decimal, list[ServiceError]]:
    errors: list[ServiceError] = []
    compounding = request.GET.get("compounding", "1") != "0"
    raw = request.GET.get("shift", "")
    shift = portfolio.DEFAULT_SHIFT
    if raw:
        try:
            shift = Decimal(_number(raw).rstrip("%")) / 100
            if not shift.is_finite() or not 0 <= shift <= 1:
                raise InvalidOperation
        except InvalidOperation:
            shift = portfolio.DEFAULT_SHIFT
            errors.append(
                ServiceError(
                    "portfolio.bad_shift",
                    _("Write the share moved as a percentage from 0 to 100."),
                    field="shift",
                )
            )
    return compounding, shift, errors


def _post(request: HttpRequest) -> ServiceError | None:
    action = request.POST.get("action")
    user = request.user
    try:
        if action == "benefit":
            year_raw = (request.POST.get("year") or "").strip()
            if not year_raw.isdigit():
                raise ServiceError(
                    "portfolio.bad_year", _("The year must be from 2000 to 2100."), field="year"
                )
            area_raw = request.POST.get("area") or ""
            row, created = benefit_record(
                user=user,
                area=int(area_raw) if area_raw.isdigit() else area_raw,
                year=int(year_raw),
                fte_saved=_number(request.POST.get("fte_saved", "")) or "0",
                amount_dkk=_number(request.POST.get("amount_dkk", "")) or "0",
                note=request.POST.get("note", ""),
            )
            text = (
                _("The benefit of %(area)s in %(year)s is recorded.")
                if created
                else _("The benefit of %(area)s in %(year)s is updated.")
            )
            messages.success(request, text % {"area": row.area.name, "year": row.year})
        elif action == "unit_cost":
            channel = request.POST.get("channel", "")
            row = unit_cost_set(
                user=user,
                channel=channel,
                cost_dkk=_number(request.POST.get("cost_dkk", "")),
                source_note=request.POST.get("source_note", ""),
            )
            messages.success(
                request,
                _("The cost per contact of %(channel)s is now %(cost)s DKK.")
                % {"channel": row.get_channel_display(), "cost": f"{row.cost_dkk:.2f}"},
            )
        else:
            raise ServiceError("portfolio.unknown_action", _("Choose what to save."))
    except ServiceError as exc:
        if exc.field in ("cost_dkk", "source_note", "channel") and action == "unit_cost":
            field = f"unit-{request.POST.get('channel', '')}-{exc.field}"
        else:
            field = f"benefit-{exc.field}" if exc.field else None
        return ServiceError(exc.code, exc.message, status=exc.status, field=field)
    return None


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def portfolio_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_role(user, ANALYST, TEAM_LEAD):
        return render(request, "403.html", status=403)
    may_write = may_write_portfolio(user)
    errors: list[ServiceError] = []
    status = 200
    if request.method == "POST":
        if not may_write:
            return render(request, "403.html", status=403)
        error = _post(request)
        if error is None:
            return redirect(request.get_full_path())
        if error.status == 403:
            return render(request, "403.html", status=403)
        errors.append(error)
        status = 400
    compounding, shift, option_errors = _options(request)
    errors += option_errors
    if option_errors:
        status = 400
    table = portfolio.table2(TABLE2_YEAR)
    path = portfolio.savings_path(compounding=compounding)
    comparison = portfolio.plan_vs_realised(path)
    costs = portfolio.channel_costs(shift=shift)
    unit_costs = portfolio.unit_costs()
    posted_channel = request.POST.get("channel") if request.method == "POST" else None
    unit_rows = [
        {
            **info,
            "posted": request.POST.get("cost_dkk", "")
            if errors and posted_channel == channel
            else "",
            "posted_note": request.POST.get("source_note", "")
            if errors and posted_channel == channel
            else info["source_note"],
            "error": errors[0].message
            if errors and posted_channel == channel and request.POST.get("action") == "unit_cost"
            else "",
        }
        for channel, info in unit_costs.items()
    ]
    benefit_error = {}
    if errors and request.POST.get("action") == "benefit":
        benefit_error = {(errors[0].field or "").removeprefix("benefit-"): errors[0].message}
    chart = {
        "labels": [str(row.year) for row in comparison],
        "planned": [float(round(row.cumulative_planned_dkk)) for row in comparison],
        "realised": [float(round(row.cumulative_realised_dkk)) for row in comparison],
        "planned_label": _("Planned, cumulative (DKK)"),
        "realised_label": _("Realised, cumulative (DKK)"),
    }
    context = {
        "table": table,
        "totals_001": portfolio.TABLE2_TOTALS_001,
        "assessment": portfolio.assessment(TABLE2_YEAR),
        "principles": portfolio.PRINCIPLES,
        "thresholds": {
            "share_met": portfolio.SHARE_MET_PCT,
            "share_partly": portfolio.SHARE_PARTLY_PCT,
            "interfaces_max": portfolio.INTERFACES_MET_MAX,
            "volume_met": portfolio.VOLUME_MET,
            "volume_partly": portfolio.VOLUME_PARTLY,
            "assisted_met": portfolio.ASSISTED_MET_PCT,
            "assisted_partly": portfolio.ASSISTED_PARTLY_PCT,
        },
        "path": path,
        "comparison": comparison,
        "chart": chart,
        "costs": costs,
        "shift_percent": f"{shift * 100:.0f}",
        "unit_rows": unit_rows,
        "benefits": BenefitRealisation.objects.select_related("area", "recorded_by").order_by(
            "-year", "area__code"
        ),
        "areas": ServiceArea.objects.filter(
            code__in=portfolio.AREA_FACTS_001, parent__isnull=True
        ).order_by("name_da"),
        "may_write": may_write,
        "errors": errors,
        "benefit_error": benefit_error,
        "posted": request.POST if errors else {},
        "compounding": compounding,
        "shift_error": option_errors[0].message if option_errors else "",
        "shift_posted": request.GET.get("shift", ""),
    }
    return render(request, "analytics/portfolio.html", context, status=status)
