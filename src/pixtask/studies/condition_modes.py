"""One model told three ways: by example, in words (held-out instructions), and both, on the
same benchmark queries, beside identity, the trivial baseline and a visual-prompt model.

The question the Explanatory Instructions paper asks of a text+example model: do words it never
saw tell it the task well enough to beat doing nothing, and is telling it both ways at least as
good as either alone? Scores are the benchmark's (PSNR for restoration and enhancement).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pixtask.core.condition import MODES
from pixtask.core.guards import read_json_file
from pixtask.core.progress import Progress, no_progress, prefixed
from pixtask.data.benchmark import Benchmark
from pixtask.evaluation.controls import SPLIT_WORDS
from pixtask.evaluation.evaluator import Predictor, evaluate
from pixtask.evaluation.metrics import METRICS
from pixtask.evaluation.report import write_report
from pixtask.studies._io import markdown_table, pyplot, write_json, write_text

TARGET_CATEGORIES = ("restoration", "enhancement")


def condition_mode_study(
    predict: Predictor,
    bench_dir: str | Path | Benchmark,
    out_dir: str | Path,
    *,
    name: str,
    trained_tasks: set[str],
    visual: dict | None = None,
    visual_name: str = "visual model",
    tasks: set[str] | None = None,
    instruction_split: str = "heldout",
    progress: Progress = no_progress,
    controls: bool = True,
    both_policy: str | None = None,
) -> dict:
    """Evaluate ``predict`` in every mode (a report per mode in ``out_dir/<mode>``) and compare.
    ``visual`` is a visual-prompt model's evaluation summary on the same benchmark.
    ``progress`` counts each mode from 0, labels read ``"<mode>: <task> L<level>"``.
    ``controls``: words mode also tells each query the control words (empty, wrong-task,
    opposite; :mod:`~pixtask.evaluation.controls`) and counts the tasks told in words.
    ``both_policy``: how the predictor takes both ways ("check" or "fuse"), for the report."""
    out = Path(out_dir)
    bench = Benchmark.open(bench_dir)
    summaries = {}
    for mode in MODES:
        rows = evaluate(
            predict,
            bench,
            tasks=tasks,
            mode=mode,
            instruction_split=instruction_split,
            progress=prefixed(progress, mode),
            controls=controls and mode == "instruction",
        )
        summaries[mode] = write_report(rows, bench, out / mode, f"{name}, told by {mode}")
        if mode == "instruction":
            examples = {r.task: r.instruction for r in rows if r.output is not None}
    table = compare_modes(summaries, visual, trained_tasks)
    result = {
        "model": name,
        "visual_model": visual_name if visual else None,
        "instruction_split": instruction_split,
        "both_policy": both_policy,
        "tasks": table,
        "categories": category_means(table),
        "targets": targets(table),
        "controls": summaries["instruction"].get("controls"),
        "instruction_examples": examples,
    }
    write_json(out / "modes.json", result)
    write_text(out / "modes.md", modes_markdown(result))
    plot_modes(result, out / "modes.png")
    return result


BOTH_SLACK = 0.2  # dB: told both ways, "as good as the better single way" within this
BOTH_POLICY_WORDS = {
    "check": "Told both ways, the pipeline checks which way alone (example or words) redoes the example pair "
    "more closely, and tells the query that way.",
    "fuse": "Told both ways, the network is given the example and the words at once.",
}


def compare_modes(summaries: dict[str, dict], visual: dict | None, trained: set[str]) -> dict[str, dict]:
    rows = {}
    for task, t in summaries["example"]["tasks"].items():
        row = {
            "category": t["category"],
            "metric": t["metric"],
            "trained": task in trained,
            "higher_is_better": METRICS[t["metric"]].higher_is_better,
            "identity": t["identity"],
            "baseline": t["baseline"],
            "baseline_value": t["baseline_value"],
            **{mode: summaries[mode]["tasks"][task]["model"] for mode in MODES},
        }
        words = summaries["instruction"]["tasks"][task]
        if "controls" in words:
            row["controls"] = words["controls"]
        if visual and task in visual["tasks"]:
            row["visual"] = visual["tasks"][task]["model"]
        rows[task] = row
    return rows


def _better(row: dict, a: float, b: float) -> float:
    """How much better ``a`` is than ``b`` under the row's metric (positive: better)."""
    return a - b if row["higher_is_better"] else b - a


