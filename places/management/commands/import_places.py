"""``manage.py import_places FILE``: import places from a .geojson/.json or .xlsx file (see places/io.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from places.io import PlaceImportError, import_excel, import_geojson

READERS = {".geojson": import_geojson, ".json": import_geojson, ".xlsx": import_excel}


class Command(BaseCommand):
    help = "Import places (create or update by code) from a GeoJSON (.geojson/.json) or Excel (.xlsx) file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of a .geojson, .json or .xlsx file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        reader = READERS.get(path.suffix.lower())
        if reader is None:
            raise CommandError(_("Unknown file type %(suffix)s: use .geojson, .json or .xlsx.") % {
                "suffix": path.suffix or "''"})
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from exc
        try:
            result = reader(data)
        except PlaceImportError as exc:
            for error in exc.errors:
                where = f"row {error.row}, {error.field}" if error.field else f"row {error.row}"
                self.stderr.write(f"{where}: {error.message}")
            raise CommandError(str(exc).splitlines()[0], returncode=1) from exc
        self.stdout.write(_("Created %(created)d, updated %(updated)d places.") % {
            "created": result.created, "updated": result.updated})
