"""Writes of the portfolio analysis: realised benefits and the cost per contact by channel.

Both are for analysts: the portfolio analysis and the follow-up on its savings path are
their work (team leads read the figures). Neither row holds personal data, so nothing is
audited; each row records who wrote it last (``recorded_by`` / ``updated_by``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from borgerservice.accounts.roles import ANALYST, has_role
from borgerservice.catalogue.models import ServiceArea
from borgerservice.core.channels import Channel
from borgerservice.core.errors import ServiceError

from .models import BenefitRealisation, UnitCost

MAX_FTE = Decimal("99999.99")  # BenefitRealisation.fte_saved: 7 digits, 2 decimals
MAX_AMOUNT = Decimal("999999999999.99")  # amount_dkk: 14 digits, 2 decimals
MAX_UNIT_COST = Decimal("999999.99")  # UnitCost.cost_dkk: 8 digits, 2 decimals
MAX_NOTE = 2000
MAX_SOURCE_NOTE = 300


def may_write_portfolio(user) -> bool:
    return has_role(user, ANALYST)


def _require_analyst(user) -> None:
    if not may_write_portfolio(user):
        raise ServiceError(
            "portfolio.not_analyst",
            _("Only analysts may record benefits and set unit costs."),
            status=403,
        )


def _amount(value, *, field: str, message, maximum: Decimal) -> Decimal:
    if value is None or isinstance(value, bool):
        raise ServiceError("portfolio.invalid", message, field=field)
    try:
        number = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError("portfolio.invalid", message, field=field) from exc
    if not number.is_finite() or number < 0 or number > maximum:
        raise ServiceError("portfolio.invalid", message, field=field)
    return number.quantize(Decimal("0.01"))


def _area(area) -> ServiceArea:
    if isinstance(area, ServiceArea):
        return area
    found = None
    if isinstance(area, int) and not isinstance(area, bool):
        found = ServiceArea.objects.filter(pk=area).first()
    elif isinstance(area, str) and area.strip():
        found = ServiceArea.objects.filter(code=area.strip()).first()
    if found is None:
        raise ServiceError(
            "portfolio.unknown_area", _("Choose an area of the catalogue."), field="area"
        )
    return found


@transaction.atomic
def benefit_record(
    *,
    user,
    area: ServiceArea | int | str,
    year: int,
    fte_saved,
    amount_dkk,
    note: str = "",
) -> tuple[BenefitRealisation, bool]:
    """Record (or replace) the realised benefit of an area in a year; returns the row and
    whether it was created. One row per area and year: recording again overwrites it."""
    _require_analyst(user)
    area = _area(area)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ServiceError(
            "portfolio.bad_year", _("The year must be from 2000 to 2100."), field="year"
        )
    fte = _amount(
        fte_saved,
        field="fte_saved",
        message=_("Write the FTE saved as a number from 0 to 99,999.99."),
        maximum=MAX_FTE,
    )
    amount = _amount(
        amount_dkk,
        field="amount_dkk",
        message=_("Write the amount saved in DKK as a number of 0 or more."),
        maximum=MAX_AMOUNT,
    )
    if not fte and not amount:
        raise ServiceError(
            "portfolio.empty_benefit",
            _("Record FTE saved or an amount saved (or both)."),
            field="fte_saved",
        )
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ServiceError(
            "portfolio.long_note",
            _("The note may be at most %(max)s characters."),
            field="note",
            params={"max": MAX_NOTE},
        )
    row, created = BenefitRealisation.objects.update_or_create(
        area=area,
        year=year,
        defaults={"fte_saved": fte, "amount_dkk": amount, "note": note, "recorded_by": user},
    )
    return row, created


@transaction.atomic
def unit_cost_set(*, user, channel: str, cost_dkk, source_note: str = "") -> UnitCost:
    """Set what one contact by ``channel`` costs (DKK), with the basis of the figure."""
    _require_analyst(user)
    if channel not in Channel.values:
        raise ServiceError("portfolio.unknown_channel", _("Choose a channel."), field="channel")
    cost = _amount(
        cost_dkk,
        field="cost_dkk",
        message=_("Write the cost per contact in DKK as a number from 0 to 999,999.99."),
        maximum=MAX_UNIT_COST,
    )
    source_note = (source_note or "").strip()
    if len(source_note) > MAX_SOURCE_NOTE:
        raise ServiceError(
            "portfolio.long_note",
            _("The note may be at most %(max)s characters."),
            field="source_note",
            params={"max": MAX_SOURCE_NOTE},
        )
    row, _created = UnitCost.objects.update_or_create(
        channel=channel,
        defaults={"cost_dkk": cost, "source_note": source_note, "updated_by": user},
    )
    return row
