"""Instant decisions per second for each rule set, on one core (target ≥ 5,000/s).

The engine reads no database, so Django is set up without migrating anything. For each
rule set a fixed, seeded set of varied, realistic answers (incomes spread across every
step of the scale, households of one to five children, pensioners with and without a
known supplement percentage, children of every age, some answers that go to a
caseworker) is decided again and again: each batch decides every answer once, on a
decision date inside the current parameter period. Reported per rule set: the median
of the per-batch rates, the rate 95 % of batches reach or beat (``_p95``), the mean time
per decision, the mix of outcomes, and the median against the target as a ratio.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from common import configure_django, percentile, report

TARGET_PER_SECOND = 5_000
ANSWERS = 2_000
REPEATS = 15
DAY = date(2026, 6, 1)


def friplads_answers(rng: random.Random) -> list[dict]:
    answers = []
    for _ in range(ANSWERS):
        answer = {
            # Household incomes from student couples to two high earners.
            "household_income": str(rng.randrange(80_000, 900_000, 50)),
            "children_under_18": rng.choice((1, 1, 1, 2, 2, 3, 4, 5)),
            "single_provider": rng.random() < 0.25,
        }
        if rng.random() < 0.5:
            answer["monthly_fee"] = str(rng.choice((1_795, 2_394, 3_611, 4_204)))
        if rng.random() < 0.05:
            answer["income_needs_assessment"] = True
        if rng.random() < 0.1:
            answer["childcare_type"] = rng.choice(("private_institution", "private_scheme"))
        answers.append(answer)
    return answers


def boernetilskud_answers(rng: random.Random) -> list[dict]:
    answers = []
    for _ in range(ANSWERS):
        born = DAY - timedelta(days=rng.randrange(0, 19 * 365))
        citizen = rng.random() < 0.9
        answer = {
            "child_birth_date": born.isoformat(),
            "single_provider": rng.random() < 0.85,
            "has_custody": rng.random() < 0.95,
            "child_lives_with_applicant": rng.random() < 0.9,
            "other_children_under_18": rng.choice((0, 0, 0, 1, 1, 2, 3)),
            "both_parents_pensioners": rng.random() < 0.03,
            "resident_in_denmark": rng.random() < 0.97,
            "child_in_denmark": rng.random() < 0.98,
            "danish_citizen_or_refugee": citizen,
            "other_parent": rng.choice(("known",) * 8 + ("dead", "unknown")),
        }
        if not citizen and rng.random() < 0.8:
            answer["residence_years"] = str(round(rng.uniform(0, 12), 1))
        answers.append(answer)
    return answers


def helbredstillaeg_answers(rng: random.Random) -> list[dict]:
    answers = []
    for _ in range(ANSWERS):
        answer = {
            "pension_type": rng.choice(
                ("folkepension",) * 8 + ("foertidspension_before_2003", "foertidspension_from_2003")
            ),
            "resident_in_denmark": rng.random() < 0.98,
            "cohabiting": rng.random() < 0.45,
            # Most applicants have modest savings; some are well above the limit.
            "liquid_assets": str(min(int(rng.expovariate(1 / 55_000)), 2_000_000)),
        }
        if rng.random() < 0.6:
            answer["supplement_percentage"] = rng.choice((0, 12, 47, 80, 100, 100, 100))
        elif rng.random() < 0.8:
            answer["income_besides_pension"] = str(rng.randrange(0, 220_000, 100))
        answers.append(answer)
    return answers


GENERATORS = {
    "friplads": friplads_answers,
    "boernetilskud": boernetilskud_answers,
    "helbredstillaeg": helbredstillaeg_answers,
}


def main() -> None:
    configure_django(f"sqlite:///{Path(tempfile.mkdtemp()) / 'unused.sqlite3'}")
    from borgerservice.decisions.engine import RULE_SETS, evaluate

    rng = random.Random(20261202)  # fixed seed: the same answers every run
    report("decisions_answers_per_batch", ANSWERS, "answers")
    report("decisions_batches", REPEATS, "batches")
    failed = False
    for code in RULE_SETS:
        answers = GENERATORS[code](rng)
        outcomes = Counter(evaluate(code, a, on=DAY).outcome for a in answers)  # warm-up
        rates = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            for answer in answers:
                evaluate(code, answer, on=DAY)
            rates.append(len(answers) / (time.perf_counter() - start))
        median = statistics.median(rates)
        report(f"decisions_per_second_{code}", median, "per_s")
        report(f"decisions_per_second_{code}_p95", percentile(rates, 0.05), "per_s")
        report(f"decisions_{code}_mean_us", 1e6 / statistics.fmean(rates), "us")
        for outcome in ("granted", "refused", "manual"):
            report(f"decisions_{code}_share_{outcome}", outcomes[outcome] / len(answers), "ratio")
        report(f"decisions_{code}_ratio_to_target", median / TARGET_PER_SECOND, "ratio")
        failed = failed or median < TARGET_PER_SECOND
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
