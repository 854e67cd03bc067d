"""A report's content (``content.build_report``) as an Excel workbook and as a PDF.

``to_xlsx``: one sheet, the title and period on top, then each section's heading and its tables as
headed blocks (bold header row, column widths, counts as integers, shares as percentages).
``to_pdf``: reportlab platypus with the built-in CID font STSong-Light (renders Chinese without any
system font, like ``disputes.documents``), one table per block.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from core.pdf import PDF_FONT, chinese_body_style

from .content import format_value, table_rows

NUMBER_FORMATS = {"int": "0", "pct": "0.0%", "change": "+0.0%;-0.0%;0.0%", "float": "0.0"}


def _excel_text(value: str) -> str:
    """Text that Excel never reads as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def to_xlsx(report: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "报表"
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DCE6F2")
    widths: dict[int, int] = {}

    def width(col: int, text: str) -> None:
        size = sum(2 if ord(ch) > 127 else 1 for ch in text) + 2
        widths[col] = max(widths.get(col, 8), min(size, 60))

    sheet.cell(row=1, column=1, value=report["title"]).font = Font(bold=True, size=16)
    period = report["period"]
    sheet.cell(row=2, column=1, value=f"统计周期：{period['start']} 至 {period['end']}（{period['label']}）")
    sheet.cell(row=3, column=1, value=f"对比周期：{report['previous']['label']}　生成时间：{report['generated_at']}")
    row = 5
    for section in report["sections"]:
        sheet.cell(row=row, column=1, value=section["heading"]).font = Font(bold=True, size=13)
        row += 1
        for table in section["tables"]:
            sheet.cell(row=row, column=1, value=table["title"]).font = Font(bold=True)
            row += 1
            for col, column in enumerate(table["columns"], 1):
                cell = sheet.cell(row=row, column=col, value=column["label"])
                cell.font, cell.fill, cell.border = Font(bold=True), head_fill, border
                cell.alignment = Alignment(horizontal="center")
                width(col, column["label"])
            row += 1
            if not table["rows"]:
                sheet.cell(row=row, column=1, value="（无）")
                row += 1
            for values in table_rows(table):
                for col, (value, fmt) in enumerate(values, 1):
                    if fmt == "text":
                        value = _excel_text(str(value)) if value is not None else ""
                        width(col, value)
                    cell = sheet.cell(row=row, column=col, value=value)
                    cell.border = border
                    if fmt in NUMBER_FORMATS and value is not None:
                        cell.number_format = NUMBER_FORMATS[fmt]
                        cell.alignment = Alignment(horizontal="right")
                    elif value is None:
                        cell.value = "—"
                        cell.alignment = Alignment(horizontal="right")
                row += 1
            row += 1
    for col, size in widths.items():
        sheet.column_dimensions[get_column_letter(col)].width = size
    sheet.column_dimensions["A"].width = max(widths.get(1, 8), 24)
    book.properties.title = report["title"]
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(report: dict) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    body = chinese_body_style(fontSize=10, leading=14)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=6)
    subtitle = ParagraphStyle("subtitle", parent=body, alignment=TA_CENTER, spaceAfter=10)
    heading = ParagraphStyle("heading", parent=body, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4)
    caption = ParagraphStyle("caption", parent=body, fontSize=10.5, leading=15, spaceBefore=4, spaceAfter=3)
    cell_style = ParagraphStyle("cell", parent=body, fontSize=9, leading=12)

    period = report["period"]
    line = f"统计周期：{period['start']} 至 {period['end']}　对比周期：{report['previous']['label']}"
    story = [Paragraph(escape(report["title"]), title), Paragraph(escape(line), subtitle)]
    usable = A4[0] - 4 * cm
    for section in report["sections"]:
        story.append(Paragraph(escape(section["heading"]), heading))
        for table in section["tables"]:
            columns = table["columns"]
            data = [[Paragraph(escape(column["label"]), cell_style) for column in columns]]
            for values in table_rows(table):
                data.append([Paragraph(escape(str(value)), cell_style) if fmt == "text" and value is not None
                             else format_value(value, fmt) for value, fmt in values])
            if len(data) == 1:
                data.append(["（无）"] + [""] * (len(columns) - 1))
            first = min(usable * 0.34, 6 * cm) if len(columns) > 2 else usable * 0.6
            rest = (usable - first) / max(1, len(columns) - 1)
            grid = Table(data, colWidths=[first] + [rest] * (len(columns) - 1), repeatRows=1)
            grid.setStyle(TableStyle([
                ("FONTNAME", (0, 0), (-1, -1), PDF_FONT), ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE6F2")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]))
            story.append(KeepTogether([Paragraph(escape(table["title"]), caption), grid]))
            story.append(Spacer(1, 4))
    out = BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                                 bottomMargin=2 * cm, title=report["title"], author="Jiceng")
    document.build(story)
    return out.getvalue()
