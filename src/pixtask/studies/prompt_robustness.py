"""Prompt robustness: the same queries scored with each of many prompt pairs.

The GenLV paper reports about 0.1 dB standard deviation across prompts for GenLV against
1-3 dB for Painter and PromptGIP. Here every prompt pair of a task (each from a different
photo) is applied to every query from another photo; a prompt's score is its mean over queries
and levels, and a task's robustness is the mean and std of those prompt scores.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pixtask.core.condition import Condition
from pixtask.core.progress import Progress, no_progress
from pixtask.data.benchmark import Benchmark
from pixtask.evaluation.evaluator import Predictor, score
from pixtask.studies._io import bench_image, markdown_table, pyplot, write_json, write_text


def prompt_robustness(
    predict: Predictor,
    bench_dir: str | Path | Benchmark,
    tasks: set[str] | None = None,
    progress: Progress = no_progress,
) -> dict:
    bench = Benchmark.open(bench_dir)
    groups = bench.groups(tasks)
    if not groups:
        raise ValueError(f"no samples of tasks {sorted(tasks or [])} in {bench.root}")
    per_prompt: dict[str, dict[str, list[float]]] = {}
    for done, ((task, level), queries) in enumerate(groups.items(), start=1):
        prompts = queries[0].prompts
        if len(prompts) < 2:
            raise ValueError(f"{task}: the benchmark has {len(prompts)} prompt pair(s); build it with --prompts 20")
        metric = bench.tasks[task].metric
        for p in prompts:
            p_in, p_tgt = bench_image(p.input), bench_image(p.target)
            for q in queries:
                if q.photo == p.photo:
                    continue
                pred = np.clip(predict(bench_image(q.input), Condition(prompt=(p_in, p_tgt))), 0, 1)
                value = score(metric, pred, bench_image(q.target))
                per_prompt.setdefault(task, {}).setdefault(p.photo, []).append(value)
        progress(done, len(groups), f"{task} L{level}")
    out = {}
    for task, prompts in per_prompt.items():
        means = np.array([np.mean(v) for v in prompts.values()])
        out[task] = {
            "metric": bench.tasks[task].metric,
            "prompts": len(means),
            "mean": round(float(means.mean()), 4),
            "std": round(float(means.std(ddof=1)), 4),
            "min": round(float(means.min()), 4),
            "max": round(float(means.max()), 4),
            "per_prompt": {photo: round(float(np.mean(v)), 4) for photo, v in prompts.items()},
        }
    return out


def write_prompt_robustness(result: dict, out_dir: str | Path, title: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "prompt_robustness.json", result)
    rows = [[t, r["metric"], r["prompts"], r["mean"], r["std"], r["min"], r["max"]] for t, r in result.items()]
    text = f"# Prompt robustness: {title}\n\n" + markdown_table(
        ["task", "metric", "prompts", "mean", "std", "min", "max"], rows, align_right_from=2
    )
    write_text(out / "prompt_robustness.md", text)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(max(4, 0.7 * len(result)), 3.6))
    for i, r in enumerate(result.values()):
        values = list(r["per_prompt"].values())
        jitter = np.linspace(-0.2, 0.2, len(values))
        ax.scatter(i + jitter, values, s=10, alpha=0.7)
        ax.errorbar(i + 0.3, r["mean"], yerr=r["std"], fmt="k_", capsize=3)
    ax.set_xticks(range(len(result)), list(result), rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("score per prompt pair (task metric)")
    ax.set_title("each dot: one prompt pair, mean over queries", fontsize=9)
    fig.tight_layout()
    fig.savefig(out / "prompt_robustness.png", dpi=110)
    plt.close(fig)
