"""manage.py portfolio: 001's table 2 with the five-principle assessment, the savings path
against the realised benefits, and the cost per contact by channel."""

import argparse
import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from borgerservice.analytics import portfolio
from borgerservice.analytics.portfolio_api import portfolio_data, savings_data
from borgerservice.core.errors import ServiceError


def _fmt(value, places: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{places}f}"


class Command(BaseCommand):
    help = (
        "The portfolio analysis of 001: table 2 with the five-principle assessment, the "
        "savings path (default 5 % a year over three years, compounding) against the "
        "realised benefits, and the cost per contact by channel. --format json prints one "
        "JSON object with the keys portfolio, savings_path and channel_costs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2009, help="Year of table 2 (2009)")
        parser.add_argument("--years", type=int, default=portfolio.SAVINGS_YEARS)
        parser.add_argument("--rate", type=str, default=str(portfolio.SAVINGS_RATE))
        parser.add_argument(
            "--compounding",
            action=argparse.BooleanOptionalAction,
            default=portfolio.SAVINGS_COMPOUNDING,
            help="Each year's rate of what remains (default); --no-compounding: of the baseline",
        )
        parser.add_argument(
            "--cost-per-fte",
            type=str,
            default=None,
            help=f"DKK a year (default {portfolio.DEFAULT_COST_PER_FTE_DKK})",
        )
        parser.add_argument("--baseline-fte", type=str, default=None, help="Default: table 2")
        parser.add_argument("--start-year", type=int, default=portfolio.SAVINGS_START_YEAR)
        parser.add_argument(
            "--costs-year",
            type=int,
            default=None,
            help="Year of the contact rollup (default: the latest year with contacts)",
        )
        parser.add_argument("--shift", type=str, default=str(portfolio.DEFAULT_SHIFT))
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args, **options):
        try:
            portfolio.year_check(options["year"])
            data = {
                "portfolio": portfolio_data(options["year"]),
                "savings_path": savings_data(
                    years=options["years"],
                    rate=options["rate"],
                    compounding=options["compounding"],
                    cost_per_fte=options["cost_per_fte"],
                    baseline_fte=options["baseline_fte"],
                    start_year=options["start_year"],
                    table2_year=options["year"],
                ),
                "channel_costs": portfolio.channel_costs(
                    year=options["costs_year"], shift=options["shift"]
                ).as_dict(),
            }
        except ServiceError as exc:
            field = (exc.field or "").replace("_", "-")
            raise CommandError(f"--{field}: {exc.message}" if field else exc.message) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self._text(data)

    def _text(self, data: dict) -> None:
        out = self.stdout.write
        # Column headings (outside the f-strings, so makemessages finds them).
        l_area = _("Area")
        l_fte = _("FTE")
        l_contacts = _("Contacts")
        l_cases = _("Cases")
        l_total = _("Total")
        l_suitability = _("Suitability")
        l_year = _("Year")
        l_planned_fte = _("Planned FTE")
        l_realised_fte = _("Realised FTE")
        l_planned_dkk = _("Planned DKK")
        l_realised_dkk = _("Realised DKK")
        l_gap_dkk = _("Gap DKK")
        l_channel = _("Channel")
        l_dkk_each = _("DKK each")
        l_dkk = _("DKK")
        p = data["portfolio"]
        out(_("Table 2 (001), %(year)s") % {"year": p["year"]})
        out(f"{l_area:<52} {l_fte:>7} {l_contacts:>10} {l_cases:>8}")
        for row in p["table2"]:
            out(
                f"{row['name'][:52]:<52} {_fmt(row['fte'], 1):>7} "
                f"{_fmt(row['contacts']):>10} {_fmt(row['cases']):>8}"
            )
        t = p["totals"]
        out(f"{l_total:<52} {_fmt(t['fte'], 1):>7} {_fmt(t['contacts']):>10} {_fmt(t['cases']):>8}")
        for line in p["discrepancies"]:
            out(_("Differs from 001: %(line)s") % {"line": line})
        out("")
        out(_("Assessment against the five principles"))
        out(f"{l_area:<52} P1 P2 P3 P4 P5  {l_suitability:<8} 001")
        marks = {"met": "+", "partly": "~", "not_met": "-", "not_applicable": ".", "unknown": "?"}
        for a in p["assessment"]:
            cells = "  ".join(marks[x["judgement"]] for x in a["principles"])
            agree = "" if a["agrees_with_001"] else " (!)"
            out(
                f"{a['name'][:52]:<52} {cells}   {a['suitability']:<8} {a['conclusion_001']}{agree}"
            )
        out(_("+ met, ~ partly, - not met, . not applicable, ? no figure"))
        out("")
        s = data["savings_path"]
        out(
            _(
                "Savings path: %(rate)s a year over %(years)s years, %(kind)s; baseline "
                "%(fte)s FTE × %(cost)s DKK = %(dkk)s DKK"
            )
            % {
                "rate": f"{s['rate']:.1%}",
                "years": s["years"],
                "kind": _("compounding") if s["compounding"] else _("of the baseline"),
                "fte": _fmt(s["baseline_fte"], 1),
                "cost": _fmt(s["cost_per_fte_dkk"]),
                "dkk": _fmt(s["baseline_dkk"]),
            }
        )
        out(
            f"{l_year:<6} {l_planned_fte:>12} {l_realised_fte:>13} "
            f"{l_planned_dkk:>14} {l_realised_dkk:>14} {l_gap_dkk:>14}"
        )
        for row in s["comparison"]:
            out(
                f"{row['year']:<6} {_fmt(row['cumulative_planned_fte'], 2):>12} "
                f"{_fmt(row['cumulative_realised_fte'], 2):>13} "
                f"{_fmt(row['cumulative_planned_dkk']):>14} "
                f"{_fmt(row['cumulative_realised_dkk']):>14} {_fmt(row['gap_dkk']):>14}"
            )
        out(
            _("In all: %(fte)s FTE, %(dkk)s DKK (%(share)s of the baseline); cumulative above.")
            % {
                "fte": _fmt(s["total_fte"], 2),
                "dkk": _fmt(s["total_dkk"]),
                "share": f"{s['total_share']:.2%}",
            }
        )
        out("")
        c = data["channel_costs"]
        source = _("contact rollup") if c["source"] == "rollup" else _("001 table 2")
        out(_("Cost per channel, %(year)s (%(source)s)") % {"year": c["year"], "source": source})
        out(f"{l_channel:<22} {l_contacts:>10} {l_dkk_each:>9} {l_dkk:>14}")
        for row in c["rows"]:
            default = " *" if row["is_default"] else ""
            out(
                f"{row['label']:<22} {_fmt(row['contacts']):>10} {row['cost_dkk']:>9.2f} "
                f"{_fmt(row['total_dkk']):>14}{default}"
            )
        out(f"{l_total:<22} {'':>10} {'':>9} {_fmt(c['total_dkk']):>14}")
        if c["unassigned_contacts"]:
            out(
                _("Contacts without a channel split (not costed): %(n)s")
                % {"n": _fmt(c["unassigned_contacts"])}
            )
        out(_("* default unit cost"))
        out(
            _(
                "Moving %(share)s of phone and walk-in contacts (%(n)s) to self-service "
                "saves %(dkk)s DKK a year."
            )
            % {
                "share": f"{Decimal(str(c['shift'])):.0%}",
                "n": _fmt(c["shifted_contacts"]),
                "dkk": _fmt(c["saving_dkk"]),
            }
        )
