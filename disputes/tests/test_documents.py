"""The mediation agreement (人民调解协议书) as .docx and .pdf: the parties (ID numbers masked), the
number, the terms, the committee."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from docx import Document

from disputes.actions import record_agreement
from disputes.documents import agreement_blocks, agreement_docx, agreement_pdf
from disputes.tests.conftest import PARTIES

pytestmark = pytest.mark.django_db

FULL_ID = PARTIES[0]["id_number"]


@pytest.fixture
def agreement(dw, new_dispute):
    dispute = new_dispute()
    return record_agreement(dispute, dw.users["staff_a"], matters="楼上卫生间漏水，楼下天花板受损。",
                            terms="李四负责修复防水层\n李四赔偿张三装修损失2000元", signed_on=date(2026, 11, 20),
                            mediators="王调解", performance="现金一次性支付", perform_by=date(2026, 12, 31))


def docx_text(data: bytes) -> str:
    document = Document(BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_blocks_follow_the_form(agreement):
    blocks = agreement_blocks(agreement)
    kinds = [kind for kind, _text in blocks]
    assert blocks[0] == ("title", "人民调解协议书")
    assert blocks[1] == ("number", "（2026）多福巷调字第1号")
    assert kinds.count("party") == 2 and kinds.count("signature") == 4
    texts = [text for _kind, text in blocks]
    assert "1. 李四负责修复防水层" in texts and "2. 李四赔偿张三装修损失2000元" in texts
    assert "履行期限：2026年12月31日前履行完毕。" in texts
    assert "本协议一式三份，当事人、人民调解委员会各持一份。" in texts
    assert blocks[-3:] == [("right", "多福巷社区人民调解委员会"), ("right", "（盖章）"), ("right", "2026年11月20日")]
    party = next(text for kind, text in blocks if kind == "party")
    assert party.startswith("申请人：张三") and "1101**********002X" in party and "138****1111" in party


def test_docx_has_parties_number_terms_committee_and_no_full_id(agreement):
    data = agreement_docx(agreement)
    assert data[:2] == b"PK"
    text = docx_text(data)
    for expected in ("人民调解协议书", "（2026）多福巷调字第1号", "张三", "李四", "李四负责修复防水层",
                     "多福巷社区人民调解委员会", "（盖章）", "2026年11月20日", "王调解", "记录人"):
        assert expected in text, expected
    assert FULL_ID not in text and "13800001111" not in text
    assert FULL_ID.encode() not in data


def test_pdf_is_a_pdf_without_the_full_id(agreement):
    data = agreement_pdf(agreement)
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert len(data) > 1000
    assert FULL_ID.encode() not in data


def test_a_single_term_is_not_numbered_and_a_numbered_one_keeps_its_numbers(dw, new_dispute):
    one = record_agreement(new_dispute(), dw.users["staff_a"], matters="争执", terms="互相谅解",
                           signed_on=date(2026, 11, 20))
    assert ("paragraph", "互相谅解") in agreement_blocks(one)
    two = record_agreement(new_dispute(), dw.users["staff_a"], matters="争执", terms="一、道歉\n二、赔偿",
                           signed_on=date(2026, 11, 20))
    texts = [text for _kind, text in agreement_blocks(two)]
    assert "一、道歉" in texts and "二、赔偿" in texts
    assert agreement_pdf(two).startswith(b"%PDF")


def test_the_record_handed_over_tells_the_course_and_the_route(dw, new_dispute):
    from io import BytesIO

    from django.utils import timezone
    from docx import Document

    from disputes import actions
    from disputes.documents import record_docx, record_pdf

    dispute = new_dispute("general")
    actions.record_session(dispute, dw.users["staff_a"], held_at=timezone.now(), minutes="双方各执一词",
                           attendees="张三、李四", result="failed")
    dispute.refresh_from_db()
    actions.end_unsettled(dispute, dw.users["mediator"], route="litigation", note="引导起诉")
    dispute.refresh_from_db()
    text = "\n".join(p.text for p in Document(BytesIO(record_docx(dispute))).paragraphs)
    assert "矛盾纠纷调解记录" in text and dispute.number in text
    assert "双方各执一词" in text and "由村（社区）层级上交乡镇（街道）层级" in text
    assert "通过诉讼途径解决" in text
    assert "张三" in text and "11010519491231002X" not in text
    assert record_pdf(dispute).startswith(b"%PDF")
