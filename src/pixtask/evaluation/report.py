"""Write evaluation results as JSON, CSV, Markdown, a per-task chart (PNG) and an HTML page
with input / prompt / output / target grids; compare two runs' summaries."""

from __future__ import annotations

import csv
import html
import io
import json
import os
from pathlib import Path

import numpy as np

from pixtask.core.atomic_write import atomic_target, write_bytes_atomic
from pixtask.core.image_io import write_image
from pixtask.data.benchmark import Benchmark
from pixtask.evaluation.evaluator import QueryResult, results_table, summarise

#: The files a report writes (and the images/ folder), for callers that check the folder first.
REPORT_FILES = ("summary.json", "per_query.csv", "results.md", "per_task.png", "report.html", "images")


def write_report(
    results: list[QueryResult], bench_dir: str | Path | Benchmark, out_dir: str | Path, title: str
) -> dict:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = summarise(results)
    summary["title"] = title
    write_bytes_atomic(out / "summary.json", json.dumps(summary, indent=1).encode())
    rows = results_table(results)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_bytes_atomic(out / "per_query.csv", buf.getvalue().encode())
    write_bytes_atomic(out / "results.md", _markdown(summary).encode())
    _chart(summary, out / "per_task.png")
    _html(results, summary, Benchmark.open(bench_dir), out)
    return summary