def category_means(table: dict[str, dict]) -> dict[str, dict]:
    out = {}
    for key in sorted({(r["category"], r["metric"]) for r in table.values()}):
        members = [r for r in table.values() if (r["category"], r["metric"]) == key]
        columns = ["identity", "baseline_value", *MODES] + (["visual"] if all("visual" in r for r in members) else [])
        out[f"{key[0]} ({key[1]})"] = {c: round(float(np.mean([r[c] for r in members])), 4) for c in columns} | {
            "tasks": len(members)
        }
    return out


def targets(table: dict[str, dict]) -> dict:
    """The issue's two targets, counted over the trained restoration and enhancement tasks."""
    aimed = {t: r for t, r in table.items() if r["trained"] and r["category"] in TARGET_CATEGORIES}
    words_beat_identity = sorted(t for t, r in aimed.items() if _better(r, r["instruction"], r["identity"]) > 0)
    both_at_least = sorted(
        t for t, r in aimed.items() if _better(r, r["both"], max(r["example"], r["instruction"], key=lambda v: v)) >= 0
    )
    within = [t for t, r in aimed.items() if r["both"] >= max(r["example"], r["instruction"]) - BOTH_SLACK]
    if aimed and not next(iter(aimed.values()))["higher_is_better"]:  # all PSNR in practice; keep it honest
        raise ValueError("target tasks are expected to be scored by a higher-is-better metric")
    return {
        "tasks": len(aimed),
        "instruction_beats_identity": len(words_beat_identity),
        "instruction_fails_identity": sorted(set(aimed) - set(words_beat_identity)),
        "both_at_least_either": len(both_at_least),
        "both_below_either": sorted(set(aimed) - set(both_at_least)),
        "both_within_slack": len(within),
        "both_slack_db": BOTH_SLACK,
        "mean_gain_over_identity": {
            mode: round(float(np.mean([_better(r, r[mode], r["identity"]) for r in aimed.values()])), 4)
            for mode in MODES
        }
        if aimed
        else {},
    }


def modes_markdown(result: dict) -> str:
    vis = result["visual_model"]
    header = ["task", "category", "trained", "metric", "identity", "baseline", "by example", "in words", "both"]
    header += [f"{vis} (example)"] if vis else []
    rows = []
    for task, r in result["tasks"].items():
        row = [task, r["category"], "yes" if r["trained"] else "no", r["metric"], r["identity"]]
        row += [f"{r['baseline_value']} ({r['baseline']})", r["example"], r["instruction"], r["both"]]
        row += [r.get("visual", "-")] if vis else []
        rows.append(row)
    t = result["targets"]
    split = result["instruction_split"]
    lines = [
        f"# {result['model']} told by example, in words, and both",
        "",
        f"Instructions: the `{split}` split ({SPLIT_WORDS.get(split, split)}).",
        "Each query is told its task by one example pair from another photo, by an instruction describing its own",
        "change (its parameters and level), or by both. Scores are means over the benchmark's test photos and levels.",
        *([BOTH_POLICY_WORDS[result["both_policy"]]] if result.get("both_policy") in BOTH_POLICY_WORDS else []),
        "",
        "## Targets (trained restoration and enhancement tasks)",
        "",
        f"- Told in words only, the model beats identity on **{t['instruction_beats_identity']} of {t['tasks']}** tasks"
        + (f" (not on: {', '.join(t['instruction_fails_identity'])})." if t["instruction_fails_identity"] else "."),
        f"- Told both ways, it is at least as good as the better single way on **{t['both_at_least_either']} of "
        f"{t['tasks']}** tasks"
        + (f" (below on: {', '.join(t['both_below_either'])})" if t["both_below_either"] else "")
        + (f"; within {t['both_slack_db']} dB of it on **{t['both_within_slack']}**." if "both_slack_db" in t else "."),
        "- Mean gain over identity: "
        + ", ".join(f"{m} {v:+.2f}" for m, v in t.get("mean_gain_over_identity", {}).items())
        + ".",
        "",
        *controls_section(result),
        "## Per category",
        "",
        category_table(result),
        "## Per task",
        "",
        markdown_table(header, rows, align_right_from=4),
        "## The words each task was told with (first query)",
        "",
        *[f"- **{task}**: {text}" for task, text in result["instruction_examples"].items()],
        "",
    ]
    return "\n".join(lines)


