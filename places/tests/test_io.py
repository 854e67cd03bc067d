"""Import and export of the place tree as GeoJSON and Excel (places/io.py and its commands)."""

import copy
import json
from io import BytesIO, StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from accounts.models import Role, User
from jiceng.testing import make_unit, square
from places.geo import locate_grid
from places.io import (
    ImportResult,
    PlaceImportError,
    export_excel,
    export_geojson,
    import_excel,
    import_geojson,
)
from places.models import Level, OrgUnit

DISTRICT, STREET, COMMUNITY = "110101", "110101001", "110101001001"
GRID_1, GRID_2 = "110101001001001", "110101001001002"


@pytest.fixture
def tree(db):
    """District 110101 > street 110101001 > community 110101001001 > two adjacent square grids."""
    district = make_unit(DISTRICT, "东城区", Level.DISTRICT, resident_count=5000, household_count=2000)
    street = make_unit(STREET, "东华门街道", Level.STREET, district, geometry=square(116.40, 39.90, 0.02))
    community = make_unit(COMMUNITY, "多福巷社区", Level.COMMUNITY, street, resident_count=2100)
    grid_1 = make_unit(GRID_1, "多福巷第1网格", Level.GRID, community, geometry=square(116.40, 39.90),
                       resident_count=1200, household_count=480)
    grid_2 = make_unit(GRID_2, "多福巷第2网格", Level.GRID, community, geometry=square(116.41, 39.90),
                       resident_count=900, household_count=350)
    return {"district": district, "street": street, "community": community, "grid_1": grid_1, "grid_2": grid_2}


def snapshot():
    """The tree as a user sees it: everything but ids and timestamps."""
    return {
        unit.code: (unit.name, unit.level, unit.parent.code if unit.parent else None, unit.path,
                    unit.resident_count, unit.household_count, unit.geometry, unit.centroid_lon, unit.centroid_lat)
        for unit in OrgUnit.objects.select_related("parent")
    }


def wipe():
    for unit in OrgUnit.objects.order_by("-path"):  # children first (parents are protected)
        unit.delete()
    assert OrgUnit.objects.count() == 0


def feature(code, name, level, parent_code=None, geometry=None, **counts):
    return {"type": "Feature", "geometry": geometry,
            "properties": {"code": code, "name": name, "level": level, "parent_code": parent_code, **counts}}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_of(excinfo):
    return [(e.row, e.field) for e in excinfo.value.errors]


# --- Round trips ----------------------------------------------------------------------------------


def test_geojson_round_trip_rebuilds_the_same_tree(tree):
    before = snapshot()
    data = export_geojson(OrgUnit.objects.all())
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in data["features"]] == [DISTRICT, STREET, COMMUNITY, GRID_1, GRID_2]
    assert data["features"][3]["properties"] == {
        "code": GRID_1, "name": "多福巷第1网格", "level": "grid", "parent_code": COMMUNITY,
        "resident_count": 1200, "household_count": 480,
    }
    assert data["features"][0]["geometry"] is None

    text = json.dumps(data, ensure_ascii=False)  # as written to a file
    wipe()
    result = import_geojson(text.encode("utf-8"))

    assert result == ImportResult(created=5, updated=0)
    assert snapshot() == before


