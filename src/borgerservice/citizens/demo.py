"""Demo citizens: realistic, deterministic Copenhagen households for development and load tests.

Everything is drawn from one seeded ``random.Random`` (names and street names from Faker's
``da_DK`` locale), so a seed and a database state give the same citizens every time. Rows
are written with ``bulk_create`` in batches, one transaction per batch, and relations are
built from the ids the inserts return, so 650,000 citizens take minutes.

CPR numbers are valid (birth date, century digit, sex digit); about 15 % deliberately fail
the modulus-11 check, as numbers issued since 2007 may. Numbers already in the database are
never reused.
"""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Callable
from itertools import accumulate

from django.db import transaction
from django.utils import timezone
from faker import Faker
from faker.providers.person.da_DK import Provider as DanishNames

from .models import Citizen, Relation

# Postcode, city, share of the population (relative weight), share of households in houses.
POSTCODES: tuple[tuple[str, str, int, float], ...] = (
    ("1050", "København K", 3, 0.0),
    ("1110", "København K", 3, 0.0),
    ("1159", "København K", 3, 0.0),
    ("1264", "København K", 3, 0.0),
    ("1300", "København K", 4, 0.0),
    ("1357", "København K", 4, 0.0),
    ("1408", "København K", 4, 0.0),
    ("1450", "København K", 3, 0.0),
    ("1560", "København V", 6, 0.0),
    ("1620", "København V", 8, 0.0),
    ("1650", "København V", 8, 0.0),
    ("1720", "København V", 8, 0.0),
    ("1750", "København V", 6, 0.0),
    ("1820", "Frederiksberg C", 8, 0.02),
    ("1860", "Frederiksberg C", 8, 0.02),
    ("1900", "Frederiksberg C", 8, 0.02),
    ("1950", "Frederiksberg C", 6, 0.02),
    ("2000", "Frederiksberg", 40, 0.05),
    ("2100", "København Ø", 70, 0.02),
    ("2150", "Nordhavn", 12, 0.0),
    ("2200", "København N", 80, 0.01),
    ("2300", "København S", 95, 0.12),
    ("2400", "København NV", 50, 0.05),
    ("2450", "København SV", 35, 0.04),
    ("2500", "Valby", 50, 0.20),
    ("2700", "Brønshøj", 30, 0.45),
    ("2720", "Vanløse", 35, 0.35),
)
STREETS_PER_WEIGHT = 3  # street names per unit of population weight (about 2,000 streets)
FLOORS = ("st", "1", "2", "3", "4", "5")
FLOOR_WEIGHTS = (18, 20, 19, 18, 15, 10)
DOORS = ("tv", "th", "mf")
DOOR_WEIGHTS = (45, 45, 10)
EMAIL_DOMAINS = (
    "gmail.com",
    "hotmail.com",
    "outlook.dk",
    "live.dk",
    "yahoo.dk",
    "mail.dk",
    "jubii.dk",
    "icloud.com",
)
EMAIL_DOMAIN_WEIGHTS = (40, 20, 10, 8, 5, 8, 4, 5)
_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "o", "ä": "a"})
_NOT_EMAIL = re.compile(r"[^a-z0-9.-]")

# Household kinds and their share of households.
SINGLE, COUPLE, FAMILY, SINGLE_PARENT, ELDERLY_COUPLE = range(5)
HOUSEHOLD_WEIGHTS = (45, 20, 20, 8, 7)
SINGLE_AGE_BANDS = ((18, 29), (30, 49), (50, 66), (67, 98))
SINGLE_AGE_WEIGHTS = (42, 28, 15, 15)
COUPLE_AGE_BANDS = ((20, 34), (35, 49), (50, 66))
COUPLE_AGE_WEIGHTS = (45, 25, 30)

# Days, rounded so that the stated age relations hold for any dates.
YEAR = 365.25
DAYS_18 = 6573  # under this many days old: certainly under 18
DAYS_20 = 7306  # at least this many days: certainly 20 years
DAYS_50 = 18262  # at most this many days: certainly not more than 50 years
TEN_YEARS = 3652

