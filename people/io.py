"""Import of residents (实有人口) and houses (实有房屋) from Excel, and the resident ledger (台帐) export.

README — the file
-----------------
The first worksheet of an .xlsx workbook; row 1 holds the column names (Chinese or English, case,
spaces, a trailing ``*`` and a hint in brackets are ignored), one resident per row from row 2.

===================  ================  ===================================================
identifier           Chinese           value
===================  ================  ===================================================
``name``             姓名              required
``gender``           性别              男/女 (male/female); empty: read from the ID number
``id_number``        身份证号          required; 18 characters, check digit verified
``birth_date``       出生日期          optional; empty: read from the ID number
``phone``            联系电话          optional; stored encrypted
``grid``             网格编码          required; a grid code inside the importer's data scope
``address``          地址编码 / 地址   a standard-address code, or an address text (a new
                                       address and its house are created in the grid)
``household_no``     户号              optional
``relation_to_head`` 与户主关系        optional (本人, 配偶, 子女...)
``is_household_head`` 是否户主         是/否
``is_floating``      流动人口          是/否
``hukou_address``    户籍地            optional
``ethnicity``        民族              optional
``tags``             标签              tag names or codes, separated by commas
``note``             备注              optional
===================  ================  ===================================================

* Everything is validated first (``read_residents`` returns a ``Preview``): each problem is listed
  with its row number (header = row 1), column letter and header. A person whose ID number is
  already registered is listed as *exists*: skipped, or updated when asked (``update=True``).
* ``commit(preview, actor)`` writes a preview without errors, all or nothing, in one transaction,
  with ``bulk_create`` (the ID hash and the normalised number are set as ``Resident.save`` would;
  the encrypted fields encrypt themselves when the rows are sent to the database). Each new resident
  gets a move-in record (``Move`` of kind ``in``).

Houses (``read_houses``, layout ``HOUSES``): 网格编码 (grid, required), 地址 (address, required: an
existing standard-address code of that grid, or a text: a new address coded ``address_code(grid, text)``),
用途 (住宅/商铺/商住两用/其他 or the ``HouseUse`` values and labels; empty: residential), 面积 (m², one
decimal), 是否出租 (是/否; a rented house needs 房东姓名), 房东姓名, 房东电话 (stored encrypted), 备注. An
address that already has a house is *exists* (skipped, or updated with ``update=True``); the same address
twice in the file is a row error. Both kinds share the reading (``_read_sheet`` with a ``Layout``,
``_Reading``), the ``Preview`` and ``commit`` (all or nothing).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from accounts.permissions import has_model_permission
from accounts.scope import CHANGE, covers
from cases.hotline import Column, HotlineRowError, describe, letter_of
from core.privacy import id_hash, id_number_error, mask_id_number, mask_phone, normalize_id_number
from places.io import PlaceImportError, _blank, data_rows
from places.models import Level, OrgUnit

from .models import Address, Gender, House, HouseUse, Move, MoveKind, Resident, SensitiveView, Tag

FIELDS = ("name", "gender", "id_number", "birth_date", "phone", "grid", "address", "household_no",
          "relation_to_head", "is_household_head", "is_floating", "hukou_address", "ethnicity", "tags", "note")
REQUIRED = ("name", "id_number", "grid")
TEMPLATE_HEADERS = {
    "name": "姓名", "gender": "性别", "id_number": "身份证号", "birth_date": "出生日期", "phone": "联系电话",
    "grid": "网格编码", "address": "地址", "household_no": "户号", "relation_to_head": "与户主关系",
    "is_household_head": "是否户主", "is_floating": "流动人口", "hukou_address": "户籍地", "ethnicity": "民族",
    "tags": "标签", "note": "备注",
}
HEADER_ALIASES = {
    **{name: name for name in FIELDS},
    **{header: name for name, header in TEMPLATE_HEADERS.items()},
    "地址编码": "address", "标准地址": "address", "标准地址编码": "address", "address_code": "address",
    "身份证号码": "id_number", "公民身份号码": "id_number", "证件号码": "id_number", "id": "id_number",
    "电话": "phone", "手机": "phone", "手机号": "phone", "网格": "grid", "grid_code": "grid",
    "户主": "is_household_head", "head": "is_household_head", "是否流动人口": "is_floating",
    "floating": "is_floating", "户籍地址": "hukou_address", "relation": "relation_to_head",
}
YES = {"是", "y", "yes", "true", "1", "√", "x"}
NO = {"否", "n", "no", "false", "0", ""}
GENDERS = {"男": Gender.MALE, "male": Gender.MALE, "m": Gender.MALE, "女": Gender.FEMALE,
           "female": Gender.FEMALE, "f": Gender.FEMALE}
ID_REASONS = {
    "format": gettext_noop("The ID number must have 17 digits and a digit or X at the end."),
    "birth_date": gettext_noop("The date of birth in the ID number is not a real date."),
    "check_digit": gettext_noop("The check digit of the ID number is wrong (a typing error?)."),
}
LENGTHS = {"name": 64, "phone": 32, "household_no": 32, "relation_to_head": 16, "hukou_address": 200,
           "ethnicity": 16, "note": 200, "address": 200}
PHONE = re.compile(r"^\+?[\d\-\s()]{3,32}$")
MAX_ROWS = 200_000
BATCH = 2000
LEDGER_COLUMNS = ("name", "gender", "id_number", "birth_date", "phone", "grid", "address", "household_no",
                  "relation_to_head", "is_household_head", "is_floating", "is_tenant", "hukou_address",
                  "ethnicity", "tags", "status", "note")


@dataclass(frozen=True)
class Layout:
    """What one kind of import reads: its fields (in error order), the required ones, the template's
    Chinese headers, the accepted header spellings, and the template's sheet name and example row."""

    kind: str
    fields: tuple[str, ...]
    required: tuple[str, ...]
    headers: dict[str, str]
    aliases: dict[str, str]
    sheet: str
    example: tuple[str, ...]
    wide: str  # the letters of the template's wide columns

    @property
    def accepted(self) -> dict[str, str]:
        return {**{name: name for name in self.fields}, **{h: name for name, h in self.headers.items()},
                **self.aliases}


