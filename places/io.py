"""Import and export of the place tree (``OrgUnit``) as GeoJSON and as Excel (.xlsx).

README — the exchange format
----------------------------
One feature (GeoJSON) or one row (Excel) per place, with these fields:

==================  ==========  ==============================================================
identifier          Chinese     meaning
==================  ==========  ==============================================================
``code``            编码        statistical code, the key: an existing code is updated
``name``            名称        name
``level``           层级        district, street, community, grid, building (or 区/县, 街道/乡镇,
                                社区/村, 网格, 楼栋/微网格)
``parent_code``     上级编码    code of the parent place; empty for a district (top level)
``resident_count``  人口数      whole number >= 0
``household_count`` 户数        whole number >= 0
``geometry``        边界        GeoJSON Polygon/MultiPolygon (WGS84 lon/lat); required for grids
==================  ==========  ==============================================================

* GeoJSON: a ``FeatureCollection``; the fields above are the feature ``properties`` (the Chinese
  names are accepted there too) and the boundary is the feature ``geometry``.
* Excel: the first worksheet; row 1 is the header, data from row 2. Headers may be the English
  identifiers (case-insensitive) or the Chinese names; other columns are ignored. The ``geometry``
  column holds the GeoJSON geometry as text and may be empty for levels other than grid.
  **Export always writes the English identifiers in row 1**, codes as text cells.
* An empty or missing value of ``resident_count``, ``household_count`` or ``geometry`` leaves an
  existing place's value unchanged (a new place gets 0 / no boundary); an import never deletes a
  place or clears a boundary.
* Parents may come anywhere in the file (or already exist in the database). Moving a place (a new
  ``parent_code``) moves its subtree.
* Everything is validated first and every problem is reported (``PlaceImportError.errors``); only a
  file without any error is written, in one transaction, through ``OrgUnit.save()`` (paths,
  centroids, audit log and the grid-index signal all happen as for a single edit).
* ``RowError.row`` is the 1-based feature index (GeoJSON) or the spreadsheet row number (Excel,
  header = row 1); row 0 means the file as a whole. ``RowError.field`` is the English identifier of
  the field ("" for the file as a whole).
* Excel itself limits a cell to 32,767 characters: exchange very detailed boundaries as GeoJSON.
"""

from __future__ import annotations

import contextvars
import json
import math
import os
import re
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import shapely
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from shapely.geometry import shape

from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, covers

from .geo import GeometryError, to_shape
from .models import CHILD_LEVEL, Level, OrgUnit

FIELDS = ("code", "name", "level", "parent_code", "resident_count", "household_count", "geometry")

# Accepted header (Excel) and property (GeoJSON) names, normalised (see _header_key).
HEADER_ALIASES = {
    **{name: name for name in FIELDS},
    "编码": "code",
    "名称": "name",
    "层级": "level",
    "上级编码": "parent_code",
    "人口数": "resident_count",
    "户数": "household_count",
    "边界": "geometry",
}

LEVEL_ALIASES = {
    **{value: value for value in Level.values},
    "区/县": Level.DISTRICT, "县/区": Level.DISTRICT, "区": Level.DISTRICT, "县": Level.DISTRICT,
    "街道/乡镇": Level.STREET, "街道": Level.STREET, "乡镇": Level.STREET, "乡": Level.STREET, "镇": Level.STREET,
    "社区/村": Level.COMMUNITY, "村/社区": Level.COMMUNITY, "社区": Level.COMMUNITY, "村": Level.COMMUNITY,
    "网格": Level.GRID,
    "楼栋/微网格": Level.BUILDING, "微网格/楼栋": Level.BUILDING, "楼栋": Level.BUILDING,
    "微网格": Level.BUILDING,
}

# Two grids may share edges; an intersection larger than this (square degrees, about 1 m²) is an overlap.
OVERLAP_TOLERANCE = 1e-10
MAX_COUNT = 2147483647  # PositiveIntegerField on every database
CODE_MAX = OrgUnit._meta.get_field("code").max_length
NAME_MAX = OrgUnit._meta.get_field("name").max_length
METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320.0


@dataclass
class RowError:
    row: int
    field: str
    message: str


