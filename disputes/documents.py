"""The mediation agreement (人民调解协议书) and the dispute record handed over when mediation fails
(矛盾纠纷调解记录), each as a Word document and as a PDF.

Each comes from one content model (``agreement_blocks``, ``record_blocks``): a list of ``(kind, text)``
blocks that each renderer (``render_docx``, ``render_pdf``) lays out in its own way. Parties appear
with their masked ID number and phone only: a document leaves the system, the full numbers never do.
"""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO
from xml.sax.saxutils import escape

from core.pdf import chinese_body_style

from .models import Agreement, PartyKind, PartySide

# The wording of the statutory form (人民调解协议书, the Ministry of Justice's model text). These are
# the document's fixed labels, not UI strings: the document is Chinese whatever the interface
# language, so they are deliberately not translated.
LABELS = {
    "title": "人民调解协议书",
    "side": {PartySide.APPLICANT: "申请人", PartySide.RESPONDENT: "被申请人", PartySide.THIRD: "当事人"},
    "unit_name": "名称",
    "id_number": "身份证号码",
    "address": "住址",
    "phone": "联系电话",
    "matters": "纠纷主要事实、争议事项：",
    "terms": "经调解，自愿达成如下协议：",
    "performance": "履行方式、时限：",
    "perform_by": "履行期限：{date}前履行完毕。",
    "copies": "本协议一式三份，当事人、人民调解委员会各持一份。",
    "party_sign": "{side}（签名、盖章或按指印）：",
    "mediators": "人民调解员（签名）：",
    "recorder": "记录人（签名）：",
    "seal": "（盖章）",
    "date": "{year}年{month}月{day}日",
    # The dispute record handed over with the parties (调解记录 / 移交).
    "record_title": "矛盾纠纷调解记录",
    "record_facts": "纠纷简要情况：",
    "record_course": "调解经过：",
    "record_session": "{at}，{tier}层级调解（{result}）：{minutes}",
    "record_escalation": "{at}，由{from_tier}层级上交{to_tier}层级：{note}",
    "record_result": "处理结果：",
    "record_failed": "经调解未能达成协议，已引导当事人通过{route}途径解决，本记录随案移交。",
    "record_agreed": "经调解达成协议，协议编号{number}。",
    "record_other": "当前状态：{status}。",
    "tiers": {"grid": "网格", "community": "村（社区）", "street": "乡镇（街道）", "county": "县（区）"},
    "results": {"continue": "继续调解", "agreed": "达成协议", "failed": "未达成协议"},
    "routes": {"litigation": "诉讼", "arbitration": "仲裁", "petition": "信访", "administrative": "行政处理",
               "other": "其他"},
    "statuses": {"accepted": "已受理", "mediating": "调解中", "agreed": "调解成功", "failed": "调解不成",
                 "withdrawn": "已撤回", "closed": "已结案"},
}

# Block kinds: title, number (top right), party, heading, paragraph, signature (a label with a line to
# sign on, and an optional printed name), right (right-aligned: committee, seal, date).
Block = tuple[str, str]
SIGNATURE_SEPARATOR = "\t"  # a signature block is "label\tprinted name"
_NUMBERED = re.compile(r"^\s*(\d+[.、．)）]|[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）)")


def chinese_date(day: date | None) -> str:
    return LABELS["date"].format(year=day.year, month=day.month, day=day.day) if day else ""


def _party_text(party) -> str:
    side = LABELS["side"].get(party.side, LABELS["side"][PartySide.THIRD])
    label = f"{side}（{LABELS['unit_name']}）" if party.kind == PartyKind.UNIT else side
    parts = [f"{label}：{party.name}"]
    if party.masked_id_number:
        parts.append(f"{LABELS['id_number']}：{party.masked_id_number}")
    if party.address:
        parts.append(f"{LABELS['address']}：{party.address}")
    if party.masked_phone:
        parts.append(f"{LABELS['phone']}：{party.masked_phone}")
    return "，".join(parts)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _numbered(text: str) -> list[str]:
    """The terms, one paragraph each, numbered when there are several (kept if already numbered)."""
    lines = _lines(text)
    if len(lines) < 2:
        return lines
    return [line if _NUMBERED.match(line) else f"{n}. {line}" for n, line in enumerate(lines, 1)]


