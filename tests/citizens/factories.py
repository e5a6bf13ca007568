"""factory_boy factories for citizens: every CitizenFactory gets a valid, unique CPR number."""

from __future__ import annotations

import datetime

import factory

from borgerservice.citizens.cpr import cpr_birth_date, cpr_sex
from borgerservice.citizens.models import Citizen, Relation

_FIRST_BIRTH = datetime.date(1940, 1, 1)
_BIRTH_DAYS = 29_000  # 1940-01-01 .. 2019-05-26


def cpr_for(birth: datetime.date, serial: int) -> str:
    """A valid CPR number for ``birth`` (century digit by the rule), ``serial`` 0-3999.

    The last digit (odd: man, even: woman) is ``serial % 10``; modulus 11 is not considered.
    """
    century = (0, 1, 2, 3) if birth.year < 2000 else (4, 5, 6, 7)
    return f"{birth:%d%m%y}{century[serial // 1000 % 4]}{serial % 1000:03d}"


def _sequence_cpr(n: int) -> str:
    # 97 and 29,000 are coprime: a birth date repeats only every 29,000 citizens, and
    # then with another serial number.
    birth = _FIRST_BIRTH + datetime.timedelta(days=n * 97 % _BIRTH_DAYS)
    return cpr_for(birth, (n // _BIRTH_DAYS * 10 + n % 10) % 4000)


class CitizenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citizen

    class Params:
        is_male = factory.LazyAttribute(lambda o: o.sex == "M")

    cpr = factory.Sequence(_sequence_cpr)
    birth_date = factory.LazyAttribute(lambda o: cpr_birth_date(o.cpr))
    sex = factory.LazyAttribute(lambda o: cpr_sex(o.cpr))
    first_name = factory.Maybe(
        "is_male",
        yes_declaration=factory.Faker("first_name_male", locale="da_DK"),
        no_declaration=factory.Faker("first_name_female", locale="da_DK"),
    )
    last_name = factory.Faker("last_name", locale="da_DK")
    street = factory.Faker("street_name", locale="da_DK")
    house_number = factory.Faker("building_number", locale="da_DK")
    floor = "2"
    door = "th"
    postcode = "2200"
    city = "København N"


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relation

    from_citizen = factory.SubFactory(CitizenFactory)
    to_citizen = factory.SubFactory(CitizenFactory)
    kind = Relation.Kind.PARTNER
