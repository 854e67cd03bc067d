"""Import residents from an .xlsx workbook (see ``people/io.py`` for the columns)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from people.io import PeopleImportError, commit, read_residents


class Command(BaseCommand):
    help = "Import residents (实有人口) from an .xlsx workbook: every row checked first, all or nothing."
    update_help = "update people already registered (same ID number) instead of skipping them"

    reader = staticmethod(read_residents)

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument("--user", required=True, help="username of the importer (their data scope applies)")
        parser.add_argument("--update", action="store_true",
                            help=self.update_help)

    def handle(self, *args, file, user, update, **options):
        try:
            actor = User.objects.get(username=user)
        except User.DoesNotExist as exc:
            raise CommandError(_("No user %(name)s.") % {"name": user}) from exc
        try:
            with open(file, "rb") as handle:
                preview = self.reader(handle, file, actor, update=update)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        try:
            result = commit(preview, actor)
        except PeopleImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("Created %(created)d, updated %(updated)d, skipped %(skipped)d (already registered).")
                          % {"created": result.created, "updated": result.updated, "skipped": result.skipped})
