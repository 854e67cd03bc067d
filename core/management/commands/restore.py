"""Bring back an archive written by ``manage.py backup`` (see ``core.backup``)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from core.backup import BackupError, check_compatible, open_archive, restore_archive


class Command(BaseCommand):
    help = (
        "Replace the whole database and the uploaded files with those of a backup written by manage.py "
        "backup. The archive is checked first (checksums, database kind, migrations, keys); the database is "
        "replaced all at once or not at all. Stop the web and task workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive written by manage.py backup")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="do not ask for confirmation")
        parser.add_argument("--ignore-key", action="store_true",
                            help="restore even when the encrypted personal fields of the backup cannot be "
                                 "read with this installation's SECRET_KEY (they stay unreadable)")

    def handle(self, *args, path, interactive, ignore_key, verbosity, **options):
        try:
            with open_archive(path) as archive:
                check_compatible(archive, ignore_key=ignore_key)
                database = archive.manifest["database"]
                if verbosity >= 1:
                    self.stdout.write(_(
                        "Backup of %(created)s: %(database)s, %(tables)d tables, %(rows)d rows. Uploaded "
                        "files: %(files)d. Checksums verified."
                    ) % {"created": archive.manifest["created_at"], "database": database["display_name"],
                         "tables": len(database["tables"]), "rows": archive.rows,
                         "files": len(archive.manifest["media"])})
                if interactive:
                    answer = input(_(
                        "This replaces ALL data of the database %(name)s and every uploaded file with the "
                        "backup's. Type 'yes' to continue: "
                    ) % {"name": connection.settings_dict["NAME"]})
                    if answer.strip().lower() != "yes":
                        raise CommandError(_("Restore cancelled: nothing was changed."))
                restored = restore_archive(archive)
                notes = archive.notes
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if restored.problems:
            raise CommandError(_(
                "The backup was restored, but the database does not hold what the backup lists (was the site "
                "still writing?): %(problems)s"
            ) % {"problems": "; ".join(restored.problems[:10])})
        for note in notes:
            self.stdout.write(self.style.WARNING(note))
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(_(
                "Restored %(tables)d tables with %(rows)d rows (the counts match the backup). Uploaded "
                "files: %(files)d."
            ) % {"tables": restored.tables, "rows": restored.rows, "files": restored.media_files}))
