"""House import from Excel: preview, per-row errors, duplicates against existing houses, all or nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from people import actions
from people.io import HOUSES, PeopleImportError, address_code, commit, read_houses, read_residents, template_xlsx
from people.models import Address, House
from people.tests.test_io import workbook

pytestmark = pytest.mark.django_db

HEADERS = ["网格编码", "地址", "用途", "面积", "是否出租", "房东姓名", "房东电话", "备注"]


def good_rows(world):
    grid = world.grid_a.code
    return [
        [grid, "多福巷1号楼101", "住宅", "85.5", "是", "李建国", "13900001111", ""],
        [grid, "多福巷1号楼102", "商铺", 40, "否", "", "", "临街"],
        [grid, "多福巷2号", "", "", "", "", "", ""],
    ]


def test_good_houses_import_with_new_addresses_and_encrypted_phone(world):
    staff = world.users["staff_a"]
    preview = read_houses(workbook(good_rows(world), HEADERS), "houses.xlsx", staff)
    assert preview.errors == [] and preview.kind == "houses" and len(preview.to_create) == 3
    result = commit(preview, staff)
    assert (result.created, result.updated, result.skipped, result.addresses) == (3, 0, 0, 3)
    first = House.objects.get(address__text="多福巷1号楼101")
    assert first.address.code == address_code(world.grid_a.code, "多福巷1号楼101")
    assert (first.use, first.area, first.is_rented, first.landlord_name) == ("residential", Decimal("85.5"), True,
                                                                             "李建国")
    assert first.landlord_phone == "13900001111" and first.path == world.grid_a.path
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT landlord_phone FROM people_house WHERE id = %s", [first.pk])
        assert "13900001111" not in cursor.fetchone()[0]
    shop = House.objects.get(address__text="多福巷1号楼102")
    assert shop.use == "commercial" and shop.area == Decimal("40.0") and shop.note == "临街"


def test_bad_rows_list_row_column_reason_and_write_nothing(world):
    grid = world.grid_a.code
    rows = [
        [grid, "多福巷3号", "仓库", "", "", "", "", ""],                        # row 2: unknown use
        [grid, "多福巷4号", "", "大约80", "", "", "", ""],                      # row 3: bad area
        [world.grid_b.code, "银闸1号", "", "", "", "", "", ""],                 # row 4: grid out of scope
        [grid, "", "", "", "", "", "", ""],                                    # row 5: no address
        [grid, "多福巷5号", "", "", "是", "", "", ""],                           # row 6: rented, no landlord
        [grid, "多福巷6号", "", "", "也许", "", "", ""],                         # row 7: not 是/否
        [grid, "多福巷7号", "", "", "", "", "电话", ""],                         # row 8: bad phone
        [grid, "多福巷8号", "", "", "", "", "", ""],
        [grid, "多福巷8号", "", "", "", "", "", ""],                            # row 10: same address as row 9
    ]
    preview = read_houses(workbook(rows, HEADERS), "bad.xlsx", world.users["worker_a"])
    found = {(e.row, e.letter, e.column) for e in preview.errors}
    assert found == {(2, "C", "用途"), (3, "D", "面积"), (4, "A", "网格编码"), (5, "B", "地址"), (6, "F", "房东姓名"),
                     (7, "E", "是否出租"), (8, "G", "房东电话"), (10, "B", "地址")}
    assert "row 9" in next(e.message for e in preview.errors if e.row == 10)
    assert all(e.message for e in preview.errors) and not preview.ok
    with pytest.raises(PeopleImportError):
        commit(preview, world.users["worker_a"])
    assert not House.objects.exists() and not Address.objects.exists()


def test_missing_columns_and_residents_layout_stay_apart(world):
    staff = world.users["staff_a"]
    preview = read_houses(workbook([["x"]], ["备注"]), "x.xlsx", staff)
    assert {(e.row, e.column) for e in preview.errors} == {(1, "网格编码"), (1, "地址")}
    # A houses workbook is not a residents workbook: the residents' required columns are missing.
    other = read_residents(workbook(good_rows(world), HEADERS), "h.xlsx", staff)
    assert {e.column for e in other.errors} == {"姓名", "身份证号"}


def test_existing_houses_are_skipped_or_updated_by_code_or_text(world):
    staff = world.users["staff_a"]
    address = actions.create_address(staff, grid=world.grid_a, code="110101001001001-K1", text="多福巷10号")
    known = actions.create_house(staff, address=address, note="旧")
    commit(read_houses(workbook(good_rows(world), HEADERS), "a.xlsx", staff), staff)
    rows = good_rows(world)
    rows[0][3] = "90"
    rows.append([world.grid_a.code, "110101001001001-K1", "商住两用", "", "", "", "", "新"])  # existing code
    rows.append([world.grid_a.code, "多福巷11号", "", "", "", "", "", ""])
    data = workbook(rows, HEADERS)
    preview = read_houses(data, "b.xlsx", staff)
    assert (len(preview.to_create), len(preview.to_skip), len(preview.to_update)) == (1, 4, 0)
    result = commit(preview, staff)
    assert (result.created, result.skipped) == (1, 4)
    assert House.objects.get(address__text="多福巷1号楼101").area == Decimal("85.5")

    preview = read_houses(data, "b.xlsx", staff, update=True)
    assert (len(preview.to_create), len(preview.to_update)) == (0, 5)
    commit(preview, staff)
    assert House.objects.count() == 5 and Address.objects.count() == 5
    assert House.objects.get(address__text="多福巷1号楼101").area == Decimal("90.0")
    known.refresh_from_db()
    assert (known.use, known.note) == ("mixed", "新")
    assert House.objects.get(address__text="多福巷1号楼101").landlord_phone == "13900001111"


def test_an_address_of_another_grid_or_scope_is_refused(world):
    staff_b = world.users["staff_b"]
    address = actions.create_address(staff_b, grid=world.grid_b, code="110101001002001-K2", text="银闸2号")
    rows = [[world.grid_a.code, address.code, "", "", "", "", "", ""]]
    preview = read_houses(workbook(rows, HEADERS), "c.xlsx", world.users["staff_a"])
    assert [(e.row, e.column) for e in preview.errors] == [(2, "地址")]


def test_all_or_nothing_when_the_register_changes(world, monkeypatch):
    staff = world.users["staff_a"]
    preview = read_houses(workbook(good_rows(world), HEADERS), "a.xlsx", staff)
    # Someone registers one of the addresses between the preview and the commit.
    code = address_code(world.grid_a.code, "多福巷2号")
    actions.create_house(staff, address=actions.create_address(staff, grid=world.grid_a, code=code, text="多福巷2号"))
    import people.io as module

    real = module._addresses

    def racing(wanted, grids, result):
        found = real(wanted, grids, result)
        House.objects.create(address=found[(world.grid_a.code, "多福巷1号楼102")], grid=world.grid_a)
        return found

    monkeypatch.setattr(module, "_addresses", racing)
    with pytest.raises(PeopleImportError):
        commit(preview, staff)
    assert House.objects.count() == 1 and Address.objects.count() == 1


def test_pages_template_and_command(client, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(world.users["worker_a"])
    page = client.get(reverse("people_io:index"))
    assert 'value="houses"' in page.content.decode()
    template = client.get(reverse("people_io:download", args=["houses-template"]))
    assert template["Content-Disposition"].endswith('houses-template.xlsx"')
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert [c.value for c in sheet[1]] == list(HOUSES.headers.values())
    assert read_houses(template_xlsx(HOUSES), "t.xlsx", world.users["worker_a"]).errors == []

    upload = SimpleUploadedFile("houses.xlsx", workbook(good_rows(world), HEADERS))
    preview = client.post(reverse("people_io:index"), {"kind": "houses", "file": upload})
    assert preview.status_code == 200 and preview.context["preview"].kind == "houses"
    assert 'name="kind" value="houses"' in preview.content.decode() and not House.objects.exists()
    done = client.post(reverse("people_io:confirm"), {"token": preview.context["token"], "kind": "houses",
                                                      "update": "0", "file_name": "houses.xlsx"})
    assert done.status_code == 200 and done.context["result"].created == 3 and House.objects.count() == 3

    again = client.post(reverse("people_io:index"), {"kind": "houses", "file": SimpleUploadedFile(
        "houses.xlsx", workbook(good_rows(world), HEADERS))})
    assert len(again.context["skipped"]) == 3 and "多福巷2号" in again.content.decode()

    path = tmp_path / "more.xlsx"
    path.write_bytes(workbook([[world.grid_a.code, "多福巷20号", "住宅", "", "", "", "", ""]], HEADERS))
    out = io.StringIO()
    call_command("import_houses", str(path), "--user", "staff_a", stdout=out)
    assert House.objects.count() == 4 and "1" in out.getvalue()