class PlaceImportError(Exception):
    """The file has problems; nothing was written. ``errors`` lists every one, by row (and, within a
    row, in the order of ``fields``). Other imports subclass it with their own fields and wording."""

    fields: tuple[str, ...] = FIELDS

    def __init__(self, errors: list[RowError]):
        order = {name: i for i, name in enumerate(self.fields)}
        self.errors = sorted(errors, key=lambda e: (e.row, order.get(e.field, len(order))))
        super().__init__(self.errors)

    @staticmethod
    def describe(error: RowError) -> str:
        if error.field:
            return _("Row %(row)s, %(field)s") % {"row": error.row, "field": error.field}
        return _("Row %(row)s") % {"row": error.row}

    def __str__(self) -> str:
        count = len(self.errors)
        lines = [ngettext("Nothing was imported: %(count)d error.", "Nothing was imported: %(count)d errors.",
                          count) % {"count": count}]
        lines += [f"{self.describe(error)}: {error.message}" for error in self.errors]
        return "\n".join(lines)


@dataclass
class ImportResult:
    """``created`` new places; ``updated`` rows that matched an existing place by code."""

    created: int
    updated: int


# --- Public API ---------------------------------------------------------------------------------


def import_geojson(source, *, user=None) -> ImportResult:
    """Import a GeoJSON FeatureCollection (bytes, str, file-like, path or dict)."""
    _check_role(user)
    return _import(_read_geojson(source), user)


def import_excel(source, *, user=None) -> ImportResult:
    """Import the first worksheet of an .xlsx workbook (bytes, file-like or path)."""
    _check_role(user)
    return _import(_read_excel(source), user)


def export_geojson(queryset) -> dict:
    """A GeoJSON FeatureCollection of the places, parents before children."""
    features = []
    for values in _export_rows(queryset):
        geometry = values.pop("geometry")
        features.append({"type": "Feature", "geometry": geometry, "properties": values})
    return {"type": "FeatureCollection", "features": features}


def export_excel(queryset) -> bytes:
    """An .xlsx workbook: English identifiers in row 1, one place per row, parents first."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("places")
    widths = {"A": 18, "B": 24, "C": 12, "D": 18, "E": 15, "F": 16, "G": 60}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"

    def text(value, *, as_text_format=False):
        cell = WriteOnlyCell(sheet, value=value)
        if value is not None:
            cell.data_type = "s"  # never a formula, even if a name starts with "="
        if as_text_format:
            cell.number_format = "@"  # keep codes as text when edited in Excel
        return cell

    header = []
    for name in FIELDS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for values in _export_rows(queryset):
        geometry = values["geometry"]
        sheet.append([
            text(values["code"], as_text_format=True),
            text(values["name"]),
            text(values["level"]),
            text(values["parent_code"], as_text_format=True),
            values["resident_count"],
            values["household_count"],
            text(json.dumps(geometry, ensure_ascii=False, separators=(",", ":")) if geometry else None),
        ])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading ------------------------------------------------------------------------------------


def _read_bytes(source) -> bytes | str:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, os.PathLike):
        with open(source, "rb") as handle:
            return handle.read()
    if hasattr(source, "read"):
        return source.read()
    return source


def _file_error(message: str, row: int = 0, field_name: str = "") -> PlaceImportError:
    return PlaceImportError([RowError(row, field_name, message)])


def _header_key(value) -> str | None:
    if value is None:
        return None
    key = re.sub(r"[\s\-]+", "_", str(value).strip().lower())
    return HEADER_ALIASES.get(key)


def _read_geojson(source) -> list[tuple[int, dict]]:
    """(feature number, {field: raw value}) for each feature; absent fields are absent keys."""
    data = source
    if not isinstance(source, dict):
        raw = _read_bytes(source)
        try:
            if isinstance(raw, bytes):
                raw = raw.decode("utf-8-sig")
            data = json.loads(raw)
        except (UnicodeDecodeError, ValueError, TypeError) as exc:
            raise _file_error(_("The file is not valid GeoJSON (UTF-8 JSON text): %(error)s") % {"error": exc}) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
        data.get("features"), list
    ):
        raise _file_error(_("The file must be a GeoJSON FeatureCollection with a list of features."))
    rows = []
    errors = []
    for number, feature in enumerate(data["features"], start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(RowError(number, "", _("This item is not a GeoJSON Feature.")))
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            errors.append(RowError(number, "", _("The feature properties must be an object.")))
            continue
        values = {}
        for key, value in properties.items():
            name = _header_key(key)
            if name and name != "geometry":
                values[name] = value
        if feature.get("geometry") is not None:
            values["geometry"] = feature["geometry"]
        rows.append((number, values))
    if errors:
        raise PlaceImportError(errors)
    return rows


def _read_excel(source) -> list[tuple[int, dict]]:
    from openpyxl import load_workbook

    raw = _read_bytes(source)
    if isinstance(raw, str):
        raise _file_error(_("The Excel file must be given as bytes or a binary file."))
    try:
        workbook = load_workbook(BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken or foreign files
        raise _file_error(_("The file is not a valid Excel workbook (.xlsx).")) from exc
    try:
        if not workbook.worksheets:
            raise _file_error(_("The workbook has no worksheet."))
        lines = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(lines, None)
        if header is None or all(_blank(cell) for cell in header):
            raise _file_error(_("The spreadsheet is empty: row 1 must hold the column names."), row=1)
        columns: dict[str, int] = {}
        errors = []
        for index, cell in enumerate(header):
            name = _header_key(cell)
            if name is None:
                continue  # an extra column (notes...) is ignored
            if name in columns:
                errors.append(RowError(1, name, _("The column %(name)s appears twice.") % {"name": name}))
            columns[name] = index
        missing = [name for name in ("code", "name", "level") if name not in columns]
        for name in missing:
            errors.append(RowError(1, name, _("The column %(name)s is missing (accepted: %(accepted)s).") % {
                "name": name,
                "accepted": ", ".join(key for key, value in HEADER_ALIASES.items() if value == name),
            }))
        if errors:
            raise PlaceImportError(errors)
        rows = []
        for number, line in enumerate(lines, start=2):
            if line is None or all(_blank(cell) for cell in line):
                continue
            values = {name: (line[index] if index < len(line) else None) for name, index in columns.items()}
            geometry = values.pop("geometry", None)
            if not _blank(geometry):
                values["geometry"] = geometry.strip() if isinstance(geometry, str) else geometry
            rows.append((number, values))
        return rows
    finally:
        workbook.close()


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def data_rows(lines, columns: dict, *, limit: int, too_many, empty) -> list[tuple[int, dict]]:
    """The non-blank rows under the header (line 1) as (spreadsheet row number, {field: cell}).

    ``columns`` maps a field to an object with ``.index``; ``too_many`` and ``empty`` raise the
    import's own file error (more than ``limit`` rows, no rows at all)."""
    rows = []
    for number, line in enumerate(lines, start=2):
        if line is None or all(_blank(cell) for cell in line):
            continue
        if len(rows) >= limit:
            raise too_many()
        rows.append((number, {name: (line[col.index] if col.index < len(line) else None)
                              for name, col in columns.items()}))
    if not rows:
        raise empty()
    return rows