def _markdown(summary: dict) -> str:
    lines = [
        f"# {summary['title']}",
        "",
        "| task | category | metric | model | identity | trivial | gain | over |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for task, t in summary["tasks"].items():
        trivial = f"{t['trivial']} ({t['trivial_name']})" if "trivial" in t else "-"
        lines.append(
            f"| {task} | {t['category']} | {t['metric']} | {t['model']} | {t['identity']} | {trivial} | "
            f"{t['gain']:+} | {t['baseline']} |"
        )
    lines += ["", *secondary_table(summary), "", *_level_table(summary), "", *controls_table(summary)]
    lines += [
        "",
        "| category | model | identity | stronger baseline | tasks | beat that baseline | beat identity |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for cat, c in summary["categories"].items():
        lines.append(
            f"| {cat} | {c['model']} | {c['identity']} | {c['baseline']} | {c['tasks']} | {c['beats_baseline']} | "
            f"{c['beats_identity']} |"
        )
    lines += [
        "",
        "Gain: improvement over the stronger of identity and the task's trivial baseline (column *over*), in the "
        "metric's units, positive is better. Trivial baselines: *best constant* (an all-black image or the target's "
        "mean colour, whichever scores better on each query) for maps scored by MAE; *colour transfer* (the "
        "target's CIELAB mean and std applied to the input) for stylization. Conventions:",
    ]
    lines += [f"- {m}: {conv}" for m, conv in summary["conventions"].items()]
    return "\n".join(lines) + "\n"


def secondary_table(summary: dict) -> list[str]:
    """Metrics that fit the output (edge F for maps, colour statistics for stylization)."""
    rows = [(task, t["secondary"]) for task, t in summary["tasks"].items() if "secondary" in t]
    if not rows:
        return []
    lines = [
        "Metrics that fit the output (edge F: higher is better, per-image best threshold (OIS) and one threshold "
        "for the task's set (ODS); colour-stats: CIELAB mean/std distance, lower is better):",
        "",
        "| task | metric | model | identity | trivial |",
        "|---|---|---:|---:|---:|",
    ]
    for task, sec in rows:
        for metric, d in sec.items():
            lines.append(f"| {task} | {metric} | {d['model']} | {d['identity']} | {d.get('trivial', '-')} |")
    return lines


def controls_table(summary: dict) -> list[str]:
    """Whether the words are read: the same queries told empty, wrong-task and opposite words."""
    rows = [(task, t) for task, t in summary["tasks"].items() if "controls" in t]
    if not rows:
        return []
    counts = summary["controls"]
    lines = [
        f"Controls: told in words on {counts['told_in_words']} of {counts['judged']} PSNR tasks (words beat identity "
        f"and the wrong-task words by {counts['margin_db']} dB each); the words and the opposite words move the "
        f"task's image statistic in opposite directions on {counts['direction_pairs_opposed']} of "
        f"{counts['direction_pairs']} tasks.",
        "",
        "| task | words | identity | empty | wrong-task | opposite | told in words | statistic: words / opposite |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for task, t in rows:
        c = t["controls"]
        told = {True: "yes", False: "no"}.get(c.get("told_in_words"), "-")
        d = c.get("direction")
        moved = "-"
        if d:
            moved = f"{d['statistic']}: {d['words_change']:+.4f} / {d['opposite_change']:+.4f} "
            moved += "(opposed)" if d["opposed"] else "(NOT opposed)"
        lines.append(
            f"| {task} | {t['model']} | {t['identity']} | {c.get('empty', '-')} | {c.get('wrong-task', '-')} | "
            f"{c.get('opposite', '-')} | {told} | {moved} |"
        )
    return lines


def _level_table(summary: dict) -> list[str]:
    """Gain over the task's baseline per severity level: where a task's mean hides a failure."""
    levels = sorted({k for t in summary["tasks"].values() for k in t["by_level"]}, key=lambda k: (k != "-", k.zfill(3)))
    lines = [
        'Gain by severity level ("-": the task has no levels):',
        "",
        "| task | " + " | ".join(f"L{k}" if k != "-" else "-" for k in levels) + " |",
        "|---|" + "---:|" * len(levels),
    ]
    for task, t in summary["tasks"].items():
        cells = [f"{t['by_level'][k]['gain']:+.2f}" if k in t["by_level"] else "" for k in levels]
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    return lines


def _chart(summary: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = sorted({t["metric"] for t in summary["tasks"].values()})
    heights = [sum(t["metric"] == m for t in summary["tasks"].values()) for m in metrics]
    fig, axes = plt.subplots(
        len(metrics),
        1,
        figsize=(8, 0.22 * sum(heights) + 1.2 * len(metrics)),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    for ax, metric in zip(axes[:, 0], metrics, strict=True):
        items = [(k, t["gain"]) for k, t in summary["tasks"].items() if t["metric"] == metric]
        y = np.arange(len(items))
        ax.barh(y, [g for _, g in items], color=["tab:green" if g > 0 else "tab:red" for _, g in items])
        ax.set_yticks(y, [k for k, _ in items], fontsize=7)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_xlabel(f"gain over the stronger baseline ({metric}; positive is better)")
    fig.tight_layout()
    with atomic_target(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)


def _html(results: list[QueryResult], summary: dict, bench: Benchmark, out: Path) -> None:
    parts = [
        f"<!doctype html><meta charset='utf-8'><title>{html.escape(summary['title'])}</title>",
        "<style>body{font-family:system-ui;margin:1.5em} img{width:160px} td{padding:2px 6px}</style>",
        f"<h1>{html.escape(summary['title'])}</h1><p><img src='per_task.png' style='width:640px'></p>",
        "<p>Columns: query input, prompt input, prompt target, model output, query target.</p><table>",
    ]
    (out / "images").mkdir(exist_ok=True)
    for r in results:
        if r.output is None:
            continue
        q = bench.pair(r.task, r.level, "query", r.query_photo)
        p = bench.pair(r.task, r.level, "prompt", r.prompt_photo)
        name = f"images/{r.task}_L{r.level or 0}.png"
        write_image(out / name, r.output)
        cells = [q.input, p.input, p.target, out / name, q.target]
        t = summary["tasks"][r.task]
        imgs = "".join(f"<img src='{html.escape(_rel(c, out), quote=True)}'>" for c in cells)
        parts.append(
            f"<tr><td><b>{html.escape(r.task)}</b><br>{html.escape(t['metric'])}: {t['model']} "
            f"({html.escape(str(t['baseline']))} {t['baseline_value']})</td>"
            f"<td>{imgs}</td></tr>"
        )
    parts.append("</table>")
    write_bytes_atomic(out / "report.html", "\n".join(parts).encode())


def _rel(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()


def compare_summaries(before: dict, after: dict, names: tuple[str, str] = ("before", "after")) -> list[str]:
    """Per-task gain of two evaluation summaries (``summary.json``) side by side, as Markdown
    table rows for the tasks both runs scored, in the first run's order, and a count of the
    tasks the second run is better on: to judge a training change on the numbers rather than
    on the tasks it was aimed at."""
    lines = [
        f"| task | category | metric | gain, {names[0]} | gain, {names[1]} | change |",
        "|---|---|---|---:|---:|---:|",
    ]
    shared = [t for t in before["tasks"] if t in after["tasks"]]
    if not shared:
        raise ValueError("the two summaries have no task in common")
    for task in shared:
        a, b = before["tasks"][task], after["tasks"][task]
        if a["metric"] != b["metric"]:
            raise ValueError(f"{task}: scored with {a['metric']} in one run and {b['metric']} in the other")
        lines.append(
            f"| {task} | {a['category']} | {a['metric']} | {a['gain']:+.2f} | {b['gain']:+.2f} "
            f"| {b['gain'] - a['gain']:+.2f} |"
        )
    better = sum(after["tasks"][t]["gain"] > before["tasks"][t]["gain"] for t in shared)
    lines += ["", f"{names[1]} is better than {names[0]} on {better} of {len(shared)} tasks."]
    return lines