def test_excel_round_trip_rebuilds_the_same_tree(tree):
    before = snapshot()
    content = export_excel(OrgUnit.objects.all())

    sheet = load_workbook(BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("code", "name", "level", "parent_code", "resident_count", "household_count", "geometry")
    assert rows[4][:6] == (GRID_1, "多福巷第1网格", "grid", COMMUNITY, 1200, 480)
    assert json.loads(rows[4][6]) == square(116.40, 39.90)
    assert rows[1][6] is None  # the district has no boundary
    assert sheet["A2"].data_type == "s"  # codes are text, not numbers

    wipe()
    result = import_excel(BytesIO(content))

    assert result == ImportResult(created=5, updated=0)
    assert snapshot() == before


def test_reimporting_an_export_changes_nothing(tree):
    before = snapshot()
    entries = LogEntry.objects.count()
    result = import_excel(export_excel(OrgUnit.objects.all()))
    assert result == ImportResult(created=0, updated=5)
    assert snapshot() == before
    assert LogEntry.objects.count() == entries


def test_excel_export_never_writes_formulas(tree):
    OrgUnit.objects.filter(code=GRID_1).update(name="=HYPERLINK(\"http://x\")")
    sheet = load_workbook(BytesIO(export_excel(OrgUnit.objects.all()))).worksheets[0]
    assert sheet["B5"].value == "=HYPERLINK(\"http://x\")"
    assert sheet["B5"].data_type == "s"


# --- Upsert, order, moves -------------------------------------------------------------------------


def test_existing_codes_are_updated(tree):
    moved = square(116.40, 39.91)
    result = import_geojson(collection(
        feature(GRID_1, "新名称网格", "grid", COMMUNITY, moved, resident_count=1300, household_count=500),
        feature(GRID_2, "多福巷第2网格", "grid", COMMUNITY),  # no boundary, no counts: kept
    ))

    assert result == ImportResult(created=0, updated=2)
    grid_1 = OrgUnit.objects.get(code=GRID_1)
    assert (grid_1.name, grid_1.resident_count, grid_1.household_count) == ("新名称网格", 1300, 500)
    assert grid_1.geometry == moved
    assert grid_1.centroid_lat > 39.91  # recomputed by OrgUnit.save()
    assert grid_1.pk == tree["grid_1"].pk and grid_1.path == tree["grid_1"].path
    grid_2 = OrgUnit.objects.get(code=GRID_2)
    assert (grid_2.resident_count, grid_2.household_count, grid_2.geometry) == (900, 350, square(116.41, 39.90))
    assert OrgUnit.objects.count() == 5
    # Saved through the model: the audit log has the change.
    entry = LogEntry.objects.get_for_object(grid_1).order_by("-timestamp").first()
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes_dict["name"] == ["多福巷第1网格", "新名称网格"]


def test_parents_may_come_after_their_children(db):
    features = [
        feature("110101001002001", "银闸第1网格", "grid", "110101001002", square(116.42, 39.90)),
        feature("110101001002", "银闸社区", "community", STREET),
        feature(STREET, "东华门街道", "street", DISTRICT),
        feature(DISTRICT, "东城区", "district"),
    ]
    result = import_geojson(collection(*features))

    assert result == ImportResult(created=4, updated=0)
    grid = OrgUnit.objects.get(code="110101001002001")
    assert grid.path == "110101/110101001/110101001002/110101001002001/"
    assert grid.parent.code == "110101001002"
    assert [unit.code for unit in grid.ancestors()] == [DISTRICT, STREET, "110101001002"]


def test_new_places_may_hang_under_places_already_in_the_database(tree):
    result = import_geojson(collection(
        feature("110101001001003", "多福巷第3网格", "grid", COMMUNITY, square(116.42, 39.90), resident_count=10),
        feature("110101001002", "银闸社区", "community", STREET),
    ))
    assert result == ImportResult(created=2, updated=0)
    assert OrgUnit.objects.get(code="110101001001003").path == tree["grid_1"].path.replace(GRID_1, "110101001001003")


def test_a_new_parent_code_moves_the_subtree(tree):
    import_geojson(collection(
        feature("110101002", "景山街道", "street", DISTRICT),
        feature(COMMUNITY, "多福巷社区", "community", "110101002"),
    ))
    assert OrgUnit.objects.get(code=COMMUNITY).path == "110101/110101002/110101001001/"
    assert OrgUnit.objects.get(code=GRID_2).path == "110101/110101002/110101001001/110101001001002/"


def test_a_move_and_a_new_child_below_the_moved_place_in_one_file(tree):
    import_geojson(collection(
        feature("110101001001003", "多福巷第3网格", "grid", COMMUNITY, square(116.42, 39.90)),
        feature(COMMUNITY, "多福巷社区", "community", "110101002"),
        feature("110101002", "景山街道", "street", DISTRICT),
    ))
    assert OrgUnit.objects.get(code="110101001001003").path == "110101/110101002/110101001001/110101001001003/"


# --- Errors: all reported, nothing written ----------------------------------------------------------


def valid_features():
    """New community 110101001002 with a grid east of the existing ones (valid against `tree`)."""
    return [
        feature("110101001002", "银闸社区", "community", STREET, resident_count=800),
        feature("110101001002001", "银闸第1网格", "grid", "110101001002", square(116.42, 39.90), resident_count=800),
    ]


def bowtie():
    return {"type": "Polygon", "coordinates": [[[116.42, 39.90], [116.43, 39.91], [116.43, 39.90],
                                                [116.42, 39.91], [116.42, 39.90]]]}


def _set(index, key, value):
    def change(features):
        features[index]["properties"][key] = value
    return change


def _geometry(index, value):
    def change(features):
        features[index]["geometry"] = value
    return change


def _append(*extra):
    def change(features):
        features.extend(copy.deepcopy(extra))
    return change


ERROR_CASES = {
    "missing code": (_set(1, "code", ""), 2, "code", "code is required"),
    "missing name": (_set(0, "name", None), 1, "name", "name is required"),
    "unknown level": (_set(0, "level", "village"), 1, "level", "Unknown level village"),
    "level not allowed under parent": (_set(1, "parent_code", STREET), 2, "level", "cannot be placed under"),
    "district needs no parent but a grid does": (_set(1, "parent_code", None), 2, "level", "needs a parent"),
    "unknown parent": (_set(1, "parent_code", "999999"), 2, "parent_code", "Unknown parent 999999"),
    "duplicate code": (_append(feature("110101001002", "重复", "community", STREET)), 3, "code",
                       "more than once (first in row 1)"),
    "cycle": (_append(feature("110101001003", "甲社区", "community", "110101001004"),
                      feature("110101001004", "乙社区", "community", "110101001003")), 3, "parent_code", "loop"),
    "own parent": (_set(0, "parent_code", "110101001002"), 1, "parent_code", "loop"),
    "non-integer count": (_set(0, "resident_count", "many"), 1, "resident_count", "whole number"),
    "fractional count": (_set(0, "household_count", 2.5), 1, "household_count", "whole number"),
    "negative count": (_set(1, "resident_count", -3), 2, "resident_count", "whole number"),
    "invalid polygon": (_geometry(1, bowtie()), 2, "geometry", "not a valid polygon"),
    "not a polygon": (_geometry(1, {"type": "Point", "coordinates": [116.4, 39.9]}), 2, "geometry", "Point"),
    "coordinates outside China": (_geometry(1, square(39.90, 116.42)), 2, "geometry", "outside China"),
    "grid without polygon": (_geometry(1, None), 2, "geometry", "needs a boundary polygon"),
    "grid overlaps a grid in the database": (_geometry(1, square(116.405, 39.905)), 2, "geometry",
                                             "110101001002001 overlaps the existing grid 110101001001001"),
    "grids in the file overlap": (
        _append(feature("110101001002002", "银闸第2网格", "grid", "110101001002", square(116.425, 39.90))),
        3, "geometry", "110101001002002 overlaps the grid 110101001002001 (row 2)"),
}


@pytest.mark.parametrize("case", ERROR_CASES, ids=list(ERROR_CASES))
def test_each_error_is_reported_by_row_and_field_and_nothing_is_written(tree, case):
    change, row, field, text = ERROR_CASES[case]
    features = valid_features()
    change(features)
    before = snapshot()
    entries = LogEntry.objects.count()

    with pytest.raises(PlaceImportError) as excinfo:
        import_geojson(collection(*features))

    assert (row, field) in errors_of(excinfo)
    message = next(e.message for e in excinfo.value.errors if (e.row, e.field) == (row, field))
    assert text in message
    assert f"Row {row}, {field}: {message}" in str(excinfo.value)
    assert OrgUnit.objects.count() == 5
    assert snapshot() == before
    assert LogEntry.objects.count() == entries


def test_the_valid_base_file_of_the_error_cases_imports(tree):
    assert import_geojson(collection(*valid_features())) == ImportResult(created=2, updated=0)


def test_all_errors_are_collected_before_anything_is_written(tree):
    features = valid_features() + [
        feature("", "无编码", "grid", COMMUNITY),
        feature("110101001001009", "", "楼房", COMMUNITY),
        feature(GRID_1, "多福巷第1网格", "grid", COMMUNITY, square(116.41, 39.90), resident_count="x"),
    ]
    with pytest.raises(PlaceImportError) as excinfo:
        import_geojson(collection(*features))

    found = errors_of(excinfo)
    assert (3, "code") in found
    assert (4, "name") in found and (4, "level") in found
    assert (5, "resident_count") in found and (5, "geometry") in found  # GRID_1 now overlaps GRID_2
    overlap = next(e.message for e in excinfo.value.errors if (e.row, e.field) == (5, "geometry"))
    assert GRID_1 in overlap and GRID_2 in overlap
    assert OrgUnit.objects.count() == 5
    assert not OrgUnit.objects.filter(code="110101001002").exists()


def test_moving_a_grid_onto_its_own_old_place_is_no_overlap(tree):
    """A grid's stored boundary does not count against its new one."""
    shifted = square(116.4005, 39.90, 0.0095)
    import_geojson(collection(feature(GRID_1, "多福巷第1网格", "grid", COMMUNITY, shifted)))
    assert OrgUnit.objects.get(code=GRID_1).geometry == shifted


def test_a_change_of_level_must_fit_the_places_below(tree):
    with pytest.raises(PlaceImportError) as excinfo:
        import_geojson(collection(feature(COMMUNITY, "多福巷社区", "street", DISTRICT)))
    assert (1, "level") in errors_of(excinfo)
    assert GRID_1 in excinfo.value.errors[0].message


def test_a_failure_while_writing_leaves_nothing_half_imported(tree, monkeypatch):
    original = OrgUnit.save
    calls = []

    def failing_save(self, *args, **kwargs):
        calls.append(self.code)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(OrgUnit, "save", failing_save)
    with pytest.raises(RuntimeError):
        import_geojson(collection(*valid_features()))
    assert OrgUnit.objects.count() == 5


@pytest.mark.parametrize("source, text", [
    (b"not json", "not valid GeoJSON"),
    ({"type": "Feature"}, "FeatureCollection"),
    (collection(), "no places"),
])
def test_a_broken_geojson_file_is_a_file_error(db, source, text):
    with pytest.raises(PlaceImportError) as excinfo:
        import_geojson(source)
    assert excinfo.value.errors[0].row == 0
    assert text in excinfo.value.errors[0].message


def test_a_broken_excel_file_is_a_file_error(db):
    with pytest.raises(PlaceImportError) as excinfo:
        import_excel(b"PK\x03\x04 definitely not a workbook")
    assert "not a valid Excel workbook" in str(excinfo.value)


def test_excel_errors_use_spreadsheet_row_numbers(tree):
    content = xlsx([
        ["code", "name", "level", "parent_code", "resident_count", "household_count", "geometry"],
        ["110101001002", "银闸社区", "community", STREET, 800, None, None],
        [None, None, None, None, None, None, None],  # blank rows are skipped, numbering is kept
        ["110101001002001", "银闸第1网格", "grid", "110101001002", -1, None, "{not json"],
    ])
    with pytest.raises(PlaceImportError) as excinfo:
        import_excel(content)
    assert errors_of(excinfo) == [(4, "resident_count"), (4, "geometry")]
    assert "not valid GeoJSON text" in excinfo.value.errors[1].message
    assert OrgUnit.objects.count() == 5


def test_excel_without_the_required_columns(db):
    with pytest.raises(PlaceImportError) as excinfo:
        import_excel(xlsx([["code", "名字"], ["110101", "东城区"]]))
    assert errors_of(excinfo) == [(1, "name"), (1, "level")]


# --- Chinese headers and levels ---------------------------------------------------------------------


def test_chinese_headers_and_level_names(db):
    content = xlsx([
        ["编码", "名称", "层级", "上级编码", "人口数", "户数", "边界", "备注"],
        [110101001001001, "多福巷第1网格", "网格", 110101001001, 1200, 480,
         json.dumps(square(116.40, 39.90)), "ignored"],
        [110101001001, "多福巷社区", "社区/村", 110101001, "2100", None, None, None],
        [110101001, "东华门街道", "街道", 110101, None, None, None, None],
        [110101, "东城区", "区/县", None, None, None, None, None],
        ["110101001001001001", "1号楼", "楼栋", "110101001001001", 30, 12, None, None],
    ])
    assert import_excel(content) == ImportResult(created=5, updated=0)

    levels = dict(OrgUnit.objects.values_list("code", "level"))
    assert levels == {DISTRICT: "district", STREET: "street", COMMUNITY: "community", GRID_1: "grid",
                      "110101001001001001": "building"}
    grid = OrgUnit.objects.get(code=GRID_1)
    assert (grid.resident_count, grid.household_count, grid.geometry) == (1200, 480, square(116.40, 39.90))
    assert OrgUnit.objects.get(code=COMMUNITY).resident_count == 2100


@pytest.mark.parametrize("name, level", [("区", "district"), ("县", "district"), ("乡镇", "street"),
                                         ("村", "community"), ("微网格", "building"), ("Street", "street")])
def test_chinese_level_names_in_geojson(db, name, level):
    from places.io import _level_value

    assert _level_value(name) == level


def test_chinese_property_names_in_geojson(db):
    import_geojson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None, "properties": {"编码": "110101", "名称": "东城区", "层级": "区"}},
    ]})
    assert OrgUnit.objects.get(code=DISTRICT).level == Level.DISTRICT


