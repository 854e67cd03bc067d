"""12345 hotline work orders: the import (CSV, GBK CSV, Excel), all or nothing with every error by row
and column, duplicates skipped; the hotline page and the management command."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from cases.hotline import HotlineImportError, import_hotline
from cases.models import Case, Source, Status

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
HEADER = "工单编号,来电时间,诉求分类,标题,诉求内容,地址,经度,纬度,网格编码,来电人,来电号码,紧急程度"
# Grid A is the square 116.40–116.41 E, 39.90–39.91 N; grid B the one east of it.
GOOD_ROWS = [
    "GD20260506001,2026-05-06 09:30,暴露垃圾,小区门口垃圾,东门外垃圾两天没人清运,多福巷1号,116.405,39.905,,"
    "张先生,13812345678,一般",
    "GD20260506002,2026/5/6 10:05,0201,,井盖松动有异响\n夜里车压过去很响,银闸胡同,,,110101001002001,"
    "李女士,010-6512 3456,紧急",
]


def csv_bytes(*rows, header=HEADER, encoding="utf-8-sig"):
    lines = [header, *rows]
    text = ""
    for line in lines:
        cells = [f'"{c}"' if "\n" in c else c for c in line.split(",")]
        text += ",".join(cells) + "\r\n"
    return text.encode(encoding)


def xlsx_bytes(header, *rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_of(caught):
    return [(e.row, e.field, e.letter) for e in caught.value.errors]


def test_a_good_csv_becomes_registered_hotline_cases(cw):
    result = import_hotline(csv_bytes(*GOOD_ROWS), cw.users["dispatcher"], "orders.csv")
    assert len(result.created) == 2 and result.skipped == []
    first = Case.objects.get(external_id="GD20260506001")
    assert first.source == Source.HOTLINE and first.status == Status.REGISTERED
    assert first.client_id == "hotline:GD20260506001"
    assert first.category == cw.litter and first.grid == cw.grid_a
    assert first.reported_at == datetime(2026, 5, 6, 9, 30, tzinfo=SH)
    assert first.reporter_name == "张先生" and first.reporter_phone == "13812345678"
    assert first.title == "小区门口垃圾" and first.urgency == "normal"
    assert [e.action for e in first.events.all()] == ["report", "register"]
    second = Case.objects.get(external_id="GD20260506002")
    assert second.category == cw.manhole and second.grid == cw.grid_b and second.urgency == "urgent"
    assert second.description == "井盖松动有异响\n夜里车压过去很响"
    assert second.title == "井盖松动有异响"  # the first line when no title is given
    assert second.number in result.created


def test_a_gbk_csv_from_chinese_excel_is_read(cw):
    data = csv_bytes(*GOOD_ROWS, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = import_hotline(data, cw.users["dispatcher"], "工单.csv")
    assert len(result.created) == 2
    assert Case.objects.get(external_id="GD20260506001").reporter_name == "张先生"


def test_an_excel_file_with_english_headers_and_date_cells(cw):
    data = xlsx_bytes(
        ["external_id", "reported_at", "category", "description", "longitude", "latitude", "urgency", "Notes"],
        ["X-1", datetime(2026, 5, 7, 14, 0), "0101", "路灯不亮", 116.401, 39.901, "urgent", "ignored"],
        [20260507002, "2026年5月7日 15:20", "井盖破损", "井盖缺失", 116.415, 39.905, None, None],
    )
    result = import_hotline(data, cw.users["dispatcher"], "orders.xlsx")
    assert len(result.created) == 2
    assert Case.objects.get(external_id="X-1").reported_at == datetime(2026, 5, 7, 14, 0, tzinfo=SH)
    # A number cell comes back as its digits, not "20260507002.0".
    assert Case.objects.get(external_id="20260507002").grid == cw.grid_b


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_written(cw):
    rows = [
        GOOD_ROWS[0],                                                            # row 2: fine
        ",2026-05-06 09:30,暴露垃圾,,内容,,116.405,39.905,,,,",                   # 3: no number
        "GD3,yesterday,暴露垃圾,,内容,,116.405,39.905,,,,",                        # 4: bad time
        "GD4,2026-05-06 09:30,不存在的类别,,内容,,116.405,39.905,,,,",              # 5: unknown category
        "GD5,2026-05-06 09:30,市容环境,,内容,,116.405,39.905,,,,",                  # 6: a major class
        "GD6,2026-05-06 09:30,暴露垃圾,,内容,,100.0,30.0,,,,",                     # 7: outside every grid
        "GD7,2026-05-06 09:30,暴露垃圾,,内容,,,,999999,,,",                        # 8: unknown grid
        "GD8,2026-05-06 09:30,暴露垃圾,,内容,,116.405,39.905,,,abc,马上",            # 9: phone, urgency
        "GD20260506001,2026-05-06 09:30,暴露垃圾,,内容,,116.405,39.905,,,,",        # 10: repeats row 2
        "GD10,2099-01-01 08:00,暴露垃圾,,,,116.405,91,,,,",                        # 11: future, no text, lat
    ]
    with pytest.raises(HotlineImportError) as caught:
        import_hotline(csv_bytes(*rows), cw.users["dispatcher"], "bad.csv")
    assert errors_of(caught) == [
        (3, "external_id", "A"),
        (4, "reported_at", "B"),
        (5, "category", "C"),
        (6, "category", "C"),
        (7, "longitude", "G"),
        (8, "grid", "I"),
        (9, "reporter_phone", "K"),
        (9, "urgency", "L"),
        (10, "external_id", "A"),
        (11, "reported_at", "B"),
        (11, "description", "E"),
        (11, "latitude", "H"),
    ]
    messages = {(e.row, e.field): e.message for e in caught.value.errors}
    assert "first in row 2" in messages[(10, "external_id")]
    assert "outside every grid" in messages[(7, "longitude")]
    assert "major class" in messages[(6, "category")]
    assert caught.value.errors[1].column == "来电时间"
    assert "Row 4, column B (来电时间)" in str(caught.value)
    assert not Case.objects.exists()


def test_missing_columns_are_reported_on_row_1(cw):
    with pytest.raises(HotlineImportError) as caught:
        import_hotline(csv_bytes("1,x", header="标题,地址"), cw.users["dispatcher"], "x.csv")
    fields = [(e.row, e.field) for e in caught.value.errors]
    assert fields == [(1, "external_id"), (1, "reported_at"), (1, "category"), (1, "description"), (1, "grid")]


def test_a_place_outside_the_dispatchers_scope_rejects_the_whole_file(cw):
    with pytest.raises(HotlineImportError) as caught:
        import_hotline(csv_bytes(*GOOD_ROWS), cw.users["dispatcher_b"], "orders.csv")
    # Row 2 lies in grid A (community A); dispatcher_b serves community B only. Row 3 (grid B) is fine.
    assert errors_of(caught) == [(2, "longitude", "G")]
    assert not Case.objects.exists()


def test_a_failure_while_writing_leaves_nothing_half_imported(cw, monkeypatch):
    from cases import hotline
    from cases.actions import CaseError

    real = hotline.report_case
    calls = []

    def second_fails(**kwargs):
        calls.append(kwargs["external_id"])
        if len(calls) == 2:
            raise CaseError("This category is no longer in use.", field="category")
        return real(**kwargs)

    monkeypatch.setattr(hotline, "report_case", second_fails)
    with pytest.raises(HotlineImportError) as caught:
        import_hotline(csv_bytes(*GOOD_ROWS), cw.users["dispatcher"], "orders.csv")
    assert errors_of(caught) == [(3, "category", "C")]
    assert not Case.objects.exists()


def test_work_orders_imported_before_are_skipped_not_duplicated(cw):
    first = import_hotline(csv_bytes(*GOOD_ROWS), cw.users["dispatcher"], "monday.csv")
    new = "GD20260506003,2026-05-06 11:00,暴露垃圾,,又有垃圾,,116.405,39.905,,,,"
    again = import_hotline(csv_bytes(*GOOD_ROWS, new), cw.users["dispatcher"], "monday-again.csv")
    assert len(again.created) == 1
    assert [(s.row, s.external_id, s.number) for s in again.skipped] == [
        (2, "GD20260506001", first.created[0]), (3, "GD20260506002", first.created[1])]
    assert Case.objects.count() == 3
    assert Case.objects.filter(external_id="GD20260506001").count() == 1


def test_only_dispatchers_import(cw):
    with pytest.raises(HotlineImportError, match="Only dispatchers"):
        import_hotline(csv_bytes(*GOOD_ROWS), cw.users["staff_a"], "orders.csv")
    assert not Case.objects.exists()


def test_files_that_are_not_tables_are_refused(cw):
    for data, name in ((b"", "x.csv"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old.xls"),
                       (b"PK\x03\x04broken", "x.xlsx"), (csv_bytes(), "header-only.csv")):
        with pytest.raises(HotlineImportError) as caught:
            import_hotline(data, cw.users["dispatcher"], name)
        assert caught.value.errors[0].row == 0, name


# --- The page -----------------------------------------------------------------------------------
def signed_in(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_hotline_page_is_for_dispatchers(client, cw):
    assert signed_in(client, cw.users["staff_a"]).get("/hotline/").status_code == 403
    html = signed_in(client, cw.users["dispatcher"]).get("/hotline/").content.decode()
    assert "Enter a call" in html and "Import work orders" in html and 'href="/hotline/template.xlsx"' in html


def test_the_template_has_the_headers(client, cw):
    response = signed_in(client, cw.users["dispatcher"]).get("/hotline/template.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["工单编号", "来电时间", "诉求分类", "标题", "诉求内容"] and "紧急程度" in header


def test_uploading_a_good_file_shows_the_count(client, cw):
    upload = SimpleUploadedFile("orders.csv", csv_bytes(*GOOD_ROWS), content_type="text/csv")
    response = signed_in(client, cw.users["dispatcher"]).post("/hotline/", {"form": "import", "file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<span class=\"figure-value\" data-created>2</span>" in html
    assert Case.objects.filter(source=Source.HOTLINE).count() == 2


def test_uploading_a_bad_file_shows_the_errors_table(client, cw):
    bad = GOOD_ROWS[0].replace("2026-05-06 09:30", "never")
    upload = SimpleUploadedFile("bad.csv", csv_bytes(bad, GOOD_ROWS[1]), content_type="text/csv")
    response = signed_in(client, cw.users["dispatcher"]).post("/hotline/", {"form": "import", "file": upload})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported from bad.csv" in html and "来电时间" in html and "never" in html
    assert not Case.objects.exists()


def call_data(cw, **extra):
    return {"form": "call", "token": "a" * 32, "reported_at": "2026-05-06T09:30", "category": cw.litter.pk,
            "urgency": "normal", "description": "来电反映路边垃圾", "grid": cw.grid_a.pk,
            "reporter_name": "王先生", "reporter_phone": "13900001111", "external_id": "", **extra}


def test_entering_a_call_registers_a_case_once(client, cw):
    signed_in(client, cw.users["dispatcher"])
    response = client.post("/hotline/", call_data(cw))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.status == Status.REGISTERED and case.source == Source.HOTLINE and case.grid == cw.grid_a
    assert case.reported_at == datetime(2026, 5, 6, 9, 30, tzinfo=SH)
    # A double click sends the same form (same token) again: still one case.
    client.post("/hotline/", call_data(cw))
    assert Case.objects.count() == 1


def test_a_call_by_coordinates_and_a_known_work_order_number(client, cw):
    signed_in(client, cw.users["dispatcher"])
    client.post("/hotline/", call_data(cw, grid="", longitude="116.415", latitude="39.905", external_id="GD-9"))
    assert Case.objects.get().grid == cw.grid_b
    response = client.post("/hotline/", call_data(cw, token="b" * 32, external_id="GD-9"))
    assert response.status_code == 400 and "already registered" in response.content.decode()
    assert Case.objects.count() == 1


def test_a_call_outside_the_dispatchers_scope_is_refused(client, cw):
    signed_in(client, cw.users["dispatcher_b"])
    response = client.post("/hotline/", call_data(cw, grid="", longitude="116.405", latitude="39.905"))
    assert response.status_code == 400 and "outside your data scope" in response.content.decode()
    response = client.post("/hotline/", call_data(cw))  # grid A is not among dispatcher_b's grids
    assert response.status_code == 400
    assert not Case.objects.exists()


# --- The command --------------------------------------------------------------------------------
def test_the_command_imports_a_file(cw, tmp_path, capsys):
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes(*GOOD_ROWS))
    call_command("import_hotline", str(path), "--user", "dispatcher")
    assert "created=2 skipped=0" in capsys.readouterr().out
    call_command("import_hotline", str(path), "--user", "dispatcher")
    assert "created=0 skipped=2" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(GOOD_ROWS[0].replace("暴露垃圾", "无此类别").replace("GD20260506001", "NEW")))
    with pytest.raises(CommandError, match="Row 2, column C"):
        call_command("import_hotline", str(bad), "--user", "dispatcher")
    assert Case.objects.count() == 2
