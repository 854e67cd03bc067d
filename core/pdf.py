"""PDF documents: the one Chinese font every generated PDF uses."""

# A CID font every PDF reader has: Chinese renders without font files on the server or in the PDF.
PDF_FONT = "STSong-Light"


def chinese_body_style(**options):
    """The font registered with reportlab (once per process) and a CJK-wrapping paragraph style in it."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    return ParagraphStyle("body", fontName=PDF_FONT, wordWrap="CJK", **options)
