"""Resident import (preview, all or nothing, duplicates, update) and the ledger export."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from openpyxl import Workbook, load_workbook

from accounts.models import Role
from core.privacy import id_check_character
from jiceng.testing import make_user
from people.io import PeopleImportError, commit, export_ledger, read_residents
from people.models import Move, Resident, SensitiveView, Tag

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "性别", "身份证号", "联系电话", "网格编码", "地址", "户号", "与户主关系", "是否户主", "流动人口",
           "标签"]


def id_number(serial: int, region: str = "110101", born: str = "19800517") -> str:
    first = f"{region}{born}{serial:03d}"
    return first + id_check_character(first)


def workbook(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_rows(world):
    grid = world.grid_a.code
    return [
        ["张伟", "男", id_number(11), "13800001111", grid, "多福巷1号楼2单元301", "H1", "本人", "是", "否", "独居老人"],
        ["李娜", "女", id_number(12), "", grid, "多福巷1号楼2单元301", "H1", "配偶", "否", "否", ""],
        ["王强", "", id_number(13, region="410102"), "13900002222", grid, "", "", "", "否", "是", ""],
    ]


@pytest.fixture
def tags(db):
    return Tag.objects.create(code="alone", name="独居老人")


def test_good_workbook_imports_with_encryption_moves_and_tags(world, tags):
    staff = world.users["staff_a"]
    preview = read_residents(workbook(good_rows(world)), "people.xlsx", staff)
    assert preview.errors == []
    assert len(preview.to_create) == 3
    result = commit(preview, staff)
    assert (result.created, result.updated, result.skipped) == (3, 0, 0)
    zhang = Resident.objects.get(name="张伟")
    assert zhang.id_number == id_number(11) and zhang.phone == "13800001111"
    assert zhang.path == world.grid_a.path and zhang.house.address.text == "多福巷1号楼2单元301"
    assert list(zhang.tags.values_list("code", flat=True)) == ["alone"]
    assert Resident.objects.get(name="李娜").house == zhang.house
    assert Resident.objects.get(name="王强").gender == "male" and Resident.objects.get(name="王强").is_floating
    assert Move.objects.filter(kind="in").count() == 3
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT id_number, phone FROM people_resident WHERE id = %s", [zhang.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert id_number(11) not in raw_id and "13800001111" not in raw_phone
    assert Resident.objects.filter(id_hash=zhang.id_hash).count() == 1


def test_bad_rows_are_all_reported_and_nothing_is_written(world, tags):
    grid = world.grid_a.code
    bad_check = id_number(21)[:-1] + ("0" if id_number(21)[-1] != "0" else "1")
    rows = [
        ["赵六", "男", bad_check, "", grid, "", "", "", "", "", ""],                  # row 2: check digit
        ["", "女", id_number(22), "", grid, "", "", "", "", "", ""],                  # row 3: no name
        ["钱七", "男", id_number(23), "", world.grid_b.code, "", "", "", "", "", ""],  # row 4: grid out of scope
        ["孙八", "男", id_number(24), "", grid, "", "", "", "", "", ""],
        ["周九", "男", id_number(24), "", grid, "", "", "", "", "", ""],              # row 6: same ID as row 5
    ]
    preview = read_residents(workbook(rows), "bad.xlsx", world.users["worker_a"])
    found = {(e.row, e.letter, e.column) for e in preview.errors}
    assert found == {(2, "C", "身份证号"), (3, "A", "姓名"), (4, "E", "网格编码"), (6, "C", "身份证号")}
    assert "check digit" in next(e.message for e in preview.errors if e.row == 2)
    assert "row 5" in next(e.message for e in preview.errors if e.row == 6)
    with pytest.raises(PeopleImportError):
        commit(preview, world.users["worker_a"])
    assert not Resident.objects.exists()


def test_existing_people_are_skipped_or_updated(world, tags, tmp_path):
    staff = world.users["staff_a"]
    commit(read_residents(workbook(good_rows(world)), "a.xlsx", staff), staff)
    rows = good_rows(world)
    rows[0][3] = "13700009999"
    rows.append(["吴十", "男", id_number(31), "", world.grid_a.code, "", "", "", "", "", ""])
    data = workbook(rows)
    preview = read_residents(data, "b.xlsx", staff)
    assert (len(preview.to_create), len(preview.to_skip), len(preview.to_update)) == (1, 3, 0)
    path = tmp_path / "b.xlsx"
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_residents", str(path), "--user", "staff_a", "--update", stdout=out)
    assert Resident.objects.count() == 4
    assert Resident.objects.get(name="张伟").phone == "13700009999"
    assert "1" in out.getvalue()


def test_ledger_masks_for_mediators_and_is_full_and_audited_for_staff(world, tags):
    staff = world.users["staff_a"]
    commit(read_residents(workbook(good_rows(world)), "a.xlsx", staff), staff)
    mediator = make_user("mediator_a", Role.MEDIATOR, [world.community_a])

    def cells(data):
        sheet = load_workbook(io.BytesIO(data)).active
        return [list(row) for row in sheet.iter_rows(values_only=True)]

    masked = cells(export_ledger(Resident.objects.all(), mediator))
    assert masked[0][:3] == ["姓名", "性别", "身份证号"]
    flat = str(masked)
    assert id_number(11) not in flat and "1101**********" in flat and "13800001111" not in flat
    assert not SensitiveView.objects.exists()

    full = cells(export_ledger(Resident.objects.filter(is_floating=False), staff))
    assert len(full) == 3 and id_number(11) in str(full) and "13800001111" in str(full)
    view = SensitiveView.objects.get()
    assert view.user == staff and view.model == "people.Resident" and view.fields == "id_number,phone"
    assert "2" in view.reason

    other = cells(export_ledger(Resident.objects.all(), world.users["staff_b"]))
    assert len(other) == 1  # out of scope: only the header


def test_pages_upload_preview_confirm_and_scoped_ledger(client, world, tags, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(world.users["worker_a"])
    page = client.get(reverse("people_io:index"))
    assert page.status_code == 200
    template = client.get(reverse("people_io:download", args=["template"]))
    assert template["Content-Type"].startswith("application/vnd.openxml")
    assert client.get(reverse("people_io:download", args=["other"])).status_code == 404

    upload = SimpleUploadedFile("people.xlsx", workbook(good_rows(world)))
    preview = client.post(reverse("people_io:index"), {"file": upload})
    assert preview.status_code == 200 and not Resident.objects.exists()
    token = preview.context["token"]
    assert len(preview.context["preview"].to_create) == 3
    client.force_login(world.users["staff_b"])  # another user cannot confirm someone else's upload
    assert client.post(reverse("people_io:confirm"), {"token": token, "update": "0"}).status_code == 404
    client.force_login(world.users["worker_a"])
    done = client.post(reverse("people_io:confirm"), {"token": token, "update": "0", "file_name": "people.xlsx"})
    assert done.status_code == 200 and done.context["result"].created == 3
    assert Resident.objects.count() == 3 and not list(tmp_path.glob("imports/*.xlsx"))

    bad = client.post(reverse("people_io:index"), {"file": SimpleUploadedFile("bad.xlsx", workbook(
        [["", "男", "123", "", world.grid_a.code, "", "", "", "", "", ""]]))})
    assert not bad.context["preview"].ok and "Import now" not in bad.content.decode()

    ledger = client.get(reverse("people_io:download", args=["ledger"]), {"floating": "1"})
    rows = list(load_workbook(io.BytesIO(ledger.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "王强"
    ledger_url = reverse("people_io:download", args=["ledger"])
    assert client.get(ledger_url, {"place": world.community_b.code}).status_code == 404
    Resident.objects.create(grid=world.grid_b, name="银闸居民", id_number=id_number(51))
    rows = list(load_workbook(io.BytesIO(client.get(ledger_url).content)).active.iter_rows(values_only=True))
    assert len(rows) == 4 and "银闸居民" not in str(rows)
    client.force_login(world.users["resident_a"])
    assert client.get(reverse("people_io:index")).status_code == 403


def test_an_address_code_of_another_community_is_refused(world, tags):
    from people.models import Address

    Address.objects.create(grid=world.grid_b, code="B-ADDR-1", text="银闸1号")
    rows = [["张伟", "男", id_number(41), "", world.grid_a.code, "B-ADDR-1", "", "", "", "", ""]]
    preview = read_residents(workbook(rows), "x.xlsx", world.users["staff_a"])
    assert [(e.row, e.letter) for e in preview.errors] == [(2, "F")]