SHARE_MOD11_FAIL = 0.15
SHARE_PROTECTED = 0.01  # households with name and address protection
SHARE_EXEMPT = 0.007  # adults exempt from Digital Post
SHARE_ENGLISH = 0.03  # households preferring English
SHARE_RECENT_MOVE = (
    0.01  # households moving in within 30 days (with newborns and 18-year-olds: ~1.5 %)
)
SHARE_DECEASED_ELDERLY = 0.003
SHARE_PHONE = 0.92
SHARE_EMAIL = 0.82

CPR_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2)
DIGITS_1900S = (0, 1, 2, 3)  # 7th digit for 1900-1999 (4 and 9 only from 1937; kept spare)
DIGITS_2000S = (4, 5, 6, 7, 8, 9)  # 7th digit for 2000-2036

Progress = Callable[[int, int], None]


def demo_citizens_create(
    *,
    count: int,
    seed: int = 2005,
    batch_size: int = 5000,
    progress: Progress | None = None,
    today: datetime.date | None = None,
) -> int:
    """Create ``count`` demo citizens in households and return the number created.

    ``progress(created, count)`` is called after each committed batch. The result depends
    only on ``seed``, ``today`` (default: the local date) and the citizens already stored.
    """
    if count <= 0:
        return 0
    batch_size = max(1, batch_size)
    generator = _DemoGenerator(seed=seed, today=today or timezone.localdate())
    created = 0
    while created < count:
        citizens: list[Citizen] = []
        links: list[tuple[int, int, str]] = []
        while len(citizens) < batch_size and created + len(citizens) < count:
            members, relations = generator.household()
            room = count - created - len(citizens)
            base = len(citizens)
            citizens.extend(members[:room])
            links.extend(
                (base + a, base + b, kind) for a, b, kind in relations if a < room and b < room
            )
        with transaction.atomic():
            Citizen.objects.bulk_create(citizens, batch_size=batch_size)
            Relation.objects.bulk_create(
                [
                    Relation(from_citizen_id=citizens[a].pk, to_citizen_id=citizens[b].pk, kind=k)
                    for a, b, k in links
                ],
                batch_size=batch_size,
            )
        created += len(citizens)
        if progress is not None:
            progress(created, count)
    return created


