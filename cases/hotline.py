"""Import of 12345 hotline work orders (工单) from CSV or Excel: every row checked first, all or nothing.

README — the file
-----------------
Row 1 holds the column names, one work order per row from row 2. Names may be Chinese or English
(case, spaces, a trailing ``*`` and a hint in brackets are ignored: ``来电时间（必填）`` is fine);
other columns are ignored.

=================  ==============================  ===========================================
identifier         Chinese                         value
=================  ==============================  ===========================================
``external_id``    工单编号                        required; the work-order number, the key
``reported_at``    来电时间                        required; 2026-05-06 09:30 (also with /, 年月日,
                                                   seconds, ISO 8601) or an Excel date cell
``category``       诉求分类 or 分类编码            required; the code or the name of a minor class
``title``          标题                            optional (default: the first line of the text)
``description``    诉求内容                        required
``address``        地址                            optional
``longitude``      经度                            WGS84 decimal degrees; with ``latitude``...
``latitude``       纬度                            ...it finds the grid
``grid``           网格编码                        the grid's code (instead of, or beside, the point)
``reporter_name``  来电人                          optional
``reporter_phone`` 来电号码                        optional; stored encrypted
``urgency``        紧急程度                        一般/普通/normal (default) or 紧急/urgent
=================  ==============================  ===========================================

* CSV: UTF-8 with or without a byte-order mark, or GBK/GB18030 (what Excel on a Chinese Windows
  writes); comma, semicolon or tab separated. Excel: the first worksheet of an .xlsx workbook.
* Every row is validated before anything is written. If any row has a problem, nothing is imported
  and ``HotlineImportError.errors`` lists every problem with its spreadsheet row number (header =
  row 1) and column (letter and header as written in the file). Row 0 is the file as a whole.
* A work order already imported (same ``external_id``, source hotline) is skipped and listed in
  ``ImportResult.skipped``, never duplicated; the same number twice in one file is an error.
* Good files become cases through ``actions.report_case(source="hotline", register=True)`` in one
  transaction: each case is reported at its call time and registered at once by the importing
  dispatcher, whose data scope must cover every case's place.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import covers
from places.geo import locate_grid
from places.io import PlaceImportError, RowError, _blank, data_rows
from places.models import Level, OrgUnit

from . import workflow
from .actions import CaseError, report_case
from .models import Case, Category, Source, Urgency

FIELDS = ("external_id", "reported_at", "category", "category_code", "title", "description", "address",
          "longitude", "latitude", "grid", "reporter_name", "reporter_phone", "urgency")
REQUIRED = ("external_id", "reported_at", "description")

# The header of each column in the downloadable template (Chinese, as 12345 exports name them).
TEMPLATE_HEADERS = {
    "external_id": "工单编号", "reported_at": "来电时间", "category": "诉求分类", "title": "标题",
    "description": "诉求内容", "address": "地址", "longitude": "经度", "latitude": "纬度", "grid": "网格编码",
    "reporter_name": "来电人", "reporter_phone": "来电号码", "urgency": "紧急程度",
}
HEADER_ALIASES = {
    **{name: name for name in FIELDS},
    **{header: name for name, header in TEMPLATE_HEADERS.items()},
    "工单号": "external_id", "编号": "external_id", "number": "external_id",
    "受理时间": "reported_at", "time": "reported_at",
    "分类": "category", "分类名称": "category", "事项分类": "category",
    "分类编码": "category_code", "诉求分类编码": "category_code", "code": "category_code",
    "主题": "title", "内容": "description", "诉求": "description", "问题描述": "description",
    "事发地址": "address", "lon": "longitude", "lng": "longitude", "lat": "latitude",
    "网格": "grid", "网格代码": "grid", "grid_code": "grid",
    "来电人姓名": "reporter_name", "联系人": "reporter_name", "name": "reporter_name",
    "联系电话": "reporter_phone", "电话": "reporter_phone", "phone": "reporter_phone",
    "紧急": "urgency", "紧急度": "urgency",
}
URGENCY_ALIASES = {
    "": Urgency.NORMAL, "normal": Urgency.NORMAL, "一般": Urgency.NORMAL, "普通": Urgency.NORMAL,
    "正常": Urgency.NORMAL, "否": Urgency.NORMAL,
    "urgent": Urgency.URGENT, "紧急": Urgency.URGENT, "加急": Urgency.URGENT, "特急": Urgency.URGENT,
    "急": Urgency.URGENT, "是": Urgency.URGENT,
}
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H:%M:%S", "%Y年%m月%d日%H:%M",
    "%Y年%m月%d日 %H时%M分", "%Y年%m月%d日%H时%M分", "%Y%m%d %H:%M",
)
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
# All digits: only these exact lengths (strptime would read "202605060930" as 09:03).
DIGIT_FORMATS = {14: "%Y%m%d%H%M%S", 12: "%Y%m%d%H%M", 8: "%Y%m%d"}
PHONE = re.compile(r"^\+?[\d\-\s()]{3,32}$")
MAX_ROWS = 20_000
FUTURE_SLACK = timedelta(minutes=10)  # a clock a little ahead on the exporting machine is fine
LENGTHS = {"external_id": 64, "address": 200, "reporter_name": 64, "reporter_phone": 32, "description": 4000}
PLACE_LEVELS = (Level.GRID, Level.BUILDING, Level.COMMUNITY)


@dataclass
class HotlineRowError(RowError):
    """``RowError`` (row, field, message) plus where it is in the file: the column letter and the
    column's header as written there (e.g. ``B``, ``来电时间``)."""

    letter: str = ""
    column: str = ""


