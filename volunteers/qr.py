"""The check-in QR code, drawn as inline SVG by ``segno`` (pure Python)."""

from __future__ import annotations

import segno
from django.utils.safestring import mark_safe


def qr_svg(text: str, scale: int = 8) -> str:
    """An ``<svg>`` element (no XML declaration) encoding ``text``, for inlining into a page."""
    code = segno.make(text, error="m", micro=False)
    return mark_safe(code.svg_inline(scale=scale, border=2, dark="#111", light="#fff"))  # noqa: S308 - segno's own markup
