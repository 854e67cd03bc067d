"""The deadline worker: sweep for due case deadlines every few seconds, forever (``bin/serve`` starts it).

    manage.py deadline_worker            # loop; interval settings.DEADLINE_SWEEP_SECONDS
    manage.py deadline_worker --once     # one sweep (cron, tests, a manual catch-up)

Several workers may run at once (one per app server): each notice is claimed by exactly one of
them (see ``cases.deadlines``). SIGTERM or Ctrl+C ends the loop after the current sweep.
"""

from __future__ import annotations

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from care.alerts import sweep as care_sweep
from cases.deadlines import sweep
from core.jobs import requeue_lost_jobs
from dashboard.rollup import sweep as rollup_sweep
from disputes.actions import sweep as disputes_sweep
from intake.hotspots import sweep as hotspots_sweep
from intake.schedule import sweep as routing_sweep
from petitions.deadlines import sweep as petitions_sweep
from portal.deadlines import sweep as errands_sweep
from reports.deadlines import sweep as reports_sweep
from safety.deadlines import sweep as safety_sweep

logger = logging.getLogger("cases.deadlines")

# Every timer of the platform, in order: (name, function returning what it did). Each claims its due
# rows with a conditional UPDATE, so several workers never act twice on one row.
SWEEPS = [
    ("cases", sweep),  # (warnings, overdue notices) of case deadlines
    ("care", care_sweep),  # (workers alerted, justice office alerted) for missed visits
    ("disputes", disputes_sweep),  # (disputes sent up a tier, grids late with their screening report)
    ("petitions", petitions_sweep),  # petitions past their reply deadline (the dispatchers are told)
    ("errands", errands_sweep),  # errands past their time limit (the owner is told)
    ("safety", safety_sweep),  # hazards past their fix deadline, hazard sources without a drill for a year
    ("rollup", rollup_sweep),  # case figures per day for the dashboards (rows rewritten)
    ("reports", reports_sweep),  # scheduled monthly and quarterly reports whose period has ended
    ("routing", routing_sweep),  # scheduled retraining of the router (queued for the task worker)
    ("hotspots", hotspots_sweep),  # the daily detection of hotspots and repeat risks; the street is warned
    ("jobs", requeue_lost_jobs),  # (jobs of dead task workers put back in the queue, jobs given up)
]


def run_sweeps(log=logger.info) -> dict:
    """One pass of every sweep; a failing sweep is logged and the others still run."""
    results = {}
    for name, func in SWEEPS:
        try:
            results[name] = func()
        except Exception:  # the database may be down for a moment: try again next time
            logger.exception("%s sweep failed", name)
            continue
        if any(results[name]) if isinstance(results[name], tuple) else results[name]:
            log("%s sweep: %s", name, results[name])
    return results


class Command(BaseCommand):
    help = "Send deadline warnings, overdue and supervision notices for due cases (loops until stopped)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one sweep and exit.")
        parser.add_argument("--interval", type=float, default=None,
                            help="Seconds between sweeps (default: settings.DEADLINE_SWEEP_SECONDS).")

    def handle(self, *args, once=False, interval=None, **options):
        interval = max(float(interval if interval is not None else settings.DEADLINE_SWEEP_SECONDS), 0.1)
        # Stored texts (event labels, notification titles) are in the site's language, settings.LANGUAGE_CODE:
        # outside a request no other language is active.
        if once:
            for name, result in run_sweeps(log=logger.debug).items():
                self.stdout.write(f"{name}: {result}")
            return
        self.loop(interval)

    def loop(self, interval: float) -> None:
        stop = threading.Event()

        def request_stop(signum, frame):
            logger.info("Deadline worker: signal %s received, stopping after this sweep", signum)
            stop.set()

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        logger.info("Deadline worker started: a sweep every %s s", interval)
        try:
            while not stop.is_set():
                if not connection.in_atomic_block:  # (a test runs the loop inside its transaction)
                    close_old_connections()  # drop a connection the database closed or that is too old
                run_sweeps()
                stop.wait(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            logger.info("Deadline worker stopped")