RESIDENTS = Layout(
    "residents", FIELDS, REQUIRED, TEMPLATE_HEADERS, HEADER_ALIASES, "实有人口",
    ("张伟", "男", "11010119800517001X", "1980-05-17", "13800000000", "110101001001001", "多福巷1号楼2单元301",
     "H0001", "本人", "是", "否", "北京市东城区", "汉族", "", ""), "CFGL")
HOUSES = Layout(
    "houses", ("grid", "address", "use", "area", "is_rented", "landlord_name", "landlord_phone", "note"),
    ("grid", "address"),
    {"grid": "网格编码", "address": "地址", "use": "用途", "area": "面积", "is_rented": "是否出租",
     "landlord_name": "房东姓名", "landlord_phone": "房东电话", "note": "备注"},
    {"地址编码": "address", "标准地址": "address", "标准地址编码": "address", "address_code": "address", "网格": "grid",
     "grid_code": "grid", "房屋用途": "use", "建筑面积": "area", "房屋面积": "area", "rented": "is_rented",
     "出租": "is_rented", "是否出租屋": "is_rented", "房东": "landlord_name", "landlord": "landlord_name",
     "房东手机": "landlord_phone", "房东联系电话": "landlord_phone"},
    "实有房屋", ("110101001001001", "多福巷1号楼2单元301", "住宅", "85.5", "是", "李建国", "13900000000", ""), "BG")
HOUSE_USES = {"住宅": HouseUse.RESIDENTIAL, "民宅": HouseUse.RESIDENTIAL, "商铺": HouseUse.COMMERCIAL,
              "商业": HouseUse.COMMERCIAL, "门面": HouseUse.COMMERCIAL, "商住两用": HouseUse.MIXED,
              "商住": HouseUse.MIXED, "混合": HouseUse.MIXED, "其他": HouseUse.OTHER, "其它": HouseUse.OTHER}
HOUSE_LENGTHS = {"address": 200, "landlord_name": 64, "landlord_phone": 32, "note": 200}
MAX_AREA = Decimal("9999999.9")


class PeopleImportError(PlaceImportError):
    """A file that cannot be read at all (row 0), or a commit of a preview with errors."""

    fields = FIELDS

    @staticmethod
    def describe(error) -> str:
        return describe(error)