def agreement_blocks(agreement: Agreement) -> list[Block]:
    """The content of the agreement, in reading order, for any renderer."""
    parties = list(agreement.dispute.parties.all())
    blocks: list[Block] = [("title", LABELS["title"]), ("number", agreement.number)]
    blocks += [("party", _party_text(party)) for party in parties]
    blocks.append(("heading", LABELS["matters"]))
    blocks += [("paragraph", line) for line in _lines(agreement.matters)]
    blocks.append(("heading", LABELS["terms"]))
    blocks += [("paragraph", line) for line in _numbered(agreement.terms)]
    blocks.append(("heading", LABELS["performance"]))
    blocks += [("paragraph", line) for line in _lines(agreement.performance)]
    if agreement.perform_by:
        blocks.append(("paragraph", LABELS["perform_by"].format(date=chinese_date(agreement.perform_by))))
    blocks.append(("paragraph", LABELS["copies"]))
    for party in parties:
        side = LABELS["side"].get(party.side, LABELS["side"][PartySide.THIRD])
        blocks.append(("signature", LABELS["party_sign"].format(side=side) + SIGNATURE_SEPARATOR + party.name))
    blocks.append(("signature", LABELS["mediators"] + SIGNATURE_SEPARATOR + agreement.mediators))
    blocks.append(("signature", LABELS["recorder"] + SIGNATURE_SEPARATOR))
    blocks += [("right", agreement.committee.name), ("right", LABELS["seal"]),
               ("right", chinese_date(agreement.signed_on))]
    return blocks


def record_blocks(dispute) -> list[Block]:
    """The record of a dispute's mediation, handed over with the parties when they are guided to a
    court, arbitration or a petition office (or kept when it settled)."""
    tiers, results = LABELS["tiers"], LABELS["results"]
    blocks: list[Block] = [("title", LABELS["record_title"]), ("number", dispute.number)]
    blocks += [("party", _party_text(party)) for party in dispute.parties.all()]
    blocks.append(("heading", LABELS["record_facts"]))
    blocks += [("paragraph", line) for line in _lines(dispute.description)]
    blocks.append(("heading", LABELS["record_course"]))
    steps = [(s.held_at, LABELS["record_session"].format(
        at=s.held_at.strftime("%Y-%m-%d %H:%M"), tier=tiers.get(s.tier, s.tier), result=results.get(s.result, ""),
        minutes=" ".join(_lines(s.minutes)))) for s in dispute.sessions.all()]
    steps += [(e.at, LABELS["record_escalation"].format(
        at=e.at.strftime("%Y-%m-%d %H:%M"), from_tier=tiers.get(e.from_tier, e.from_tier),
        to_tier=tiers.get(e.to_tier, e.to_tier), note=e.note)) for e in dispute.events.filter(action="escalate")]
    blocks += [("paragraph", text) for _at, text in sorted(steps, key=lambda step: step[0])]
    blocks.append(("heading", LABELS["record_result"]))
    agreement = getattr(dispute, "agreement", None) if dispute.status in ("agreed", "closed") else None
    if dispute.status == "failed":
        result = LABELS["record_failed"].format(route=LABELS["routes"].get(dispute.route, dispute.route))
    elif agreement is not None:
        result = LABELS["record_agreed"].format(number=agreement.number)
    else:
        result = LABELS["record_other"].format(status=LABELS["statuses"].get(dispute.status, dispute.status))
    blocks.append(("paragraph", result))
    blocks.append(("signature", LABELS["mediators"] + SIGNATURE_SEPARATOR
                   + getattr(dispute.mediator, "display_name", "")))
    if dispute.committee_id:
        blocks += [("right", dispute.committee.name), ("right", LABELS["seal"])]
    blocks.append(("right", chinese_date(dispute.ended_on or dispute.received_on)))
    return blocks


