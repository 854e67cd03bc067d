"""A photo-like JPEG for the benchmarks that report with a photo (load.py's Locust scenario, request_cpu.py)."""

from __future__ import annotations

import io


def make_photo(side: int) -> bytes:
    """A photo-like JPEG (smooth colours and sensor noise) of ``side`` x 3/4 ``side`` pixels."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(2026)
    width, height = side, side * 3 // 4
    x = np.linspace(0, 255, width)[None, :, None]
    y = np.linspace(0, 255, height)[:, None, None]
    pixels = (x * np.array([0.7, 0.5, 0.3]) + y * np.array([0.2, 0.4, 0.6]) + rng.normal(0, 12, (height, width, 3)))
    out = io.BytesIO()
    Image.fromarray(pixels.clip(0, 255).astype("uint8")).save(out, "JPEG", quality=85)
    return out.getvalue()
