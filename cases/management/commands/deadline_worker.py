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

logger = logging.getLogger("cases.deadlines")


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
            warned, overdue = sweep()
            self.stdout.write(f"warned={warned} overdue={overdue}")
            workers, justice = care_sweep()
            self.stdout.write(f"missed visits: workers alerted={workers} justice office alerted={justice}")
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
                try:
                    warned, overdue = sweep()
                except Exception:  # the database may be down for a moment: try again next time
                    logger.exception("Deadline sweep failed")
                else:
                    if warned or overdue:
                        logger.info("Deadline sweep: %d warnings, %d overdue notices", warned, overdue)
                    else:
                        logger.debug("Deadline sweep: nothing due")
                try:
                    workers, justice = care_sweep()  # missed visits of special-care persons
                except Exception:
                    logger.exception("Care sweep failed")
                else:
                    if workers or justice:
                        logger.info("Care sweep: %d missed-visit alerts, %d to the justice office", workers, justice)
                stop.wait(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            logger.info("Deadline worker stopped")