def _grouped(blocks: list[Block]):
    """The blocks with consecutive signature blocks gathered into one ``("signatures", rows)`` item
    (both renderers lay them out as a table)."""
    rows: list[list[str]] = []
    for kind, text in blocks:
        if kind == "signature":
            rows.append(text.split(SIGNATURE_SEPARATOR, 1))
            continue
        if rows:
            yield "signatures", rows
            rows = []
        yield kind, text
    if rows:
        yield "signatures", rows


# --- Word ---------------------------------------------------------------------------------------
def agreement_docx(agreement: Agreement) -> bytes:
    return render_docx(agreement_blocks(agreement))


def record_docx(dispute) -> bytes:
    return render_docx(record_blocks(dispute))


def render_docx(blocks: list[Block]) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    for section in document.sections:
        section.left_margin = section.right_margin = Cm(2.6)

    def paragraph(text: str, *, align=None, bold=False, size=None, indent=False):
        para = document.add_paragraph()
        run = para.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if align is not None:
            para.alignment = align
        if indent:
            para.paragraph_format.first_line_indent = Pt(24)
        return para

    for kind, content in _grouped(blocks):
        if kind == "title":
            paragraph(content, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=20)
        elif kind in ("number", "right"):
            paragraph(content, align=WD_ALIGN_PARAGRAPH.RIGHT)
        elif kind == "heading":
            paragraph(content, bold=True)
        elif kind == "party":
            paragraph(content)
        elif kind == "paragraph":
            paragraph(content, indent=True)
        elif kind == "signatures":
            table = document.add_table(rows=0, cols=2)
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for label, name in content:
                cells = table.add_row().cells
                cells[0].text = label
                cells[1].text = f"{name}  ______________" if name else "______________"
    out = BytesIO()
    document.save(out)
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------------


def agreement_pdf(agreement: Agreement) -> bytes:
    return render_pdf(agreement_blocks(agreement), author=agreement.committee.name)


def record_pdf(dispute) -> bytes:
    return render_pdf(record_blocks(dispute), author=dispute.committee.name if dispute.committee_id else "")


def render_pdf(blocks: list[Block], *, author: str = "") -> bytes:
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    body = chinese_body_style(fontSize=12, leading=20)
    styles = {
        "title": ParagraphStyle("title", parent=body, fontSize=20, leading=30, alignment=TA_CENTER, spaceAfter=12),
        "number": ParagraphStyle("number", parent=body, alignment=TA_RIGHT, spaceAfter=8),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
        "heading": ParagraphStyle("heading", parent=body, spaceBefore=8),
        "party": body,
        "paragraph": ParagraphStyle("paragraph", parent=body, firstLineIndent=24),
    }
    story = []
    for kind, content in _grouped(blocks):
        if kind == "signatures":
            rows = [[Paragraph(escape(label), body), Paragraph(escape(name or ""), body)] for label, name in content]
            table = Table(rows, colWidths=[7 * cm, 8 * cm])
            table.setStyle(TableStyle([("LINEBELOW", (1, 0), (1, -1), 0.5, "black"),
                                       ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                       ("TOPPADDING", (0, 0), (-1, -1), 10)]))
            story += [Spacer(1, 12), table, Spacer(1, 18)]
        else:
            story.append(Paragraph(escape(content), styles[kind]))
    out = BytesIO()
    template = SimpleDocTemplate(out, pagesize=A4, leftMargin=2.6 * cm, rightMargin=2.6 * cm, topMargin=2.5 * cm,
                                 bottomMargin=2.5 * cm, title=blocks[0][1], author=author)
    template.build(story)
    return out.getvalue()
