"""``manage.py export_places FILE [--under CODE] [--level LEVEL]``: export places as GeoJSON or Excel."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from places.io import LEVEL_ALIASES, export_excel, export_geojson
from places.models import Level, OrgUnit


class Command(BaseCommand):
    help = "Export places to a GeoJSON (.geojson/.json) or Excel (.xlsx) file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the .geojson, .json or .xlsx file to write")
        parser.add_argument("--under", metavar="CODE", help="only this place and the places under it")
        parser.add_argument("--level", help="only places of this level (district, street, community, grid, building)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        suffix = path.suffix.lower()
        if suffix not in (".geojson", ".json", ".xlsx"):
            raise CommandError(_("Unknown file type %(suffix)s: use .geojson, .json or .xlsx.") % {
                "suffix": path.suffix or "''"})
        queryset = OrgUnit.objects.all()
        if options["under"]:
            root = OrgUnit.objects.filter(code=options["under"]).values_list("path", flat=True).first()
            if root is None:
                raise CommandError(_("No place has the code %(code)s.") % {"code": options["under"]})
            queryset = queryset.filter(path__startswith=root)
        if options["level"]:
            level = LEVEL_ALIASES.get(options["level"].strip().lower())
            if level is None:
                raise CommandError(_("Unknown level %(level)s: use one of %(levels)s.") % {
                    "level": options["level"], "levels": ", ".join(Level.values)})
            queryset = queryset.filter(level=level)
        if suffix == ".xlsx":
            data = export_excel(queryset)
        else:
            data = json.dumps(export_geojson(queryset), ensure_ascii=False).encode("utf-8")
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc}) from exc
        self.stdout.write(_("Exported %(count)d places to %(path)s.") % {"count": queryset.count(), "path": path})