class _DemoGenerator:
    """Draws households; keeps the CPR numbers and addresses it has handed out."""

    def __init__(self, *, seed: int, today: datetime.date) -> None:
        self.today = today
        self.today_ordinal = today.toordinal()
        self.taken: set[str] = set(Citizen.objects.values_list("cpr", flat=True).iterator())
        self.used_addresses: set[tuple[str, str, str, str]] = {
            tuple(row)
            for row in Citizen.objects.exclude(street="")
            .values_list("street", "house_number", "floor", "door")
            .distinct()
            .iterator()
        }
        # A second run on a filled database continues with other draws instead of
        # retrying (and rejecting) the numbers of the first run.
        self.rng = rng = random.Random(seed * 1_000_003 + len(self.taken))
        fake = Faker("da_DK")
        fake.seed_instance(seed)

        self.first_male = list(DanishNames.first_names_male)
        self.first_female = list(DanishNames.first_names_female)
        self.last_names = list(DanishNames.last_names)
        # The list starts with the most common names (Jensen, Nielsen, Hansen, ...).
        self.last_cum = list(accumulate(1 / (rank + 4) for rank in range(len(self.last_names))))

        self.postcodes = [(code, city, houses) for code, city, _w, houses in POSTCODES]
        self.postcode_cum = list(accumulate(w for _c, _t, w, _h in POSTCODES))
        self.streets: list[list[tuple[str, int]]] = [[] for _ in POSTCODES]
        seen: set[str] = set()
        for index, (_code, _city, weight, _houses) in enumerate(POSTCODES):
            while len(self.streets[index]) < weight * STREETS_PER_WEIGHT:
                name = fake.street_name()
                if name not in seen:
                    seen.add(name)
                    self.streets[index].append((name, rng.randint(8, 160)))

        self.household_cum = list(accumulate(HOUSEHOLD_WEIGHTS))
        self.floor_cum = list(accumulate(FLOOR_WEIGHTS))
        self.door_cum = list(accumulate(DOOR_WEIGHTS))
        self.domain_cum = list(accumulate(EMAIL_DOMAIN_WEIGHTS))

    # -- people -----------------------------------------------------------------------

    def _days_old(self, low_years: int, high_years: int) -> int:
        """Age in days of someone aged between ``low_years`` and ``high_years`` (inclusive)."""
        return self.rng.randint(int(low_years * YEAR) + 1, int((high_years + 1) * YEAR) - 1)

    def _first_name(self, male: bool) -> str:
        rng = self.rng
        names = self.first_male if male else self.first_female
        first = rng.choice(names)
        if rng.random() < 0.25:
            middle = rng.choice(names)
            if middle != first:
                return f"{first} {middle}"
        return first

    def _last_name(self) -> str:
        rng = self.rng
        name = rng.choices(self.last_names, cum_weights=self.last_cum)[0]
        if rng.random() < 0.04:
            other = rng.choices(self.last_names, cum_weights=self.last_cum)[0]
            if other != name:
                return f"{name}-{other}"
        return name

    def _cpr(self, birth: datetime.date, male: bool) -> str:
        rng = self.rng
        date_part = birth.strftime("%d%m%y")
        partial = sum(w * int(d) for w, d in zip(CPR_WEIGHTS, date_part, strict=False))
        century = DIGITS_2000S if birth.year >= 2000 else DIGITS_1900S
        must_fail = rng.random() < SHARE_MOD11_FAIL
        parity = 1 if male else 0
        for _attempt in range(100_000):
            d7 = rng.choice(century)
            serial = rng.randrange(100)
            check = -(partial + 4 * d7 + 3 * (serial // 10) + 2 * (serial % 10)) % 11
            if must_fail:
                last = rng.randrange(parity, 10, 2)
                if last == check:
                    continue
            else:
                if check == 10 or check % 2 != parity:
                    continue
                last = check
            cpr = f"{date_part}{d7}{serial:02d}{last}"
            if cpr not in self.taken:
                self.taken.add(cpr)
                return cpr
        raise RuntimeError(f"No free CPR number for birth date {birth}")  # pragma: no cover

    def _phone(self) -> str:
        digits = f"{self.rng.randrange(20_000_000, 100_000_000)}"
        return f"{digits[0:2]} {digits[2:4]} {digits[4:6]} {digits[6:8]}"

    def _email(self, first_name: str, last_name: str) -> str:
        rng = self.rng
        first = _NOT_EMAIL.sub("", first_name.split()[0].lower().translate(_ASCII))
        last = _NOT_EMAIL.sub("", last_name.lower().translate(_ASCII))
        local = f"{first}.{last}" if rng.random() < 0.7 else f"{first[:1]}{last}"
        if rng.random() < 0.5:
            local += str(rng.randint(1, 99))
        domain = rng.choices(EMAIL_DOMAINS, cum_weights=self.domain_cum)[0]
        return f"{local}@{domain}"

    # -- households -------------------------------------------------------------------

    def _address(self) -> dict[str, str]:
        rng = self.rng
        index = rng.choices(range(len(self.postcodes)), cum_weights=self.postcode_cum)[0]
        postcode, city, houses = self.postcodes[index]
        streets = self.streets[index]
        house = rng.random() < houses
        for _attempt in range(50):
            street, length = rng.choice(streets)
            number = str(rng.randint(1, length))
            if rng.random() < 0.04:
                number += rng.choice("ABC")
            if house:
                floor = door = ""
            else:
                floor = rng.choices(FLOORS, cum_weights=self.floor_cum)[0]
                door = rng.choices(DOORS, cum_weights=self.door_cum)[0]
            key = (street, number, floor, door)
            if key not in self.used_addresses:
                break
        self.used_addresses.add(key)
        return {
            "street": street,
            "house_number": number,
            "floor": floor,
            "door": door,
            "postcode": postcode,
            "city": city,
        }

    def _children_days(self, parent_days: list[int], number: int) -> list[int]:
        """Ages in days of children under 18 whose parents are 20-50 years older."""
        low = max(1, max(parent_days) - DAYS_50)
        high = min(DAYS_18, min(parent_days) - DAYS_20)
        if low > high:
            return []
        return sorted((self.rng.randint(low, high) for _ in range(number)), reverse=True)

    def household(self) -> tuple[list[Citizen], list[tuple[int, int, str]]]:
        """One household: its citizens (adults first) and relations as index pairs."""
        rng = self.rng
        kind = rng.choices(range(5), cum_weights=self.household_cum)[0]
        # (days old, male, last name) of the adults; children follow.
        adults: list[tuple[int, bool, str]] = []
        children_days: list[int] = []
        if kind == SINGLE:
            low, high = rng.choices(SINGLE_AGE_BANDS, weights=SINGLE_AGE_WEIGHTS)[0]
            adults.append((self._days_old(low, high), rng.random() < 0.5, self._last_name()))
        elif kind == SINGLE_PARENT:
            days = self._days_old(22, 55)
            adults.append((days, rng.random() < 0.2, self._last_name()))
            children_days = self._children_days(
                [days], rng.choices((1, 2, 3), weights=(55, 35, 10))[0]
            )
        else:
            if kind == ELDERLY_COUPLE:
                age = rng.randint(67, 92)
            elif kind == FAMILY:
                age = rng.randint(22, 52)
            else:
                low, high = rng.choices(COUPLE_AGE_BANDS, weights=COUPLE_AGE_WEIGHTS)[0]
                age = rng.randint(low, high)
            other_age = max(20, age + rng.randint(-6, 6))
            first_male = rng.random() < 0.5
            other_male = first_male if rng.random() < 0.04 else not first_male
            last_name = self._last_name()
            other_last = last_name if rng.random() < 0.55 else self._last_name()
            adults.append((self._days_old(age, age), first_male, last_name))
            adults.append((self._days_old(other_age, other_age), other_male, other_last))
            if kind == FAMILY:
                children_days = self._children_days(
                    [adults[0][0], adults[1][0]],
                    rng.choices((1, 2, 3, 4), weights=(38, 42, 15, 5))[0],
                )

        address = self._address()
        moved_days = (
            rng.randint(0, 29) if rng.random() < SHARE_RECENT_MOVE else rng.randint(30, TEN_YEARS)
        )
        protected = rng.random() < SHARE_PROTECTED
        language = "en" if rng.random() < SHARE_ENGLISH else "da"
        children_last = adults[0][2] if rng.random() < 0.8 else adults[-1][2]

        people = [(days, male, last, True) for days, male, last in adults]
        people += [(days, rng.random() < 0.5, children_last, False) for days in children_days]
        members: list[Citizen] = []
        for days, male, last_name, adult in people:
            birth = datetime.date.fromordinal(self.today_ordinal - days)
            # Nobody lives at the address longer than since birth (children) or 18 (adults).
            since_days = min(moved_days, days if not adult else days - DAYS_18 - 1)
            moved_in = datetime.date.fromordinal(self.today_ordinal - since_days)
            first_name = self._first_name(male)
            phone = email = ""
            exempt = False
            deceased = None
            if adult:
                if rng.random() < SHARE_PHONE:
                    phone = self._phone()
                if rng.random() < SHARE_EMAIL:
                    email = self._email(first_name, last_name)
                exempt = rng.random() < SHARE_EXEMPT
                if days >= 67 * YEAR and since_days > 1 and rng.random() < SHARE_DECEASED_ELDERLY:
                    deceased = datetime.date.fromordinal(
                        self.today_ordinal - rng.randint(1, min(since_days, 365))
                    )
            members.append(
                Citizen(
                    cpr=self._cpr(birth, male),
                    first_name=first_name,
                    last_name=last_name,
                    birth_date=birth,
                    sex="M" if male else "F",
                    moved_in_on=moved_in,
                    name_address_protected=protected,
                    deceased_on=deceased,
                    digital_post_exempt=exempt,
                    preferred_language=language,
                    phone=phone,
                    email=email,
                    **address,
                )
            )

        relations: list[tuple[int, int, str]] = []
        if len(adults) == 2:
            relations += [(0, 1, Relation.Kind.PARTNER), (1, 0, Relation.Kind.PARTNER)]
        for child in range(len(adults), len(members)):
            relations += [(parent, child, Relation.Kind.PARENT) for parent in range(len(adults))]
        return members, relations
