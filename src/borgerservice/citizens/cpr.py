"""CPR numbers: validation (python-stdnum), masking, and what the number tells.

The modulus-11 check is not applied: since 2007 CPR numbers are issued that fail it
(the series ran out for some birth dates), so a failing checksum is valid.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.dk import cpr as stdnum_cpr

from borgerservice.core.errors import ServiceError


def cpr_normalise(value: str) -> str:
    """Validate a CPR number and return its ten digits ("010203-1234" → "0102031234").

    Raises ``ServiceError`` (code ``cpr.invalid``) with a translated reason.
    """
    raw = (value or "").strip()
    try:
        return stdnum_cpr.validate(raw)
    except stdnum_errors.InvalidFormat as exc:
        raise ServiceError(
            "cpr.invalid", _("A CPR number has ten digits, for example 010203-1234."), field="cpr"
        ) from exc
    except stdnum_errors.InvalidLength as exc:
        raise ServiceError(
            "cpr.invalid", _("A CPR number has exactly ten digits."), field="cpr"
        ) from exc
    except stdnum_errors.InvalidComponent as exc:
        raise ServiceError(
            "cpr.invalid",
            _("The first six digits of a CPR number must be a real birth date (DDMMYY)."),
            field="cpr",
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise ServiceError("cpr.invalid", _("The CPR number is not valid."), field="cpr") from exc


def cpr_birth_date(cpr: str) -> datetime.date:
    return stdnum_cpr.get_birth_date(cpr)


def cpr_sex(cpr: str) -> str:
    """ "M" or "F": the last digit is odd for men and even for women."""
    return "M" if int(cpr[-1]) % 2 else "F"


def cpr_mask(cpr: str) -> str:
    """Masked form shown everywhere: "DDMMYY-XXXX"."""
    return f"{cpr[:6]}-XXXX"


def cpr_format(cpr: str) -> str:
    """Full form, only after an audited reveal: "DDMMYY-NNNN"."""
    return f"{cpr[:6]}-{cpr[6:]}"
