"""Labelled image grids (Pillow), deterministic so they can live in reproducible outputs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pixtask.core.image_io import to_uint8

_LABEL_H = 18
_PAD = 4


def _font(size: int = 12) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def image_grid(
    rows: Sequence[Sequence[np.ndarray]],
    *,
    col_labels: Sequence[str] | None = None,
    row_labels: Sequence[str] | None = None,
    tile: int | None = None,
) -> np.ndarray:
    """Arrange images (float RGB in [0, 1]) in a labelled grid; returns a float RGB image.

    ``tile`` resizes every image to that height (keeping its aspect ratio) before placing it.
    """
    if not rows or not rows[0]:
        raise ValueError("image_grid needs at least one image")
    pil_rows = []
    for row in rows:
        pils = []
        for img in row:
            p = Image.fromarray(to_uint8(img))
            if tile is not None and p.height != tile:
                p = p.resize((max(1, round(p.width * tile / p.height)), tile), Image.Resampling.LANCZOS)
            pils.append(p)
        pil_rows.append(pils)
    n_cols = max(len(r) for r in pil_rows)
    col_w = [max((r[c].width for r in pil_rows if c < len(r)), default=0) for c in range(n_cols)]
    row_h = [max(p.height for p in r) for r in pil_rows]
    font = _font()
    left = 0
    if row_labels:
        left = (
            max(int(ImageDraw.Draw(Image.new("RGB", (1, 1))).textlength(s, font=font)) for s in row_labels) + 2 * _PAD
        )
    top = _LABEL_H if col_labels else 0
    width = left + sum(col_w) + _PAD * (n_cols + 1)
    height = top + sum(row_h) + _PAD * (len(pil_rows) + 1)
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    if col_labels:
        x = left + _PAD
        for c, label in enumerate(col_labels[:n_cols]):
            draw.text((x, 2), label, fill=(0, 0, 0), font=font)
            x += col_w[c] + _PAD
    y = top + _PAD
    for r, pils in enumerate(pil_rows):
        if row_labels:
            draw.text((_PAD, y + row_h[r] // 2 - 6), row_labels[r], fill=(0, 0, 0), font=font)
        x = left + _PAD
        for c, p in enumerate(pils):
            canvas.paste(p, (x, y))
            x += col_w[c] + _PAD
        y += row_h[r] + _PAD
    return np.asarray(canvas, dtype=np.float32) / 255.0