# --- Data scope -----------------------------------------------------------------------------------


@pytest.fixture
def street_admin(tree):
    user = User.objects.create_user(username="street_admin", password="Test-pass-2026", role=Role.ADMIN)
    user.scope_units.set([tree["street"]])
    return user


def test_a_scoped_user_may_import_inside_the_scope(tree, street_admin):
    result = import_geojson(collection(
        feature(COMMUNITY, "多福巷社区（新）", "community", STREET),
        *valid_features(),
    ), user=street_admin)

    assert result == ImportResult(created=2, updated=1)
    entry = LogEntry.objects.get_for_object(OrgUnit.objects.get(code="110101001002001")).get()
    assert entry.actor == street_admin


def test_a_scoped_user_may_not_import_outside_the_scope(tree, street_admin):
    before = snapshot()
    features = valid_features() + [
        feature(DISTRICT, "东城区（改）", "district"),  # above the scope
        feature("110101002", "景山街道", "street", DISTRICT),  # new, under a parent outside the scope
        feature("110102", "西城区", "district"),  # new top-level place
        feature(COMMUNITY, "多福巷社区", "community", "110101002"),  # moved out of the scope
    ]
    with pytest.raises(PlaceImportError) as excinfo:
        import_geojson(collection(*features), user=street_admin)

    assert errors_of(excinfo) == [(3, "code"), (4, "parent_code"), (5, "parent_code"), (6, "parent_code")]
    assert all("not in your data scope" in e.message for e in excinfo.value.errors)
    assert snapshot() == before