class HotlineImportError(PlaceImportError):
    """The file has problems; nothing was written. ``errors`` lists every one, by row and column."""

    fields = FIELDS

    @staticmethod
    def describe(error: RowError) -> str:
        return describe(error)


def describe(error: RowError) -> str:
    """"Row 3, column B (来电时间)" — how a person finds the cell."""
    column = getattr(error, "column", "") or error.field
    letter = getattr(error, "letter", "")
    if not error.row:
        return _("File") if not column else _("File, column %(column)s") % {"column": column}
    if letter:
        return _("Row %(row)s, column %(letter)s (%(column)s)") % {"row": error.row, "letter": letter,
                                                                  "column": column}
    if column:
        return _("Row %(row)s, %(column)s") % {"row": error.row, "column": column}
    return _("Row %(row)s") % {"row": error.row}


@dataclass
class Skipped:
    row: int
    external_id: str
    number: str  # the case made when it was first imported


@dataclass
class ImportResult:
    """``created``: the new cases' numbers, in file order; ``skipped``: work orders imported before."""

    created: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


# --- Public API ---------------------------------------------------------------------------------
def import_hotline(file, actor, filename: str = "", now: datetime | None = None) -> ImportResult:
    """Import a CSV or .xlsx file of work orders (bytes, a file-like object or a path)."""
    if actor is None or not workflow.role_may(actor, "register"):
        raise HotlineImportError([HotlineRowError(0, "", _("Only dispatchers may import hotline work orders."))])
    raw, filename = _read_bytes(file, filename)
    columns, rows = _read_table(raw, filename)
    now = now or timezone.now()
    cleaned, skipped, errors = _validate(columns, rows, actor, now)
    if errors:
        raise HotlineImportError(errors)
    result = ImportResult(skipped=skipped)
    try:
        with transaction.atomic():
            for row in cleaned:
                try:
                    case, created = report_case(
                        actor=actor, source=Source.HOTLINE, category=row.category, description=row.description,
                        title=row.title, longitude=row.longitude, latitude=row.latitude, grid=row.place,
                        address=row.address, urgency=row.urgency, reporter_name=row.reporter_name,
                        reporter_phone=row.reporter_phone, client_id=f"hotline:{row.external_id}",
                        external_id=row.external_id, register=True, now=row.reported_at,
                    )
                except CaseError as exc:
                    raise HotlineImportError([row.error(exc.field or "", exc.message)]) from exc
                if created:
                    result.created.append(case.number)
                else:  # imported by someone else between our check and now
                    result.skipped.append(Skipped(row.row, row.external_id, case.number))
    except IntegrityError as exc:
        raise HotlineImportError([HotlineRowError(0, "", _(
            "The cases changed while importing, so nothing was imported; please try again."))]) from exc
    return result


