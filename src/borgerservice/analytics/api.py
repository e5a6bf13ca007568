"""Management information and planning endpoints."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from borgerservice.api.auth import STAFF_AUTH
from borgerservice.api.params import ErrorOut, reject_unknown_parameters
from borgerservice.core.errors import ServiceError

router = Router(tags=["analytics"], auth=STAFF_AUTH)


def require_planning_role(user) -> None:
    """Staffing and planning figures are for analysts and team leads."""
    from borgerservice.accounts.roles import ANALYST, TEAM_LEAD, has_role

    if not has_role(user, ANALYST, TEAM_LEAD):
        raise ServiceError(
            "access.denied",
            _("Only analysts and team leads may use the planning figures."),
            status=403,
        )


class StaffingQuery(Schema):
    calls: float = Field(..., description="Calls forecast for the interval")
    interval_seconds: float = Field(..., description="Length of the interval, e.g. 1800")
    aht: float = Field(..., description="Average handling time in seconds")
    target: float = Field(..., description="Service level target, between 0 and 1")
    within: float = Field(..., description="Answer time of the target in seconds")
    max_occupancy: float | None = Field(None, description="Highest occupancy, e.g. 0.85")
    shrinkage: float = Field(0.0, description="Share of scheduled time away, e.g. 0.3")
    patience: float | None = Field(
        None, description="Callers' mean patience in seconds: Erlang A with abandonment"
    )


class StaffingOut(Schema):
    agents: int = Field(description="Agents answering calls")
    agents_with_shrinkage: int = Field(description="Agents to schedule: agents / (1 - shrinkage)")
    service_level: float = Field(description="Share of offered calls answered within `within`")
    asa_seconds: float = Field(description="Average speed of answer: mean wait of answered calls")
    occupancy: float = Field(description="Share of the agents' time spent on calls")
    abandonment: float | None = Field(
        None, description="Share of calls that hang up before an answer (only with patience)"
    )


@router.get(
    "/analytics/staffing",
    response={200: StaffingOut, 400: ErrorOut, 403: ErrorOut},
    exclude_none=True,
    summary="Agents needed in one interval (Erlang C / Erlang A)",
)
def staffing_calculate(request: HttpRequest, query: Query[StaffingQuery]):
    """The smallest number of agents that answers ``target`` of the calls within ``within``
    seconds (and keeps occupancy at most ``max_occupancy``), with the expected service
    level, average speed of answer and occupancy. Erlang C; with ``patience`` Erlang A,
    where callers hang up and ``abandonment`` is reported. Nothing is stored."""
    from .erlang import staffing

    reject_unknown_parameters(request, set(StaffingQuery.model_fields))
    require_planning_role(request.user)
    result = staffing(**query.model_dump())
    return result.as_dict()