def test_an_overlap_outside_the_scope_names_the_other_grid_by_code_only(tree, street_admin):
    other_street = make_unit("110101002", "景山街道", Level.STREET, tree["district"])
    other_community = make_unit("110101002001", "景山社区", Level.COMMUNITY, other_street)
    make_unit("110101002001001", "景山第1网格", Level.GRID, other_community, geometry=square(116.50, 39.90))

    with pytest.raises(PlaceImportError) as excinfo:
        import_geojson(collection(
            feature("110101001001003", "多福巷第3网格", "grid", COMMUNITY, square(116.505, 39.905)),
        ), user=street_admin)

    assert errors_of(excinfo) == [(1, "geometry")]
    message = excinfo.value.errors[0].message
    assert "110101001001003" in message and "110101002001001" in message
    assert "景山第1网格" not in message


def test_a_role_without_change_permission_may_not_import(tree):
    worker = User.objects.create_user(username="worker", password="Test-pass-2026", role=Role.GRID_WORKER)
    worker.scope_units.set([tree["grid_1"]])
    with pytest.raises(PlaceImportError) as excinfo:
        import_geojson(collection(feature(GRID_1, "改名", "grid", COMMUNITY)), user=worker)
    assert "may not change places" in str(excinfo.value)
    assert OrgUnit.objects.get(code=GRID_1).name == "多福巷第1网格"