@dataclass
class Row:
    """One clean row of the file; ``action`` is "create", "update" or "skip"."""

    row: int
    name: str = ""
    gender: str = ""
    id_number: str = ""
    birth_date: datetime.date | None = None
    phone: str = ""
    grid_code: str = ""
    address: str = ""
    household_no: str = ""
    relation_to_head: str = ""
    is_household_head: bool = False
    is_floating: bool = False
    hukou_address: str = ""
    ethnicity: str = ""
    tags: list[str] = field(default_factory=list)  # tag codes
    tags_given: bool = False
    note: str = ""
    action: str = "create"
    existing_id: int | None = None

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


@dataclass
class HouseRow:
    """One clean row of a houses file; ``address`` is the cell, ``address_code`` the code it stands for."""

    row: int
    grid_code: str = ""
    address: str = ""
    address_code: str = ""
    use: str = HouseUse.RESIDENTIAL
    area: Decimal | None = None
    is_rented: bool = False
    landlord_name: str = ""
    landlord_phone: str = ""
    note: str = ""
    action: str = "create"
    existing_id: int | None = None

    @property
    def masked_landlord_phone(self) -> str:
        return mask_phone(self.landlord_phone)

    def values(self) -> dict:
        return {"use": self.use, "area": self.area, "is_rented": self.is_rented, "landlord_name": self.landlord_name,
                "landlord_phone": self.landlord_phone or None, "note": self.note}

@dataclass
class Preview:
    """What an import would do: rows to create, update or skip, and every error (nothing written yet)."""

    filename: str = ""
    update: bool = False
    kind: str = "residents"  # or "houses" (rows are then ``HouseRow``)
    rows: list = field(default_factory=list)
    errors: list[HotlineRowError] = field(default_factory=list)

    @property
    def to_create(self) -> list[Row]:
        return [row for row in self.rows if row.action == "create"]

    @property
    def to_update(self) -> list[Row]:
        return [row for row in self.rows if row.action == "update"]

    @property
    def to_skip(self) -> list[Row]:
        return [row for row in self.rows if row.action == "skip"]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def describe(self, error) -> str:
        return describe(error)


@dataclass
class CommitResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    addresses: int = 0


# --- Reading ------------------------------------------------------------------------------------