def controls_section(result: dict) -> list[str]:
    """Are the words read? Per task: the words against empty, wrong-task and opposite words."""
    counts = result.get("controls")
    if not counts:
        return []
    rows = []
    for task, r in result["tasks"].items():
        c = r.get("controls")
        if not c:
            continue
        d = c.get("direction")
        moved = f"{d['statistic']} {d['words_change']:+.3f} / {d['opposite_change']:+.3f}" if d else "-"
        told = {True: "yes", False: "no"}.get(c.get("told_in_words"), "-")
        opposed = "-" if not d else ("yes" if d["opposed"] else "**no**")
        rows.append(
            [
                task,
                r["identity"],
                r["instruction"],
                c.get("empty", "-"),
                c.get("wrong-task", "-"),
                c.get("opposite", "-"),
                told,
                moved,
                opposed,
            ]
        )
    header = [
        "task",
        "identity",
        "words",
        "empty",
        "wrong-task",
        "opposite",
        "told in words",
        "change: words / opposite",
        "opposed",
    ]
    return [
        "## Are the words read? (controls)",
        "",
        f"Told in words (beats identity and the wrong-task words by {counts['margin_db']} dB each) on "
        f"**{counts['told_in_words']} of {counts['judged']}** PSNR tasks; the words and the opposite change's words "
        f"move the task's image statistic in opposite directions on **{counts['direction_pairs_opposed']} of "
        f"{counts['direction_pairs']}**. Controls: a lone full stop (empty), another trained task's words "
        "(wrong-task), the opposite change's words (opposite).",
        "",
        markdown_table(header, rows, align_right_from=1),
    ]


def category_table(result: dict) -> str:
    """Per-category means of each mode beside identity and the visual model (Markdown)."""
    vis = result.get("visual_model") or "visual model"
    rows = [
        [c, v["tasks"], v["identity"], v["example"], v["instruction"], v["both"], v.get("visual", "-")]
        for c, v in result["categories"].items()
    ]
    return markdown_table(["category", "tasks", "identity", "by example", "in words", "both", vis], rows)


def plot_modes(result: dict, path: Path) -> None:
    """Gain over identity per task for each mode (and the visual model), PSNR tasks only."""
    tasks = [t for t, r in result["tasks"].items() if r["metric"] == "psnr"]
    if not tasks:
        return
    plt = pyplot()
    series = list(MODES) + (["visual"] if result["visual_model"] else [])
    labels = {"example": "by example", "instruction": "in words (held-out)", "both": "both"}
    labels["visual"] = f"{result['visual_model']} (example)"
    fig, ax = plt.subplots(figsize=(max(8, 0.45 * len(tasks)), 4))
    width = 0.8 / len(series)
    x = np.arange(len(tasks))
    for i, s in enumerate(series):
        gains = [result["tasks"][t].get(s, np.nan) - result["tasks"][t]["identity"] for t in tasks]
        ax.bar(x + i * width - 0.4 + width / 2, gains, width, label=labels[s])
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(x, tasks, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("PSNR gain over identity (dB)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def load_summary(path: str | Path) -> dict:
    return read_json_file(path)
