"""Check the points ledger: every account's balance must be the sum of its entries.

    manage.py points_audit        # exit status 1 and a line per account when they differ
"""

from django.core.management.base import BaseCommand, CommandError

from points.actions import ledger_errors


class Command(BaseCommand):
    help = "Check that every points balance equals the sum of its ledger entries."

    def handle(self, *args, **options):
        errors = ledger_errors()
        for pk, balance, total in errors:
            self.stderr.write(f"account {pk}: balance {balance}, entries sum to {total}")
        if errors:
            raise CommandError(f"{len(errors)} accounts do not match their ledger")
        self.stdout.write("points ledger: every balance equals the sum of its entries")