def _text(value) -> str:
    if _blank(value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _header_key(value, aliases: dict[str, str]) -> str | None:
    if value is None:
        return None
    text = str(value).replace("\ufeff", "").strip()
    text = re.sub(r"[（(][^)）]*[)）]", "", text).replace("*", "").strip()
    return aliases.get(re.sub(r"[\s\-]+", "_", text.lower()))


def _file_error(message: str) -> PeopleImportError:
    return PeopleImportError([HotlineRowError(0, "", message)])


def _read_bytes(source) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            return handle.read()
    return source.read()


def _read_sheet(raw: bytes, layout: Layout) -> tuple[dict[str, Column], list[tuple[int, dict]]]:
    """The columns found in row 1 (by ``layout``'s accepted headers) and the non-blank rows below."""
    from openpyxl import load_workbook

    if not raw:
        raise _file_error(_("The file is empty."))
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken or foreign files
        raise _file_error(_("The file is not a valid Excel workbook (.xlsx).")) from exc
    try:
        if not workbook.worksheets:
            raise _file_error(_("The workbook has no worksheet."))
        lines = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(lines, None)
        if header is None or all(_blank(cell) for cell in header):
            raise _file_error(_("The file is empty: row 1 must hold the column names."))
        columns: dict[str, Column] = {}
        errors = []
        accepted = layout.accepted
        for index, cell in enumerate(header):
            name = _header_key(cell, accepted)
            if name is None:
                continue
            shown = str(cell).strip()
            if name in columns:
                errors.append(HotlineRowError(1, name, _("The column %(name)s appears twice.") % {"name": shown},
                                              letter=letter_of(index), column=shown))
                continue
            columns[name] = Column(index, shown)
        for name in layout.required:
            if name not in columns:
                errors.append(HotlineRowError(1, name, _("The column %(name)s is missing (accepted names: "
                                                         "%(accepted)s).") % {
                    "name": layout.headers[name],
                    "accepted": ", ".join(k for k, v in accepted.items() if v == name)},
                    column=layout.headers[name]))
        if errors:
            raise PeopleImportError(errors)
        rows = data_rows(
            lines, columns, limit=MAX_ROWS,
            too_many=lambda: _file_error(_("The file has more than %(max)s rows: split it.") % {"max": MAX_ROWS}),
            empty=lambda: _file_error(_empty_message(layout)))
        return columns, rows
    finally:
        workbook.close()


def _empty_message(layout: Layout) -> str:
    return _("The file holds no houses.") if layout.kind == "houses" else _("The file holds no residents.")


# --- Validation ---------------------------------------------------------------------------------
class _Reading:
    """The start every import shares: the role check, the sheet, and errors placed by row and column."""

    def __init__(self, file, filename, actor, update, layout: Layout, model, refusal: str):
        self.layout = layout
        self.actor = actor
        self.preview = Preview(filename=filename or getattr(file, "name", "") or "", update=update, kind=layout.kind)
        self.columns: dict[str, Column] = {}
        self.raw_rows: list[tuple[int, dict]] = []
        if actor is None or not has_model_permission(actor, model, CHANGE):
            self.preview.errors.append(HotlineRowError(0, "", refusal))
            return
        try:
            self.columns, self.raw_rows = _read_sheet(_read_bytes(file), layout)
        except PeopleImportError as exc:
            self.preview.errors = list(exc.errors)

    @property
    def failed(self) -> bool:
        return bool(self.preview.errors)

    def error(self, number, name, message) -> None:
        column = self.columns.get(name)
        self.preview.errors.append(HotlineRowError(
            number, name, message, letter=column.letter if column else "",
            column=column.header if column else self.layout.headers.get(name, "")))

    def grids(self) -> dict[str, OrgUnit]:
        codes = {_text(values.get("grid")) for _n, values in self.raw_rows} - {""}
        return {unit.code: unit for unit in OrgUnit.objects.filter(code__in=codes)}

    def check_grid(self, number, code: str, grids) -> None:
        grid = grids.get(code)
        if not code:
            self.error(number, "grid", _("The grid code is required."))
        elif grid is None or grid.level != Level.GRID or not covers(self.actor, grid.path):
            self.error(number, "grid", _("No grid %(code)s in your data scope.") % {"code": code})

    def texts(self, number, values, row, lengths: dict[str, int]) -> None:
        for name, limit in lengths.items():
            text = _text(values.get(name))
            if len(text) > limit:
                self.error(number, name, _("At most %(max)s characters.") % {"max": limit})
                text = text[:limit]
            setattr(row, name, text)

    def flags(self, number, values, row, names) -> None:
        for name in names:
            flag = _text(values.get(name)).lower()
            if flag in YES:
                setattr(row, name, True)
            elif flag not in NO:
                self.error(number, name, _("Write 是 or 否."))

    def check_phone(self, number, name, value: str) -> None:
        if value and not PHONE.match(value):
            self.error(number, name, _("Not a phone number."))

    def known_addresses(self, cells) -> dict[str, tuple[str, str]]:
        """Existing addresses among ``cells``: code -> (path, grid code); the caller refuses foreign ones."""
        cells = sorted(cells)
        found = {}
        for start in range(0, len(cells), 1000):
            for code, path, grid in Address.objects.filter(code__in=cells[start:start + 1000]).values_list(
                    "code", "path", "grid__code"):
                found[code] = (path, grid)
        return found

    def mark_existing(self, rows_by_key: dict, found, name: str, foreign: str) -> None:
        """Rows already registered ((key, pk, path) in ``found``): skipped, or updated when asked and in scope."""
        for key, pk, path in found:
            row = rows_by_key[key]
            row.existing_id = pk
            if not self.preview.update:
                row.action = "skip"
            elif covers(self.actor, path):
                row.action = "update"
            else:
                self.error(row.row, name, foreign)

    def finish(self, rows) -> Preview:
        fields = self.layout.fields
        self.preview.rows = rows
        self.preview.errors.sort(key=lambda e: (e.row, fields.index(e.field) if e.field in fields else len(fields)))
        return self.preview


def read_residents(file, filename: str = "", actor=None, *, update: bool = False) -> Preview:
    """Read and check a workbook of residents; nothing is written. See the module README."""
    reading = _Reading(file, filename, actor, update, RESIDENTS, Resident,
                       _("Your role may not change the resident register."))
    if reading.failed:
        return reading.preview
    preview, columns, raw_rows, error = reading.preview, reading.columns, reading.raw_rows, reading.error
    grids = reading.grids()
    tags = {}
    for tag in Tag.objects.all():
        tags[tag.code.lower()] = tag.code
        tags[tag.name.lower()] = tag.code
    first_seen: dict[str, int] = {}
    rows: list[Row] = []
    for number, values in raw_rows:
        row = Row(number)
        before = len(preview.errors)
        reading.texts(number, values, row, LENGTHS)
        if not row.name:
            error(number, "name", _("The name is required."))
        number_text = normalize_id_number(_text(values.get("id_number")))
        if not number_text:
            error(number, "id_number", _("The ID number is required."))
        else:
            reason = id_number_error(number_text)
            if reason:
                error(number, "id_number", _(ID_REASONS[reason]))
            elif number_text in first_seen:
                error(number, "id_number", _("The same ID number appears more than once (first in row %(first)s).")
                      % {"first": first_seen[number_text]})
            else:
                first_seen[number_text] = number
                row.id_number = number_text
        row.grid_code = _text(values.get("grid"))
        reading.check_grid(number, row.grid_code, grids)
        gender = _text(values.get("gender")).lower()
        if gender:
            if gender not in GENDERS:
                error(number, "gender", _("Write 男 or 女."))
            else:
                row.gender = GENDERS[gender]
        elif row.id_number:
            row.gender = Gender.MALE if int(row.id_number[16]) % 2 else Gender.FEMALE
        row.birth_date = _date(values.get("birth_date"))
        if row.birth_date is False:
            error(number, "birth_date", _("Not a date (write 1980-05-17)."))
            row.birth_date = None
        if row.birth_date is None and row.id_number:
            row.birth_date = datetime.date(int(row.id_number[6:10]), int(row.id_number[10:12]),
                                           int(row.id_number[12:14]))
        reading.check_phone(number, "phone", row.phone)
        reading.flags(number, values, row, ("is_household_head", "is_floating"))
        tag_text = _text(values.get("tags"))
        row.tags_given = "tags" in columns
        for part in re.split(r"[,，、;；]", tag_text):
            part = part.strip()
            if not part:
                continue
            code = tags.get(part.lower())
            if code is None:
                error(number, "tags", _("Unknown tag %(tag)s.") % {"tag": part})
            elif code not in row.tags:
                row.tags.append(code)
        if len(preview.errors) == before:
            rows.append(row)

    # A standard-address code must be one of the importer's own addresses.
    known = reading.known_addresses({row.address for row in rows if row.address})
    foreign = {code for code, (path, _grid) in known.items() if not covers(actor, path)}
    kept = []
    for row in rows:
        if row.address in foreign:
            error(row.row, "address", _("No address %(code)s in your data scope.") % {"code": row.address})
        else:
            kept.append(row)
    rows = kept

    # Already registered? (by the keyed hash of the ID number)
    by_hash = {id_hash(row.id_number): row for row in rows}
    hashes = sorted(by_hash)
    for start in range(0, len(hashes), 1000):
        reading.mark_existing(by_hash, Resident.objects.filter(id_hash__in=hashes[start:start + 1000]).values_list(
            "id_hash", "pk", "path"), "id_number", _("This person is registered in a place outside your data scope."))
    return reading.finish(rows)


def _house_uses() -> dict[str, str]:
    """用途 cell (Chinese or English label, or the value) -> ``HouseUse`` value."""
    uses = dict(HOUSE_USES)
    for value, label in HouseUse.choices:
        uses[value] = value
        for language in ("en", "zh-hans"):
            with override(language):
                uses[str(label).lower()] = value
    return uses


def _area(value):
    """Floor area in m² (one decimal), None when blank, False when unreadable or out of range."""
    text = _text(value).lower().replace("m²", "").replace("㎡", "").replace("平方米", "").replace("平米", "").strip()
    if not text:
        return None
    try:
        area = Decimal(text).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        return False
    return area if 0 <= area <= MAX_AREA else False


def read_houses(file, filename: str = "", actor=None, *, update: bool = False) -> Preview:
    """Read and check a workbook of houses (columns in ``HOUSES``); nothing is written.

    An address is an existing standard-address code or a text (a new address coded
    ``address_code(grid, text)``). An address that already has a house is listed as *exists*:
    skipped, or updated when ``update``; the same address twice in the file is an error."""
    reading = _Reading(file, filename, actor, update, HOUSES, House, _("Your role may not change the house register."))
    if reading.failed:
        return reading.preview
    grids = reading.grids()
    uses = _house_uses()
    rows: list[HouseRow] = []
    for number, values in reading.raw_rows:
        row = HouseRow(number)
        before = len(reading.preview.errors)
        reading.texts(number, values, row, HOUSE_LENGTHS)
        row.grid_code = _text(values.get("grid"))
        reading.check_grid(number, row.grid_code, grids)
        if not row.address:
            reading.error(number, "address", _("The address is required."))
        use = _text(values.get("use")).lower()
        if use:
            if use not in uses:
                reading.error(number, "use", _("Unknown use %(use)s (write 住宅, 商铺, 商住两用 or 其他).")
                              % {"use": use})
            else:
                row.use = uses[use]
        row.area = _area(values.get("area"))
        if row.area is False:
            reading.error(number, "area", _("Not a floor area in m² (write 85.5)."))
            row.area = None
        reading.flags(number, values, row, ("is_rented",))
        reading.check_phone(number, "landlord_phone", row.landlord_phone)
        if row.is_rented and not row.landlord_name:
            reading.error(number, "landlord_name", _("A rented house needs its landlord's name."))
        if len(reading.preview.errors) == before:
            rows.append(row)

    known = reading.known_addresses({row.address for row in rows})
    first_seen: dict[str, int] = {}
    kept = []
    for row in rows:
        if row.address in known:
            path, grid_code = known[row.address]
            if not covers(actor, path):
                reading.error(row.row, "address", _("No address %(code)s in your data scope.") % {"code": row.address})
                continue
            if grid_code != row.grid_code:
                reading.error(row.row, "address", _("The address lies in another grid."))
                continue
            row.address_code = row.address
        else:
            row.address_code = address_code(row.grid_code, row.address)
        if row.address_code in first_seen:
            reading.error(row.row, "address", _("The same address appears more than once (first in row %(first)s).")
                          % {"first": first_seen[row.address_code]})
            continue
        first_seen[row.address_code] = row.row
        kept.append(row)

    # Already a house at the address?
    by_code = {row.address_code: row for row in kept}
    codes = sorted(by_code)
    for start in range(0, len(codes), 1000):
        found = House.objects.filter(address__code__in=codes[start:start + 1000])
        reading.mark_existing(by_code, found.values_list("address__code", "pk", "path"), "address",
                              _("This house is registered in a place outside your data scope."))
    return reading.finish(kept)


def _date(value):
    """A date, None when blank, False when unreadable."""
    if _blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return False


# --- Writing ------------------------------------------------------------------------------------
def address_code(grid_code: str, text: str) -> str:
    """The code given to an address first seen as text: the grid and a digest of the text."""
    return f"{grid_code}-{hashlib.sha1(text.encode()).hexdigest()[:10]}"  # noqa: S324 - a name, not security


def commit(preview: Preview, actor) -> CommitResult:
    """Write a checked preview: everything or (on any error) nothing."""
    if preview.errors:
        raise PeopleImportError(preview.errors)
    if not preview.rows:
        raise _file_error(_empty_message(HOUSES if preview.kind == "houses" else RESIDENTS))
    try:
        with transaction.atomic():
            return (_write_houses if preview.kind == "houses" else _write)(preview, actor)
    except IntegrityError as exc:
        raise _file_error(_("The register changed while importing, so nothing was imported; "
                            "please try again.")) from exc


def _write(preview: Preview, actor) -> CommitResult:
    result = CommitResult(skipped=len(preview.to_skip))
    rows = preview.to_create + preview.to_update
    grids = {unit.code: unit for unit in OrgUnit.objects.filter(code__in={row.grid_code for row in rows})}
    houses = _houses(rows, grids, result)
    today = timezone.localdate()

    new = []
    for row in preview.to_create:
        grid = grids[row.grid_code]
        resident = Resident(grid=grid, path=grid.path, house=houses.get((row.grid_code, row.address)),
                            moved_in=today, **_values(row))
        resident.id_hash = id_hash(resident.id_number)  # what Resident.save() would do
        new.append(resident)
    for start in range(0, len(new), BATCH):
        Resident.objects.bulk_create(new[start:start + BATCH])
    moves = [Move(resident=r, kind=MoveKind.IN, at=today, to_grid_id=r.grid_id, to_house_id=r.house_id,
                  recorded_by=actor, note=_("Imported from %(file)s") % {"file": preview.filename[:150]})
             for r in new]
    Move.objects.bulk_create(moves, batch_size=BATCH)
    Through = Resident.tags.through
    tag_ids = dict(Tag.objects.values_list("code", "pk"))
    links = [Through(resident_id=r.pk, tag_id=tag_ids[code])
             for r, row in zip(new, preview.to_create, strict=True) for code in row.tags]
    result.created = len(new)

    updates = preview.to_update
    existing = Resident.objects.in_bulk([row.existing_id for row in updates])
    changed = []
    for row in updates:
        resident = existing[row.existing_id]
        grid = grids[row.grid_code]
        for name, value in _values(row).items():
            setattr(resident, name, value)
        resident.grid, resident.path = grid, grid.path
        house = houses.get((row.grid_code, row.address))
        if house is not None:
            resident.house = house
        resident.updated = timezone.now()
        changed.append(resident)
        if row.tags_given:
            Through.objects.filter(resident_id=resident.pk).delete()
            links += [Through(resident_id=resident.pk, tag_id=tag_ids[code]) for code in row.tags]
    fields = [*_values(updates[0]).keys(), "grid", "path", "house", "updated"] if updates else []
    if changed:
        Resident.objects.bulk_update(changed, fields, batch_size=BATCH)
    Through.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
    result.updated = len(changed)
    return result


def _values(row: Row) -> dict:
    return {"name": row.name, "gender": row.gender, "id_number": row.id_number, "birth_date": row.birth_date,
            "phone": row.phone or None, "household_no": row.household_no, "relation_to_head": row.relation_to_head,
            "is_household_head": row.is_household_head, "is_floating": row.is_floating,
            "hukou_address": row.hukou_address, "ethnicity": row.ethnicity, "note": row.note}


def _addresses(wanted: set[tuple[str, str]], grids: dict, result: CommitResult) -> dict[tuple[str, str], Address]:
    """(grid code, address cell) -> the address: an existing code, or the address first seen as this text
    (created now when new)."""
    cells = {text for _g, text in wanted}
    codes = {address_code(g, text) for g, text in wanted}
    known = {a.code: a for a in Address.objects.filter(code__in=cells | codes)}
    addresses: dict[tuple[str, str], Address] = {}
    fresh = []
    for grid_code, text in sorted(wanted):
        address = known.get(text) or known.get(address_code(grid_code, text))
        if address is None:
            grid = grids[grid_code]
            address = Address(grid=grid, path=grid.path, code=address_code(grid_code, text), text=text)
            known[address.code] = address
            fresh.append(address)
        addresses[(grid_code, text)] = address
    Address.objects.bulk_create(fresh, batch_size=BATCH)
    result.addresses = len(fresh)
    return addresses


def _houses(rows: list[Row], grids: dict, result: CommitResult) -> dict[tuple[str, str], House]:
    """(grid code, address cell) -> the house there; new addresses and houses are created."""
    wanted = {(row.grid_code, row.address) for row in rows if row.address}
    if not wanted:
        return {}
    addresses = _addresses(wanted, grids, result)
    existing = {h.address_id: h for h in House.objects.filter(address__in=[a.pk for a in addresses.values()])}
    new_houses = []
    for address in addresses.values():
        if address.pk not in existing:
            house = House(address=address, grid_id=address.grid_id, path=address.path)
            existing[address.pk] = house
            new_houses.append(house)
    House.objects.bulk_create(new_houses, batch_size=BATCH)
    return {key: existing[address.pk] for key, address in addresses.items()}


def _write_houses(preview: Preview, actor) -> CommitResult:
    result = CommitResult(skipped=len(preview.to_skip))
    created = preview.to_create
    grids = {unit.code: unit for unit in OrgUnit.objects.filter(code__in={row.grid_code for row in created})}
    addresses = _addresses({(row.grid_code, row.address) for row in created}, grids, result) if created else {}
    new = []
    for row in created:
        address = addresses[(row.grid_code, row.address)]
        new.append(House(address=address, grid_id=address.grid_id, path=address.path, **row.values()))
    House.objects.bulk_create(new, batch_size=BATCH)
    result.created = len(new)
    updates = preview.to_update
    existing = House.objects.in_bulk([row.existing_id for row in updates])
    changed = []
    for row in updates:
        house = existing[row.existing_id]
        for name, value in row.values().items():
            setattr(house, name, value)
        house.updated = timezone.now()
        changed.append(house)
    if changed:
        House.objects.bulk_update(changed, [*updates[0].values().keys(), "updated"], batch_size=BATCH)
    result.updated = len(changed)
    return result


def import_residents(file, actor, *, filename: str = "", update: bool = False, reader=None) -> CommitResult:
    """Read (``reader``, default ``read_residents``), check and write in one go; raises ``PeopleImportError``."""
    preview = (reader or read_residents)(file, filename, actor, update=update)
    return commit(preview, actor)


def template_xlsx(layout: Layout = RESIDENTS) -> bytes:
    """A workbook with the column names (Chinese) and one example row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = layout.sheet
    sheet.append(list(layout.headers.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(list(layout.example))
    for index in range(len(layout.headers)):
        letter = letter_of(index)
        sheet.column_dimensions[letter].width = 22 if letter in layout.wide else 12
        sheet[f"{letter}2"].number_format = "@"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- The ledger (台帐) ----------------------------------------------------------------------------
def may_see_full(user) -> bool:
    """Full values in a ledger of records already limited to the user's scope: the role decides."""
    from .privacy import role_may_see_full

    return role_may_see_full(user)


def ledger_headers() -> dict[str, str]:
    return {**TEMPLATE_HEADERS, "address": "地址", "is_tenant": "租户", "status": "状态"}


def export_ledger(queryset, user, columns=LEDGER_COLUMNS, *, reason: str = "", remote_addr=None) -> bytes:
    """An .xlsx ledger of the residents in ``queryset`` that ``user`` may see.

    ID numbers and phones are masked unless ``may_see_full(user)``; a full export writes one
    ``SensitiveView`` row (object_id 0, the count and the fields in ``fields``/``reason``)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    columns = [name for name in columns if name in LEDGER_COLUMNS]
    queryset = queryset.visible_to(user).select_related("grid", "house__address").prefetch_related("tags")
    full = may_see_full(user)
    headers = ledger_headers()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台帐")
    sheet.freeze_panes = "A2"
    head = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=headers[name])
        cell.font = Font(bold=True)
        head.append(cell)
    sheet.append(head)
    yes, no = "是", "否"
    count = 0
    for resident in queryset.iterator(chunk_size=2000):
        count += 1
        values = {
            "name": resident.name, "gender": "男" if resident.gender == Gender.MALE else (
                "女" if resident.gender == Gender.FEMALE else ""),
            "id_number": resident.id_number if full else resident.masked_id_number,
            "birth_date": resident.birth_date.isoformat() if resident.birth_date else "",
            "phone": (resident.phone or "") if full else resident.masked_phone,
            "grid": resident.grid.code,
            "address": resident.house.address.text if resident.house_id else "",
            "household_no": resident.household_no, "relation_to_head": resident.relation_to_head,
            "is_household_head": yes if resident.is_household_head else no,
            "is_floating": yes if resident.is_floating else no, "is_tenant": yes if resident.is_tenant else no,
            "hukou_address": resident.hukou_address, "ethnicity": resident.ethnicity,
            "tags": "、".join(tag.name for tag in resident.tags.all()),
            "status": str(resident.get_status_display()), "note": resident.note,
        }
        line = []
        for name in columns:
            cell = WriteOnlyCell(sheet, value=values[name] or None)
            if values[name]:
                cell.data_type = "s"  # never a formula
            line.append(cell)
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    shown = [name for name in ("id_number", "phone") if name in columns]
    if full and shown and count:
        SensitiveView.objects.create(
            user=user, model="people.Resident", object_id=0, fields=",".join(shown), remote_addr=remote_addr,
            reason=(_("Ledger export of %(count)d residents") % {"count": count} + (f": {reason}" if reason else ""))
            [:200])
    return buffer.getvalue()


__all__ = ["Preview", "Row", "HouseRow", "Layout", "RESIDENTS", "HOUSES", "CommitResult", "PeopleImportError",
           "read_residents", "read_houses", "commit", "import_residents",
           "export_ledger", "template_xlsx", "may_see_full", "mask_phone"]
