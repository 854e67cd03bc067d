"""Import a file of 12345 hotline work orders (CSV or .xlsx) as registered cases.

    manage.py import_hotline orders.xlsx --user dispatcher

All or nothing: any bad row and nothing is imported (every problem is listed, by row and column).
Work orders imported before are skipped. See ``cases/hotline.py`` for the columns.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from cases.hotline import HotlineImportError, import_hotline


class Command(BaseCommand):
    help = "Import 12345 hotline work orders from a CSV or .xlsx file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV (UTF-8 or GBK) or .xlsx file.")
        parser.add_argument("--user", required=True, help="Username of the dispatcher the cases are registered by.")

    def handle(self, *args, file, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {user!r}.")
        try:
            result = import_hotline(path, actor, path.name)
        except HotlineImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"created={len(result.created)} skipped={len(result.skipped)}")
        for item in result.skipped:
            self.stdout.write(f"  row {item.row}: {item.external_id} already imported as {item.number}")