# --- Validation ---------------------------------------------------------------------------------


@dataclass
class _Row:
    row: int
    code: str | None = None
    name: str | None = None
    level: str | None = None
    parent_code: str | None = None
    resident_count: int | None = None  # None: not given
    household_count: int | None = None
    geometry: dict | None = None  # None: not given
    shape: Any = None
    existing: OrgUnit | None = None
    path: str | None = None  # path after the import
    errors: list[RowError] = field(default_factory=list)

    def error(self, field_name: str, message: str) -> None:
        self.errors.append(RowError(self.row, field_name, message))


def _code_text(value) -> str | None:
    """A code from a cell or property: numbers become digits ("110101", not "110101.0")."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _level_value(value) -> str | None:
    key = re.sub(r"\s*[/／]\s*", "/", str(value).strip()).lower()
    if key in LEVEL_ALIASES:
        return str(LEVEL_ALIASES[key])
    for level, label in Level.choices:  # the labels in the active language ("Street/Town", ...)
        if key == str(label).lower():
            return level
    return None


def _count(row: _Row, field_name: str, value) -> int | None:
    if _blank(value):
        return None
    number = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\+?\d+", value.strip()):
        number = int(value.strip())
    if number is None or number < 0 or number > MAX_COUNT:
        row.error(field_name, _("Enter a whole number from 0 to %(max)s, not %(value)s.") % {
            "max": MAX_COUNT, "value": value})
        return None
    return number


def _geometry_value(row: _Row, value) -> dict | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            row.error("geometry", _("The boundary is not valid GeoJSON text: %(error)s") % {"error": exc})
            return None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    try:
        row.shape = to_shape(value)
    except GeometryError as exc:
        row.error("geometry", str(exc))
        return None
    geometry = {"type": value["type"], "coordinates": value["coordinates"]}
    return geometry


def _clean(number: int, values: dict) -> _Row:
    row = _Row(number)
    code = _code_text(values.get("code"))
    if code is None:
        row.error("code", _("The code is required."))
    elif re.search(r"[\s/]", code):
        row.error("code", _("A code may not contain spaces or \"/\": %(code)s.") % {"code": code})
    elif len(code) > CODE_MAX:
        row.error("code", _("A code has at most %(max)d characters.") % {"max": CODE_MAX})
    else:
        row.code = code

    name = values.get("name")
    name = None if _blank(name) else str(name).strip()
    if name is None:
        row.error("name", _("The name is required."))
    elif len(name) > NAME_MAX:
        row.error("name", _("A name has at most %(max)d characters.") % {"max": NAME_MAX})
    else:
        row.name = name

    level = values.get("level")
    if _blank(level):
        row.error("level", _("The level is required."))
    else:
        row.level = _level_value(level)
        if row.level is None:
            row.error("level", _(
                "Unknown level %(value)s: use district, street, community, grid or building "
                "(or 区/县, 街道/乡镇, 社区/村, 网格, 楼栋/微网格)."
            ) % {"value": level})

    parent_code = _code_text(values.get("parent_code"))
    row.parent_code = parent_code
    row.resident_count = _count(row, "resident_count", values.get("resident_count"))
    row.household_count = _count(row, "household_count", values.get("household_count"))
    if "geometry" in values:
        row.geometry = _geometry_value(row, values["geometry"])
    return row


def _load_existing(codes) -> dict[str, OrgUnit]:
    codes = sorted(codes)
    found = {}
    for start in range(0, len(codes), 500):
        for unit in OrgUnit.objects.filter(code__in=codes[start:start + 500]):
            found[unit.code] = unit
    return found


def _level_label(level) -> str:
    return str(Level(level).label)


def _validate(raw_rows: list[tuple[int, dict]], user) -> tuple[list[_Row], list[RowError]]:
    rows = [_clean(number, values) for number, values in raw_rows]

    # Duplicates: the first row with a code is the place; later ones are errors.
    records: dict[str, _Row] = {}
    for row in rows:
        if row.code is None:
            continue
        first = records.get(row.code)
        if first is not None:
            row.error("code", _("The code %(code)s appears more than once (first in row %(first)s).") % {
                "code": row.code, "first": first.row})
        else:
            records[row.code] = row

    db = _load_existing(set(records) | {r.parent_code for r in records.values() if r.parent_code})
    for code, row in records.items():
        row.existing = db.get(code)
    # The parent of every place in the database reachable from the file, read from the paths.
    db_parent: dict[str, str | None] = {}
    for unit in db.values():
        parts = unit.path.rstrip("/").split("/")
        for i, part in enumerate(parts):
            db_parent.setdefault(part, parts[i - 1] if i else None)

    def parent_of(code):
        if code in records:
            return records[code].parent_code
        return db_parent.get(code)

    def known(code):
        return code in records or code in db_parent

    for row in records.values():
        if row.parent_code and row.parent_code != row.code and not known(row.parent_code):
            row.error("parent_code", _("Unknown parent %(code)s: it is neither in the file nor in the database.")
                      % {"code": row.parent_code})

    # Cycles in the tree as it would be after the import (file rows override the database).
    cyclic: set[str] = set()
    settled: set[str] = set()
    for start in records:
        chain, index = [], {}
        current = start
        while current is not None and current not in settled and current not in index and known(current):
            index[current] = len(chain)
            chain.append(current)
            current = parent_of(current)
        if current is not None and current in index:
            loop = chain[index[current]:]
            shown = " > ".join(loop + [loop[0]])
            for code in loop:
                cyclic.add(code)
                if code in records:
                    records[code].error("parent_code", _("The parents loop back to this place: %(chain)s.")
                                        % {"chain": shown})
        settled.update(chain)

    # Paths after the import, for every place reachable from the file.
    paths: dict[str, str | None] = {}

    def new_path(code):
        stack, current, base = [], code, None
        while True:
            if current in paths:
                base = paths[current]
                break
            if current in cyclic or not known(current):
                base = None
                break
            stack.append(current)
            current = parent_of(current)
            if current is None:
                base = ""
                break
        for item in reversed(stack):
            base = None if base is None else base + item + "/"
            paths[item] = base
        return base if stack else paths.get(code)

    for code, row in records.items():
        row.path = new_path(code)

    # Levels: each place must be the level its parent allows.
    for code, row in records.items():
        if row.level is None or code in cyclic or (row.parent_code and not known(row.parent_code)):
            continue
        parent = row.parent_code
        if parent is None:
            parent_level = None
        elif parent in records:
            parent_level = records[parent].level
            if parent_level is None:
                continue  # the parent's own row reports its level
        else:
            parent_level = db[parent].level
        expected = CHILD_LEVEL.get(parent_level)
        if row.level == expected:
            continue
        if parent is None:
            message = _("A %(level)s needs a parent place (parent_code): only a district can be at the top.") % {
                "level": _level_label(row.level)}
        elif expected is None:
            message = _("%(parent)s is a %(parent_level)s, which cannot contain other places.") % {
                "parent": parent, "parent_level": _level_label(parent_level)}
        else:
            message = _("A %(level)s cannot be placed under %(parent)s, a %(parent_level)s: only a %(child)s can.") % {
                "level": _level_label(row.level), "parent": parent,
                "parent_level": _level_label(parent_level), "child": _level_label(expected)}
        row.error("level", message)

    # A changed level must still fit the places that stay under it.
    relevelled = {code: row for code, row in records.items()
                  if row.existing and row.level and row.level != row.existing.level}
    if relevelled:
        children = OrgUnit.objects.filter(parent__code__in=list(relevelled)).values_list(
            "code", "level", "parent__code")
        misfits: dict[str, list[str]] = {}
        for child_code, child_level, parent_code in children:
            if child_code in records:
                continue  # checked on its own row
            if child_level != CHILD_LEVEL.get(relevelled[parent_code].level):
                misfits.setdefault(parent_code, []).append(child_code)
        for parent_code, codes in misfits.items():
            records[parent_code].error("level", _(
                "Places under %(code)s (%(children)s) cannot stay under a %(level)s.") % {
                "code": parent_code, "children": ", ".join(sorted(codes)[:5]) + ("…" if len(codes) > 5 else ""),
                "level": _level_label(relevelled[parent_code].level)})

    # Data scope: the place (as it is and as it will be) must lie under the user's scope.
    if user is not None and not user.is_superuser:
        for row in records.values():
            if row.existing is not None and not covers(user, row.existing.path):
                row.error("code", _("This place is not in your data scope."))
            elif row.path is not None and not covers(user, row.path):
                if row.parent_code is None:
                    row.error("parent_code", _("A top-level place is not in your data scope."))
                else:
                    row.error("parent_code", _("The parent place %(code)s is not in your data scope.") % {
                        "code": row.parent_code})

    # Grids need a polygon, and grids must not overlap.
    grids: list[_Row] = []
    for row in records.values():
        if row.level != Level.GRID or any(e.field == "geometry" for e in row.errors):
            continue
        if row.shape is None and row.existing is not None and row.existing.geometry:
            try:
                row.shape = to_shape(row.existing.geometry)
            except GeometryError as exc:
                row.error("geometry", str(exc))
                continue
        if row.shape is None:
            row.error("geometry", _("A grid needs a boundary polygon."))
            continue
        grids.append(row)
    _check_overlaps(grids, set(records), user)

    errors = [error for row in rows for error in row.errors]
    return list(records.values()), errors


def _square_metres(area_deg2: float, lat: float) -> str:
    metres = area_deg2 * METRES_PER_DEGREE_LAT * METRES_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(lat))
    return f"{metres:,.0f}" if metres >= 10 else f"{metres:.1f}"


def _check_overlaps(grids: list[_Row], file_codes: set[str], user) -> None:
    """Report every grid of the file whose polygon overlaps another grid of the file or the database.

    The message names a stored grid outside the user's data scope by its code only.
    """
    if not grids:
        return
    others = []  # (code, name, shape) of grids in the database that the file does not replace
    stored = OrgUnit.objects.filter(level=Level.GRID, geometry__isnull=False).values_list(
        "code", "name", "path", "geometry")
    for code, name, path, geojson in stored.iterator(chunk_size=2000):
        if code in file_codes:
            continue
        try:
            geom = shape(geojson)
        except Exception:  # noqa: BLE001, S112 - an unreadable stored boundary cannot overlap anything
            continue
        if not geom.is_empty and geom.is_valid:
            visible = user is None or user.is_superuser or covers(user, path)
            others.append((code, name if visible else None, geom))
    file_shapes = [row.shape for row in grids]
    all_shapes = shapely.STRtree(file_shapes + [geom for _code, _name, geom in others])
    source, target = all_shapes.query(file_shapes, predicate="intersects")
    keep = (target >= len(grids)) | (target > source)  # each file pair once, never a grid with itself
    source, target = source[keep], target[keep]
    if not len(source):
        return
    targets = [file_shapes[t] if t < len(grids) else others[t - len(grids)][2] for t in target]
    overlaps = shapely.intersection([file_shapes[s] for s in source], targets)
    areas = shapely.area(overlaps)
    for s, t, area, overlap in zip(source, target, areas, overlaps, strict=True):
        if area <= OVERLAP_TOLERANCE:
            continue
        row = grids[s]
        size = _square_metres(float(area), overlap.centroid.y)
        if t < len(grids):
            first, second = sorted((row, grids[t]), key=lambda r: r.row)
            second.error("geometry", _(
                "The grid %(code)s overlaps the grid %(other)s (row %(other_row)s) by about %(area)s m².") % {
                "code": second.code, "other": first.code, "other_row": first.row, "area": size})
        else:
            code, name, _geom = others[t - len(grids)]
            other = f"{code} ({name})" if name else code
            row.error("geometry", _("The grid %(code)s overlaps the existing grid %(other)s by about %(area)s m².") % {
                "code": row.code, "other": other, "area": size})


# --- Writing ------------------------------------------------------------------------------------


def _check_role(user) -> None:
    if user is not None and not has_model_permission(user, OrgUnit, CHANGE):
        raise _file_error(_("Your role may not change places."))


def _as_actor(user, write):
    """Run ``write`` with the audit entries attributed to ``user``.

    auditlog keeps its actor in a context variable that ``set_actor`` never resets; running in a copy
    of the context keeps an outer actor (a request's, set by the middleware) intact afterwards.
    """
    from auditlog.context import auditlog_value, set_actor

    def run():
        outer = auditlog_value.get(None) or {}
        same = outer.get("actor") == user
        with set_actor(user, remote_addr=outer.get("remote_addr") if same else None,
                       remote_port=outer.get("remote_port") if same else None):
            return write()

    return contextvars.copy_context().run(run)


def _import(raw_rows: list[tuple[int, dict]], user) -> ImportResult:
    if not raw_rows:
        raise _file_error(_("The file holds no places."))
    records, errors = _validate(raw_rows, user)
    if errors:
        raise PlaceImportError(errors)
    try:
        if user is None:
            return _write(records)
        return _as_actor(user, lambda: _write(records))
    except IntegrityError as exc:
        raise _file_error(_("The places changed while importing, so nothing was imported; please try again.")) from exc


def _write(records: list[_Row]) -> ImportResult:
    """Save the validated rows, parents first, in one transaction."""
    created = updated = 0
    units: dict[str, OrgUnit] = {row.code: row.existing for row in records if row.existing is not None}
    parents = _load_existing({row.parent_code for row in records if row.parent_code} - set(units))
    file_codes = {row.code for row in records}
    with transaction.atomic():
        for row in sorted(records, key=lambda r: (r.path.count("/"), r.path)):
            parent = None
            if row.parent_code:
                parent = units.get(row.parent_code) or parents[row.parent_code]
                if parent.code not in file_codes:
                    # Moving an ancestor earlier in this loop may have changed its path.
                    parent.path = row.path[: -len(row.code) - 1]
            unit = row.existing
            if unit is None:
                unit = OrgUnit(
                    code=row.code, name=row.name, level=row.level, parent=parent,
                    resident_count=row.resident_count or 0, household_count=row.household_count or 0,
                    geometry=row.geometry,
                )
                unit.save()
                created += 1
            else:
                changes = {"name": row.name, "level": row.level, "parent": parent}
                for name in ("resident_count", "household_count", "geometry"):
                    if getattr(row, name) is not None:
                        changes[name] = getattr(row, name)
                dirty = False
                for name, value in changes.items():
                    current = unit.parent_id if name == "parent" else getattr(unit, name)
                    wanted = (value.pk if value else None) if name == "parent" else value
                    if current != wanted:
                        setattr(unit, name, value)
                        dirty = True
                if dirty:
                    unit.save()
                elif unit.path != row.path:
                    unit.path = row.path  # moved with an ancestor; the database already has it
                updated += 1
            units[row.code] = unit
    return ImportResult(created=created, updated=updated)


# --- Export -------------------------------------------------------------------------------------


def _export_rows(queryset):
    if not queryset.query.is_sliced:
        queryset = queryset.order_by("path")
    fields = ("code", "name", "level", "parent__code", "resident_count", "household_count", "geometry")
    for code, name, level, parent_code, residents, households, geometry in queryset.values_list(*fields):
        yield {
            "code": code,
            "name": name,
            "level": level,
            "parent_code": parent_code,
            "resident_count": residents,
            "household_count": households,
            "geometry": geometry,
        }