def template_xlsx() -> bytes:
    """An empty workbook with the column names (Chinese) and one example row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "工单"
    sheet.append(list(TEMPLATE_HEADERS.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    example = ["12345202605060001", "2026-05-06 09:30", "", "小区门口垃圾堆积", "东门外垃圾两天没人清运，气味很大。",
               "东城区某某路1号", 116.4050, 39.9050, "", "张先生", "13800000000", "一般"]
    sheet.append(example)
    for letter, width in zip("ABCDEFGHIJKL", (22, 18, 14, 24, 48, 28, 12, 12, 18, 12, 16, 10), strict=True):
        sheet.column_dimensions[letter].width = width
        sheet[f"{letter}2"].number_format = "@" if letter in "AIK" else sheet[f"{letter}2"].number_format
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading ------------------------------------------------------------------------------------
def _file_error(message: str) -> HotlineImportError:
    return HotlineImportError([HotlineRowError(0, "", message)])


def _read_bytes(source, filename: str) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), filename
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            return handle.read(), filename or os.fspath(source)
    data = source.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data, filename or getattr(source, "name", "") or ""


def letter_of(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _header_key(value) -> str | None:
    if value is None:
        return None
    text = str(value).replace("\ufeff", "").strip()
    text = re.sub(r"[（(][^)）]*[)）]", "", text).replace("*", "").strip()
    key = re.sub(r"[\s\-]+", "_", text.lower())
    return HEADER_ALIASES.get(key)


@dataclass
class Column:
    index: int
    header: str

    @property
    def letter(self) -> str:
        return letter_of(self.index)


def _read_table(raw: bytes, filename: str) -> tuple[dict[str, Column], list[tuple[int, dict]]]:
    if not raw:
        raise _file_error(_("The file is empty."))
    suffix = os.path.splitext(filename)[1].lower()
    if raw[:4] == b"PK\x03\x04" or suffix == ".xlsx":
        lines = _xlsx_lines(raw)
    elif raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix == ".xls":
        raise _file_error(_("Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV."))
    else:
        lines = _csv_lines(raw)
    header = next(lines, None)
    if header is None or all(_blank(cell) for cell in header):
        raise _file_error(_("The file is empty: row 1 must hold the column names."))
    columns: dict[str, Column] = {}
    errors = []
    for index, cell in enumerate(header):
        name = _header_key(cell)
        if name is None:
            continue  # an extra column (notes, handling unit...) is ignored
        shown = str(cell).replace("\ufeff", "").strip()
        if name in columns:
            errors.append(HotlineRowError(1, name, _("The column %(name)s appears twice (columns %(first)s and "
                                                     "%(second)s).") % {
                "name": shown, "first": columns[name].letter, "second": letter_of(index)},
                letter=letter_of(index), column=shown))
            continue
        columns[name] = Column(index, shown)
    for name in REQUIRED:
        if name not in columns:
            errors.append(HotlineRowError(1, name, _("The column %(name)s is missing (accepted names: "
                                                     "%(accepted)s).") % {
                "name": TEMPLATE_HEADERS[name],
                "accepted": ", ".join(key for key, value in HEADER_ALIASES.items() if value == name)},
                column=TEMPLATE_HEADERS[name]))
    if "category" not in columns and "category_code" not in columns:
        errors.append(HotlineRowError(1, "category", _("The column 诉求分类 (or 分类编码) is missing."),
                                      column=TEMPLATE_HEADERS["category"]))
    if "grid" not in columns and not ("longitude" in columns and "latitude" in columns):
        errors.append(HotlineRowError(1, "grid", _(
            "The file needs the columns 经度 and 纬度 (longitude, latitude) or 网格编码 (grid) to place the cases."),
            column=TEMPLATE_HEADERS["grid"]))
    if errors:
        raise HotlineImportError(errors)
    rows = data_rows(
        lines, columns, limit=MAX_ROWS,
        too_many=lambda: _file_error(_("The file has more than %(max)s work orders: split it.") % {"max": MAX_ROWS}),
        empty=lambda: _file_error(_("The file holds no work orders.")))
    return columns, rows


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")  # a superset of GBK and GB2312
    except UnicodeDecodeError:
        raise _file_error(_("The CSV file is neither UTF-8 nor GBK text.")) from None


def _csv_lines(raw: bytes):
    text = _decode(raw)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        return iter(list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    except csv.Error as exc:
        raise _file_error(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def _xlsx_lines(raw: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken or foreign files
        raise _file_error(_("The file is not a valid Excel workbook (.xlsx).")) from exc
    try:
        if not workbook.worksheets:
            raise _file_error(_("The workbook has no worksheet."))
        return iter(list(workbook.worksheets[0].iter_rows(values_only=True)))
    finally:
        workbook.close()


# --- Validation ---------------------------------------------------------------------------------
@dataclass
class _Row:
    row: int
    columns: dict[str, Column]
    external_id: str = ""
    reported_at: datetime | None = None
    category: Category | None = None
    title: str = ""
    description: str = ""
    address: str = ""
    longitude: float | None = None
    latitude: float | None = None
    place: OrgUnit | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    urgency: str = Urgency.NORMAL
    errors: list[HotlineRowError] = field(default_factory=list)

    def error(self, name: str, message: str) -> HotlineRowError:
        column = self.columns.get(name)
        if column is None and name == "category":
            column = self.columns.get("category_code")
        if column is None and name in ("location", "grid"):
            column = self.columns.get("longitude") or self.columns.get("grid")
        error = HotlineRowError(self.row, name, message, letter=column.letter if column else "",
                                column=column.header if column else "")
        self.errors.append(error)
        return error


def _text(value) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def _validate(columns, raw_rows, actor, now):
    rows = []
    for number, values in raw_rows:
        row = _Row(number, columns)
        _clean(row, values, now)
        rows.append(row)
    _resolve_categories(rows, raw_rows)
    _resolve_places(rows, raw_rows, actor)

    # The same work order twice in the file; work orders imported before.
    first_seen: dict[str, _Row] = {}
    for row in rows:
        if not row.external_id:
            continue
        if row.external_id in first_seen:
            row.error("external_id", _("The work order %(id)s appears more than once (first in row %(first)s).")
                      % {"id": row.external_id, "first": first_seen[row.external_id].row})
        else:
            first_seen[row.external_id] = row
    done = {}
    ids = sorted(first_seen)
    for start in range(0, len(ids), 500):
        done.update(Case.objects.filter(source=Source.HOTLINE, external_id__in=ids[start:start + 500])
                    .values_list("external_id", "number"))
    errors = [error for row in rows for error in row.errors]
    skipped = [Skipped(row.row, row.external_id, done[row.external_id]) for row in rows
               if row.external_id in done and first_seen.get(row.external_id) is row]
    cleaned = [row for row in rows if row.external_id not in done]
    return cleaned, skipped, errors


def _clean(row: _Row, values: dict, now: datetime) -> None:
    for name in REQUIRED:
        if name in values and _blank(values[name]):
            row.error(name, _("This value is required."))
    row.external_id = _text(values.get("external_id"))
    for name in ("external_id", "address", "reporter_name", "reporter_phone", "description"):
        text = _text(values.get(name))
        if len(text) > LENGTHS[name]:
            row.error(name, _("At most %(max)s characters (this has %(length)s).") % {
                "max": LENGTHS[name], "length": len(text)})
        setattr(row, name, text)
    row.title = _text(values.get("title"))[:120]
    if row.reporter_phone and not PHONE.match(row.reporter_phone):
        row.error("reporter_phone", _("%(value)s is not a phone number.") % {"value": row.reporter_phone})
    if not _blank(values.get("reported_at")):
        row.reported_at = _moment(row, values["reported_at"], now)
    urgency = _text(values.get("urgency")).lower()
    if urgency in URGENCY_ALIASES:
        row.urgency = URGENCY_ALIASES[urgency]
    else:
        row.error("urgency", _("Unknown urgency %(value)s: use 一般 (normal) or 紧急 (urgent).") % {"value": urgency})
    row.longitude = _coordinate(row, "longitude", values.get("longitude"), 180)
    row.latitude = _coordinate(row, "latitude", values.get("latitude"), 90)


def _moment(row: _Row, value, now: datetime) -> datetime | None:
    tz = timezone.get_current_timezone()
    moment = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = re.sub(r"\s+", " ", str(value).strip())
        patterns = (DIGIT_FORMATS.get(len(text), ""),) if text.isdigit() else DATETIME_FORMATS + DATE_FORMATS
        for pattern in patterns:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        if moment is None:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                row.error("reported_at", _("%(value)s is not a date and time (write 2026-05-06 09:30).") % {
                    "value": text})
                return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, tz)
    if moment > now + FUTURE_SLACK:
        row.error("reported_at", _("%(value)s is in the future.") % {
            "value": timezone.localtime(moment, tz).strftime("%Y-%m-%d %H:%M")})
        return None
    if moment.year < 2000:
        row.error("reported_at", _("%(value)s is too long ago.") % {"value": moment.date().isoformat()})
        return None
    return moment


def _coordinate(row: _Row, name: str, value, limit: int) -> float | None:
    if _blank(value):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not (-limit <= number <= limit):
        row.error(name, _("%(value)s is not a number of degrees from -%(limit)s to %(limit)s.") % {
            "value": value, "limit": limit})
        return None
    return float(number)


def _resolve_categories(rows: list[_Row], raw_rows) -> None:
    categories = list(Category.objects.select_related("parent"))
    by_code = {c.code: c for c in categories}
    by_name: dict[str, list[Category]] = {}
    for c in categories:
        by_name.setdefault(c.name.strip().lower(), []).append(c)
    # A code typed into Excel as a number loses its leading zeros: "0101" comes back as 101.
    by_short_code: dict[str, list[Category]] = {}
    for c in categories:
        by_short_code.setdefault(c.code.lstrip("0"), []).append(c)
    with_children = set(Category.objects.filter(children__isnull=False).values_list("pk", flat=True))
    for row, (_number, values) in zip(rows, raw_rows, strict=True):
        text = _text(values.get("category_code")) or _text(values.get("category"))
        if not text:
            row.error("category", _("This value is required."))
            continue
        category = by_code.get(text)
        if category is None:
            named = by_name.get(text.lower(), [])
            if len(named) > 1:
                row.error("category", _("More than one category is called %(value)s: give its code.") % {
                    "value": text})
                continue
            category = named[0] if named else None
        if category is None and text.isdigit():
            short = by_short_code.get(text.lstrip("0"), [])
            category = short[0] if len(short) == 1 else None
        if category is None:
            row.error("category", _("Unknown category %(value)s.") % {"value": text})
        elif category.pk in with_children:
            row.error("category", _("%(value)s is a major class: give one of its minor classes.") % {
                "value": category})
        elif not category.is_active:
            row.error("category", _("The category %(value)s is no longer in use.") % {"value": category})
        else:
            row.category = category


def _resolve_places(rows: list[_Row], raw_rows, actor) -> None:
    codes = {_text(values.get("grid")) for _number, values in raw_rows} - {""}
    places = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), 500):
        for unit in OrgUnit.objects.filter(code__in=ordered[start:start + 500]).defer("geometry"):
            places[unit.code] = unit
    for row, (_number, values) in zip(rows, raw_rows, strict=True):
        code = _text(values.get("grid"))
        if code:
            unit = places.get(code)
            if unit is None or not covers(actor, unit.path):
                row.error("grid", _("Unknown grid %(code)s, or not in your data scope.") % {"code": code})
                continue
            if unit.level not in PLACE_LEVELS:
                row.error("grid", _("%(code)s is a %(level)s: give a grid or a community.") % {
                    "code": code, "level": unit.get_level_display()})
                continue
            row.place = unit
            continue
        if any(e.field in ("longitude", "latitude") for e in row.errors):
            continue
        if row.longitude is None or row.latitude is None:
            missing = "longitude" if row.longitude is None else "latitude"
            row.error(missing, _("Give the longitude and latitude, or the grid code."))
            continue
        unit = locate_grid(row.longitude, row.latitude)
        if unit is None:
            row.error("longitude", _("The point %(lon)s, %(lat)s is outside every grid of the district.") % {
                "lon": row.longitude, "lat": row.latitude})
        elif not covers(actor, unit.path):
            row.error("longitude", _("The point %(lon)s, %(lat)s lies in %(grid)s, outside your data scope.") % {
                "lon": row.longitude, "lat": row.latitude, "grid": unit.code})
        else:
            row.place = unit
