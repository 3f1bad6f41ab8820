"""Several models side by side on one benchmark: the no-prompt ablation, generalist vs
specialists, tiny vs small, trained vs held-out tasks all reduce to this table.

A column is a model folder, or a pattern with ``{task}`` for a model per task (specialists,
e.g. ``runs/specialists/same/{task}/model``); the identity baseline is always a column, and
the trivial baseline (best constant, colour transfer) is one where a task has it; the chart's
gains are over the stronger of the two.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from pixtask.core.progress import Progress, no_progress
from pixtask.data.benchmark import Benchmark
from pixtask.evaluation.evaluator import Predictor, evaluate
from pixtask.evaluation.metrics import METRICS
from pixtask.studies._io import markdown_table, pyplot, write_json, write_text

IDENTITY = "identity"
TRIVIAL = "trivial"  # the task's trivial baseline (evaluation.baselines), where it has one


def baseline_value(row: dict) -> float:
    """The stronger of identity and the trivial baseline for one task's row."""
    values = [row[k] for k in (IDENTITY, TRIVIAL) if row.get(k) is not None]
    return max(values) if METRICS[row["metric"]].higher_is_better else min(values)


def compare_models(
    columns: dict[str, str],
    bench_dir: str | Path | Benchmark,
    load: Callable[[str], Predictor],
    tasks: set[str] | None = None,
    progress: Progress = no_progress,
) -> dict:
    """``{task: {"metric", "category", <column>: mean score, "identity": ..., "trivial": ...}}``
    ("trivial" only for tasks that have a trivial baseline).

    ``load(folder)`` builds a predictor; a folder missing for a task leaves that cell empty
    (None), so a partly finished set of specialists can already be compared.
    """
    bench = Benchmark.open(bench_dir)
    selected = sorted(set(bench.tasks) & (tasks or set(bench.tasks)))
    if not selected:
        raise ValueError(f"none of the tasks {sorted(tasks or [])} is in {bench.root}")
    table: dict[str, dict] = {
        t: {"metric": bench.tasks[t].metric, "category": bench.tasks[t].category} for t in selected
    }
    cache: dict[str, Predictor] = {}
    total, done = len(selected) * len(columns), 0
    for name, pattern in columns.items():
        for task in selected:
            folder = pattern.replace("{task}", task)
            done += 1
            if not Path(folder).is_dir() and "{task}" in pattern:
                table[task][name] = None
                continue
            if folder not in cache:
                cache[folder] = load(folder)
            rows = evaluate(cache[folder], bench, tasks={task})
            table[task][name] = round(float(np.mean([r.value for r in rows])), 3)
            table[task][IDENTITY] = round(float(np.mean([r.identity for r in rows])), 3)
            if rows[0].trivial is not None:
                table[task][TRIVIAL] = round(float(np.mean([r.trivial for r in rows])), 3)
            progress(done, total, f"{name}: {task}")
    return table


def write_comparison(table: dict, columns: list[str], out_dir: str | Path, title: str, note: str = "") -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "comparison.json", {"title": title, "columns": columns, "tasks": table})
    cols = [IDENTITY, *([TRIVIAL] if any(TRIVIAL in r for r in table.values()) else []), *columns]
    rows = [[t, r["metric"], *("-" if r.get(c) is None else r[c] for c in cols)] for t, r in table.items()]
    means = []
    for metric in sorted({r["metric"] for r in table.values()}):
        members = [r for r in table.values() if r["metric"] == metric]
        cells = []
        for c in cols:
            vals = [r[c] for r in members if r.get(c) is not None]
            cells.append(round(float(np.mean(vals)), 3) if len(vals) == len(members) else "-")
        means.append([f"**mean ({metric})**", metric, *cells])
    text = f"# {title}\n\n{note}\n\n" if note else f"# {title}\n\n"
    text += markdown_table(["task", "metric", *cols], rows + means, align_right_from=2)
    write_text(out / "comparison.md", text)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(max(5, 0.9 * len(table)), 3.6))
    width = 0.8 / len(columns)
    for i, c in enumerate(columns):
        gains = []
        for r in table.values():
            sign = 1 if METRICS[r["metric"]].higher_is_better else -1
            gains.append(np.nan if r.get(c) is None or IDENTITY not in r else sign * (r[c] - baseline_value(r)))
        ax.bar(np.arange(len(table)) + i * width, gains, width, label=c)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(np.arange(len(table)) + 0.4 - width / 2, list(table), rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("gain over the stronger baseline")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "comparison.png", dpi=110)
    plt.close(fig)
