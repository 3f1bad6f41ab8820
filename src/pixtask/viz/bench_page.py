"""A static HTML page showing a benchmark's samples: per task and level, the query pairs and
the first prompt pairs, with parameters on hover."""

from __future__ import annotations

import html
import json
from collections import defaultdict
from pathlib import Path

from pixtask.core.atomic_write import write_bytes_atomic
from pixtask.core.output_plan import plan_file
from pixtask.data.benchmark import load_manifest
from pixtask.viz.page_mark import page_head, written_by

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
h2{margin-top:1.6em;border-bottom:1px solid #ccc}
.pair{display:inline-block;margin:4px;text-align:center;font-size:11px}
.pair img{width:112px;height:112px;display:block}
.row{margin:.4em 0}
.meta{color:#666;font-size:12px}
nav a{margin-right:.6em;font-size:12px}
"""


TOOL = "pixtask bench show"


def write_bench_page(
    bench_dir: str | Path, prompts_shown: int = 4, queries_shown: int = 3, *, overwrite: bool = False
) -> Path:
    """Write ``index.html`` into the benchmark folder and return its path; an ``index.html``
    that this function did not write is replaced only with ``overwrite``."""
    root = Path(bench_dir)
    out = root / "index.html"
    plan_file(out, overwrite=overwrite or written_by(out, TOOL))
    manifest = load_manifest(root)
    by_task: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    for s in manifest["samples"]:
        by_task[s["task"]][s["level"]].append(s)
    cfg = manifest["config"]
    parts = [
        f"{page_head(TOOL)}<title>pixtask benchmark</title>",
        f"<style>{_STYLE}</style>",
        "<h1>pixtask benchmark</h1>",
        f"<p class=meta>{len(manifest['samples'])} samples, {len(by_task)} tasks, photos: "
        f"{html.escape(str(cfg['photos']))}, size {cfg['size']}, seed {cfg['seed']}. "
        "Each pair shows input above target; hover for parameters.</p>",
    ]
    if manifest.get("warnings"):
        parts.append("<p class=meta>Warnings: " + "; ".join(html.escape(w) for w in manifest["warnings"]) + "</p>")
    parts.append("<nav>" + "".join(f"<a href='#{t}'>{t}</a>" for t in by_task) + "</nav>")
    for task_id, levels in by_task.items():
        info = manifest["tasks"][task_id]
        parts.append(f"<h2 id='{task_id}'>{html.escape(info['name'])} <small>({task_id})</small></h2>")
        parts.append(
            f"<p class=meta>{html.escape(info['description'])} Category: {info['category']}; "
            f"metric: {info['metric']}; pairing: {html.escape(info['pairing'])}.</p>"
        )
        for level, samples in levels.items():
            queries = [s for s in samples if s["role"] == "query"][:queries_shown]
            prompts = [s for s in samples if s["role"] == "prompt"][:prompts_shown]
            label = "no levels" if level is None else f"level {level}"
            parts.append(f"<div class=row><b>{label}</b> &mdash; queries:")
            parts.extend(_pair_html(s) for s in queries)
            parts.append(" prompts:")
            parts.extend(_pair_html(s) for s in prompts)
            parts.append("</div>")
    write_bytes_atomic(out, "\n".join(parts).encode())
    return out


def _pair_html(sample: dict) -> str:
    title = html.escape(f"{sample['photo']}\n{json.dumps(sample['params'], sort_keys=True)}", quote=True)
    name = html.escape(sample["photo"].split("/")[-1])
    return (
        f"<span class=pair title='{title}'><img loading=lazy src='{sample['input']}'>"
        f"<img loading=lazy src='{sample['target']}'>{name}</span>"
    )
