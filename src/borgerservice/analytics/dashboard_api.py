"""The dashboards' figures as JSON: ``GET /api/v1/analytics/dashboard/<panel>``.

The same filters as the dashboard page (query parameters), the same suppressed tables.
For analysts and team leads; a team lead also gets the caseworker rows of the SLA panel
for their own departments, and the cases at risk (``panel=at_risk``, audited).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from borgerservice.api.auth import STAFF_AUTH
from borgerservice.api.params import ErrorOut, reject_unknown_parameters
from borgerservice.core.errors import ServiceError

from . import dashboards

router = Router(tags=["analytics"], auth=STAFF_AUTH)

PANEL_NAMES = ", ".join(dashboards.PANELS)


class DashboardQuery(Schema):
    from_date: str | None = Field(
        None, description="First day (YYYY-MM-DD); default 27 days before the last day"
    )
    to_date: str | None = Field(None, description="Last day (YYYY-MM-DD); default today")
    department: str | None = Field(None, description="Department id")
    centre: str | None = Field(None, description="Service centre id")
    channel: str | None = Field(
        None, description="phone, walk_in, letter, email, self_service, chat_sms or outreach"
    )
    service: str | None = Field(None, description="Service id")


class ColumnOut(Schema):
    key: str
    label: str
    kind: str = Field(
        description="label, count (persons; suppressed 1-4), number, share (0-1), "
        "seconds, hours or mean"
    )
    base: str | None = Field(None, description="The count a derived figure is computed from")
    uses: list[str] | None = None


class RowOut(Schema):
    key: str
    label: str
    values: dict[str, int | float | None] = Field(
        description="Per column key; null when hidden or when there is nothing to compute"
    )
    flags: dict[str, str] = Field(
        description="Hidden cells: 'small' (a count 1-4 or a figure from fewer than 5 "
        "persons, shown as <5) or 'secondary' (hidden so that a small cell cannot be "
        "worked out from a total, shown as x)"
    )


class ChartOut(Schema):
    type: str = Field(description="line, bar or heatmap")
    series: list[str] = Field(description="The column keys drawn")
    horizontal: bool = False
    stacked: bool = False
    percent: bool = False
    seconds: bool = False


class TableOut(Schema):
    id: str
    title: str
    columns: list[ColumnOut]
    rows: list[RowOut]
    total: RowOut | None = None
    row_total: str | None = Field(None, description="Column that adds up the row")
    chart: ChartOut | None = None
    notes: list[str] = []


class PeriodOut(Schema):
    from_date: str
    to_date: str
    granularity: str = Field(description="day, week or month (from the period's length)")


class PanelOut(Schema):
    panel: str
    title: str
    period: PeriodOut
    filters: dict[str, str]
    tables: list[TableOut]


class AtRiskCaseOut(Schema):
    number: str
    case_type: str
    unit: str
    caseworker: str
    due_on: str
    days_left: int = Field(description="Working days to the due date; negative when overdue")
    overdue: bool


class AtRiskOut(Schema):
    count: int
    shown: int
    cases: list[AtRiskCaseOut]


@router.get(
    "/analytics/dashboard/at_risk",
    response={200: AtRiskOut, 400: ErrorOut, 403: ErrorOut},
    summary="Open cases at risk or overdue in the team lead's departments",
)
def dashboard_at_risk(request: HttpRequest, query: Query[DashboardQuery]):
    """Team leads only: open cases of their departments whose deadline is at risk or
    passed, nearest due date first (no citizen data). Writes one audit entry."""
    reject_unknown_parameters(request, set(dashboards.FILTER_PARAMS))
    viewer = dashboards.viewer_for(request.user)
    if not viewer.team_lead:
        raise ServiceError(
            "access.denied", _("Only team leads may see the cases at risk."), status=403
        )
    filters = dashboards.filters_parse(request.GET)
    found = dashboards.at_risk_cases(viewer=viewer, filters=filters, channel="api")
    cases = [{**r, "due_on": r["due_on"].isoformat()} for r in found["rows"]]
    return {"count": found["count"], "shown": found["shown"], "cases": cases}


@router.get(
    "/analytics/dashboard/{panel}",
    response={200: PanelOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One dashboard panel: suppressed tables and the chart drawn from them",
)
def dashboard_panel(request: HttpRequest, panel: str, query: Query[DashboardQuery]):
    """The figures of one panel for the period and filters, from the rollup tables.

    ``panel`` is one of: contacts_over_time, channels, services, areas, departments,
    centres, heatmap, first_contact, durations, no_shows, sla, complaints, capacity,
    channel_shift, satisfaction. Counts of 1-4 persons are hidden (``flags``), as are
    figures computed from fewer than 5, and one more cell where a total would give a
    hidden one away. A bad filter is answered 400 with the field; roles other than
    analyst and team lead get 403.
    """
    reject_unknown_parameters(request, set(dashboards.FILTER_PARAMS))
    viewer = dashboards.viewer_for(request.user)
    filters = dashboards.filters_parse(request.GET)
    return dashboards.panel_get(panel, filters, viewer=viewer)
