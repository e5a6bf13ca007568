"""Generate a year of demo activity at Copenhagen scale (DEMO=1 only).

    manage.py make_demo_history --year 2026 [--scale 1.0] [--seed 2026] [--replace]
                                [--no-rollups]

See ``analytics/demo_history.py`` for what is generated and the patterns it follows.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from borgerservice.analytics import demo_history


class Command(BaseCommand):
    help = "Generate a year of demo contacts, tickets, bookings, work items and cases (DEMO=1)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--scale", type=float, default=1.0, help="multiplies every volume (1.0: Copenhagen)"
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete the year's previously generated history first",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the year has demo history already (for make demo)",
        )
        parser.add_argument(
            "--no-rollups", action="store_true", help="do not rebuild the rollups afterwards"
        )

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError(_("Refusing to generate demo history: DEMO is not enabled."))
        year, scale = options["year"], options["scale"]
        if not 2000 <= year <= 2100:
            raise CommandError(_("Give a year between 2000 and 2100."))
        if not 0 < scale <= 10:
            raise CommandError(_("The scale must be above 0 and at most 10."))
        began = time.perf_counter()
        deleted: dict[str, int] = {}
        delete_seconds = 0.0
        # One transaction: a failed generation leaves the earlier history in place.
        with transaction.atomic():
            if demo_history.history_exists(year):
                if options["if_empty"] and not options["replace"]:
                    self.stdout.write(
                        _("Demo history for %(year)s exists already.") % {"year": year}
                    )
                    return
                if not options["replace"]:
                    raise CommandError(
                        _(
                            "Demo history for %(year)s exists already; use --replace to "
                            "generate it again."
                        )
                        % {"year": year}
                    )
                step = time.perf_counter()
                deleted = demo_history.history_delete(year)
                delete_seconds = time.perf_counter() - step
                self.stdout.write(
                    _("Deleted the demo history of %(year)s: %(rows)s rows.")
                    % {"year": year, "rows": f"{sum(deleted.values()):,}"}
                )
            try:
                result = demo_history.history_generate(
                    year=year, scale=scale, seed=options["seed"], progress=self.stdout.write
                )
            except demo_history.HistoryError as exc:
                raise CommandError(self._message(str(exc), year)) from exc
        if delete_seconds:
            result.seconds = {"delete": delete_seconds, **result.seconds}
        if not options["no_rollups"]:
            step = time.perf_counter()
            from borgerservice.analytics.rollups import rollup_rebuild

            rollup_rebuild()
            result.seconds["rollups"] = time.perf_counter() - step
        self.stdout.write(
            _("Demo history %(year)s: %(first)s to %(last)s, scale %(scale)s, seed %(seed)s.")
            % {
                "year": year,
                "first": result.first_day.isoformat(),
                "last": result.last_day.isoformat(),
                "scale": scale,
                "seed": options["seed"],
            }
        )
        for table, rows in result.rows.items():
            self.stdout.write(f"  {table:<34} {rows:>12,}")
        self.stdout.write(f"  {_('rows in all'):<34} {result.total_rows:>12,}")
        for phase, seconds in result.seconds.items():
            self.stdout.write(f"  {phase:<34} {seconds:>10.1f} s")
        total = time.perf_counter() - began
        self.stdout.write(_("Total: %(seconds)s s") % {"seconds": f"{total:.1f}"})

    @staticmethod
    def _message(code: str, year: int) -> str:
        messages = {
            "year_in_future": _("The year %(year)s has not begun yet: there is no history.")
            % {"year": year},
            "scale": _("The scale must be above 0 and at most 10."),
            "catalogue": _(
                "Load the catalogue first (manage.py load_copenhagen): the areas' volumes and "
                "the service centres are missing."
            ),
            "queues": _(
                "Every service centre needs queue groups and counters (manage.py make_demo_queues)."
            ),
        }
        return messages.get(code, code)