def test_a_superuser_is_not_restricted(tree):
    root = User.objects.create_superuser("root", password="Test-pass-2026")
    result = import_geojson(collection(feature("110102", "西城区", "district")), user=root)
    assert result.created == 1


# --- Size and side effects ----------------------------------------------------------------------------


def test_a_file_of_600_grids_imports_and_the_grids_are_located(tree, django_capture_on_commit_callbacks):
    features = [feature("110101001002", "银闸社区", "community", STREET)]
    size = 0.001
    for i in range(600):
        lon, lat = 116.50 + (i % 30) * size, 39.90 + (i // 30) * size
        features.append(feature(f"110101001002{i:03d}", f"网格{i}", "grid", "110101001002",
                                square(lon, lat, size), resident_count=i))
    with django_capture_on_commit_callbacks(execute=True):
        result = import_geojson(collection(*features))

    assert result == ImportResult(created=601, updated=0)
    assert OrgUnit.objects.filter(parent__code="110101001002").count() == 600
    found = locate_grid(116.50 + 7 * size + size / 2, 39.90 + 3 * size + size / 2)
    assert found.code == f"110101001002{3 * 30 + 7:03d}"


# --- Management commands -------------------------------------------------------------------------------


def test_export_and_import_commands(tree, tmp_path):
    geojson, workbook = tmp_path / "places.geojson", tmp_path / "grids.xlsx"
    out = StringIO()
    call_command("export_places", str(geojson), stdout=out)
    call_command("export_places", str(workbook), "--under", COMMUNITY, "--level", "grid", stdout=out)

    data = json.loads(geojson.read_text(encoding="utf-8"))
    assert len(data["features"]) == 5
    rows = list(load_workbook(workbook).worksheets[0].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [GRID_1, GRID_2]

    wipe()
    out = StringIO()
    call_command("import_places", str(geojson), stdout=out)
    assert "Created 5, updated 0" in out.getvalue()
    out = StringIO()
    call_command("import_places", str(workbook), stdout=out)
    assert "Created 0, updated 2" in out.getvalue()


def test_export_command_subtree_includes_the_place_itself(tree, tmp_path):
    target = tmp_path / "street.json"
    call_command("export_places", str(target), "--under", STREET, stdout=StringIO())
    codes = [f["properties"]["code"] for f in json.loads(target.read_text())["features"]]
    assert codes == [STREET, COMMUNITY, GRID_1, GRID_2]


def test_import_command_prints_each_error_and_fails(tree, tmp_path):
    target = tmp_path / "bad.xlsx"
    target.write_bytes(xlsx([
        ["code", "name", "level", "parent_code"],
        ["110101001002", "银闸社区", "网格", STREET],
        ["110101001003", "", "社区", STREET],
    ]))
    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_places", str(target), stdout=StringIO(), stderr=err)
    assert excinfo.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("row 2, level: ")
    assert lines[1].startswith("row 2, geometry: ")
    assert lines[2].startswith("row 3, name: ")
    assert OrgUnit.objects.count() == 5


@pytest.mark.parametrize("command, args", [
    ("import_places", ["places.csv"]),
    ("export_places", ["places.csv"]),
    ("export_places", ["places.json", "--under", "999"]),
    ("export_places", ["places.json", "--level", "planet"]),
])
def test_commands_reject_bad_arguments(db, tmp_path, command, args):
    args = [str(tmp_path / args[0]), *args[1:]]
    with pytest.raises(CommandError):
        call_command(command, *args, stdout=StringIO(), stderr=StringIO())
