"""Import houses from an .xlsx workbook (see ``people/io.py``, ``HOUSES``, for the columns)."""

from people.io import read_houses

from .import_residents import Command as ImportResidents


class Command(ImportResidents):
    help = "Import houses (实有房屋) from an .xlsx workbook: every row checked first, all or nothing."
    update_help = "update houses already registered (an address that has a house) instead of skipping them"

    reader = staticmethod(read_houses)
