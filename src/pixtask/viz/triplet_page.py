"""A static HTML page of triplet records: input, instruction, output, and where each came from.

Every field is data (a shard may come from anywhere), so each one is HTML-escaped."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from pathlib import Path

from pixtask.core.atomic_write import write_bytes_atomic
from pixtask.core.image_io import encode_image
from pixtask.core.output_plan import plan_file
from pixtask.viz.page_mark import page_head, written_by

#: The page's first bytes: how `pixtask data show` recognises a page it wrote itself.
TOOL = "pixtask data show"
GENERATOR = page_head(TOOL)

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


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def is_triplet_page(path: str | Path) -> bool:
    """Whether ``path`` is a page that ``pixtask data show`` wrote."""
    return written_by(path, TOOL)


def write_triplet_page(
    records: Iterable[dict],
    path: str | Path,
    title: str,
    *,
    overwrite: bool = False,
    inputs: Sequence[str | Path] = (),
) -> Path:
    """Write the page for ``records`` (as :func:`pixtask.data.triplets.iter_triplets` yields them).

    ``path`` is checked before a record is read: an existing file is replaced only with
    ``overwrite``, and never one of ``inputs``."""
    path = plan_file(path, overwrite=overwrite, inputs=inputs)
    rows = []
    for r in records:
        level = "" if r.get("level") is None else f" L{_e(r['level'])}"
        split = " <span class=held>held-out words</span>" if r.get("heldout") else ""
        rows.append(
            f"<div class=t>{_img(r['input'])}<div><p>{_e(r['instruction'])}</p>"
            f"<p class=meta>{_e(r['key'])} · {_e(r['task'])}{level} · "
            f"{_e(r['direction'])}{split} · {_e(r.get('photo', ''))} "
            f"({_e(r.get('licence', ''))})</p></div>{_img(r['output'])}</div>"
        )
    page = (
        f"{GENERATOR}<title>{_e(title)}</title><style>{_STYLE}</style>"
        f"<h1>{_e(title)}</h1><p class=meta>{len(rows)} records: input, instruction, output.</p>" + "".join(rows)
    )
    return write_bytes_atomic(path, page.encode("utf-8", "backslashreplace"), overwrite=overwrite)
