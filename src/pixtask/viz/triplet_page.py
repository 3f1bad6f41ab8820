"""A static HTML page of triplet records: input, instruction, output, and where each came from."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from pathlib import Path

from pixtask.core.atomic_write import write_bytes_atomic
from pixtask.core.image_io import encode_image

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;max-width:1100px}
.t{display:grid;grid-template-columns:140px 1fr 140px;gap:12px;align-items:center;
   border-bottom:1px solid #ddd;padding:8px 0}
.t img{width:128px;height:128px;object-fit:contain;background:#eee}
.meta{color:#666;font-size:12px}
.held{color:#a15c00}
"""


def _img(array) -> str:
    return f"<img src='data:image/png;base64,{base64.b64encode(encode_image(array)).decode()}'>"


def write_triplet_page(records: Iterable[dict], path: str | Path, title: str) -> Path:
    """Write the page for ``records`` (as :func:`pixtask.data.triplets.iter_triplets` yields them)."""
    rows = []
    for r in records:
        level = "" if r.get("level") is None else f" L{r['level']}"
        split = " <span class=held>held-out words</span>" if r.get("heldout") else ""
        rows.append(
            f"<div class=t>{_img(r['input'])}<div><p>{html.escape(r['instruction'])}</p>"
            f"<p class=meta>{html.escape(str(r['key']))} · {html.escape(str(r['task']))}{level} · "
            f"{html.escape(str(r['direction']))}{split} · {html.escape(str(r.get('photo', '')))} "
            f"({html.escape(str(r.get('licence', '')))})</p></div>{_img(r['output'])}</div>"
        )
    page = (
        f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title><style>{_STYLE}</style>"
        f"<h1>{html.escape(title)}</h1><p class=meta>{len(rows)} records: input, instruction, output.</p>"
        + "".join(rows)
    )
    return write_bytes_atomic(path, page.encode())
