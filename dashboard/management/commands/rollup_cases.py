"""Rebuild or bring up to date the roll-up of case figures the dashboards read.

    manage.py rollup_cases            # fold in what changed since the last run (what the worker does)
    manage.py rollup_cases --rebuild  # recompute every day (after a bulk import of historical cases)
"""

import time

from django.core.management.base import BaseCommand

from dashboard import rollup


class Command(BaseCommand):
    help = "Rebuild (--rebuild) or bring up to date the daily case figures the dashboards read."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Recompute every day from the cases.")

    def handle(self, *args, rebuild=False, **options):
        started = time.perf_counter()
        rows = rollup.rebuild() if rebuild else rollup.sweep()
        self.stdout.write(f"{rows} rows of daily case figures written in {time.perf_counter() - started:.1f} s")
