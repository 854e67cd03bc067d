"""Signals other apps listen to without the case engine knowing them."""

from django.dispatch import Signal

# Sent by ``cases.actions.report_case`` when a new case was made (not for a retried submission), with
# ``case``; receivers run inside the report's transaction: a job goes through ``core.jobs.enqueue`` (committed
# with the case), other work for later to ``on_commit``.
case_reported = Signal()
