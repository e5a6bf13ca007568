"""The management dashboard for team leads, managers and analysts, and its exports.

Thin: parse the filters (``dashboards.filters_check``), check the role, read the panels
(suppressed) and render. Every chart is drawn in the browser by Chart.js from the JSON
embedded with ``json_script`` (the CSP allows no inline scripts); the table under each chart
holds the same numbers and is the accessible source. Bad filters give the DKFDS error
summary with status 400 and no figures.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from borgerservice.core.channels import Channel
from borgerservice.core.errors import ServiceError

from . import dashboards, exports

FORMATS = ("csv", "xlsx")


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def chart_data(table: dict) -> dict | None:
    """What Chart.js draws for a table: labels and datasets from the suppressed values
    (a hidden cell is a gap). The heatmap is drawn as one line per weekday over the hours."""
    chart = table.get("chart")
    if not chart:
        return None
    columns = {c["key"]: c for c in table["columns"]}
    rows = table["rows"]
    if chart["type"] == "heatmap":
        labels = [columns[key]["label"] for key in chart["series"]]
        datasets = [
            {"label": r["label"], "data": [r["values"].get(key) for key in chart["series"]]}
            for r in rows
        ]
        kind = "line"
    else:
        labels = [r["label"] for r in rows]
        datasets = [
            {
                "label": columns[key]["label"],
                "data": [_chart_value(r["values"].get(key), columns[key]["kind"]) for r in rows],
            }
            for key in chart["series"]
            if key in columns
        ]
        kind = chart["type"]
    return {
        "id": table["id"],
        "type": kind,
        "title": table["title"],
        "labels": labels,
        "datasets": datasets,
        "percent": bool(chart.get("percent")),
        "minutes": bool(chart.get("seconds")),
        "horizontal": bool(chart.get("horizontal")),
        "stacked": bool(chart.get("stacked")),
    }


def _chart_value(value, kind: str):
    if value is None:
        return None
    if kind == "share":
        return round(value * 100, 1)
    if kind == "seconds":
        return round(value / 60, 1)
    return value


def _options(names: dashboards.Names) -> dict:
    from borgerservice.catalogue.models import Department, Service, ServiceCentre

    departments = [
        (d.pk, f"{d.code} – {d.name}")
        for d in Department.objects.filter(kind=Department.Kind.CURRENT)
    ]
    return {
        "departments": departments,
        "centres": [(c.pk, c.name) for c in ServiceCentre.objects.all()],
        "channels": list(Channel.choices),
        "services": sorted(
            ((s.pk, s.name) for s in Service.objects.only("id", "name_da", "name_en")),
            key=lambda item: item[1].casefold(),
        ),
    }


def _page(request: HttpRequest, *, errors: list[ServiceError], filters, viewer, status=200):
    names = dashboards.Names()
    values = {name: request.GET.get(name, "").strip() for name in dashboards.FILTER_PARAMS}
    panels, charts, at_risk = [], [], None
    if filters is not None:
        values.update(filters.as_params())
        for panel in dashboards.panels_all(filters, viewer=viewer, names=names):
            export = reverse("analytics:dashboard-export")
            query = {**filters.as_params(), "panel": panel["panel"]}
            panels.append(
                {
                    "panel": panel["panel"],
                    "title": panel["title"],
                    "tables": [dashboards.table_display(t) for t in panel["tables"]],
                    "charts": [t["id"] for t in panel["tables"] if t.get("chart")],
                    "csv_url": f"{export}?{urlencode({**query, 'format': 'csv'})}",
                    "xlsx_url": f"{export}?{urlencode({**query, 'format': 'xlsx'})}",
                }
            )
            charts += [c for c in (chart_data(t) for t in panel["tables"]) if c]
        if viewer.team_lead:
            at_risk = dashboards.at_risk_cases(viewer=viewer, filters=filters)
    all_query = filters.as_params() if filters is not None else {}
    export = reverse("analytics:dashboard-export")
    context = {
        "errors": [{"message": e.message, "field": e.field} for e in errors],
        "filters": filters,
        "values": values,
        "options": _options(names),
        "panels": panels,
        "charts": {"charts": charts},
        "viewer": viewer,
        "at_risk": at_risk,
        "all_xlsx_url": f"{export}?{urlencode({**all_query, 'panel': 'all', 'format': 'xlsx'})}",
        "all_csv_url": f"{export}?{urlencode({**all_query, 'panel': 'all', 'format': 'csv'})}",
    }
    return render(request, "analytics/dashboard.html", context, status=status)


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard: filters (GET), every panel as a chart with its table and exports;
    for team leads also the caseworker rows of their departments and the cases at risk."""
    try:
        viewer = dashboards.viewer_for(request.user)
    except ServiceError:
        return _forbidden(request)
    filters, errors = dashboards.filters_check(request.GET)
    return _page(
        request, errors=errors, filters=filters, viewer=viewer, status=400 if errors else 200
    )


@require_safe
@login_required
def export(request: HttpRequest) -> HttpResponse:
    """``?panel=<name>|all&format=csv|xlsx`` with the dashboard's filters: the panel's
    suppressed tables as a download named after the period."""
    try:
        viewer = dashboards.viewer_for(request.user)
    except ServiceError:
        return _forbidden(request)
    filters, errors = dashboards.filters_check(request.GET)
    panel = request.GET.get("panel", "all").strip() or "all"
    fmt = request.GET.get("format", "csv").strip()
    if panel != "all" and panel not in dashboards.PANELS:
        errors.append(
            ServiceError(
                "dashboard.unknown_panel", _("There is no such dashboard panel."), field="panel"
            )
        )
    if fmt not in FORMATS:
        errors.append(
            ServiceError(
                "dashboard.bad_format", _("Choose CSV or XLSX for the export."), field="format"
            )
        )
    if errors:
        return _page(request, errors=errors, filters=None, viewer=viewer, status=400)
    names = dashboards.Names()
    if panel == "all":
        panels = dashboards.panels_all(filters, viewer=viewer, names=names)
        name = "dashboard"
    else:
        panels = [dashboards.panel_get(panel, filters, viewer=viewer, names=names)]
        name = f"dashboard_{panel}"
    if fmt == "csv":
        return exports.export_csv(panels, filters, name)
    return exports.export_xlsx(panels, filters, name)
