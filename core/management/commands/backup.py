"""Write one archive of the database and the uploaded files (see ``core.backup``)."""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) with a consistent snapshot of the database, the uploaded files and a "
        "manifest (row counts, migrations, checksums); safe while the site is running. Restore it with "
        "manage.py restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", default=None, metavar="PATH",
                            help="archive file, or a directory for the default name "
                                 "(default var/backups/jiceng-backup-<UTC time>.tar.gz)")

    def handle(self, *args, output, verbosity, **options):
        try:
            backup = create_backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            database = backup.manifest["database"]
            self.stdout.write(_(
                "%(database)s: %(tables)d tables, %(rows)d rows. Uploaded files: %(files)d."
            ) % {"database": database["display_name"], "tables": len(database["tables"]), "rows": backup.rows,
                 "files": len(backup.manifest["media"])})
            self.stdout.write(self.style.SUCCESS(_("Backup written to %(path)s (%(size)s).") % {
                "path": backup.path, "size": filesizeformat(backup.path.stat().st_size)}))
