"""The Explanatory Instructions paper's zero-shot questions at our scale.

*Instruction-level*: on tasks a model was trained on, do instructions it never saw (the held-out
split: unseen templates and phrases) tell the task as well as training-split ones? Each task's
gap is set against how similar its held-out query instructions are to the training ones
(highest MiniLM cosine to a training sample, measured, not assumed).

*Task-level*: two models trained alike except for how tasks were told in words (explanatory
instructions, or the task's name), evaluated on tasks neither saw, told in words, by example,
and both, against identity.

Scores are the benchmark's (PSNR for restoration and enhancement, the task's metric elsewhere);
a gain is the model's score minus identity's, signed so that positive is better.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pixtask.core.atomic_write import write_bytes_atomic
from pixtask.core.condition import MODES
from pixtask.core.guards import read_json_file
from pixtask.core.progress import Progress, no_progress, prefixed
from pixtask.data.benchmark import Benchmark
from pixtask.evaluation.evaluator import Predictor, QueryResult, evaluate, summarise
from pixtask.evaluation.metrics import METRICS
from pixtask.studies._io import markdown_table, pyplot, write_json


def _gains(rows: list[QueryResult]) -> dict[str, dict]:
    """Per task: mean model and identity scores and the signed gain over identity."""
    out = {}
    for task, t in summarise(rows)["tasks"].items():
        sign = 1 if METRICS[t["metric"]].higher_is_better else -1
        out[task] = {
            "category": t["category"],
            "metric": t["metric"],
            "model": t["model"],
            "identity": t["identity"],
            "gain": round(sign * (t["model"] - t["identity"]), 4),
        }
    return out


def _max_cosine(texts: list[str], train_sample: list[str], encoder) -> list[float]:
    bank = encoder.pooled(train_sample)
    return [round(float(v), 4) for v in (encoder.pooled(texts) @ bank.T).max(dim=1).values]


def instruction_level_study(
    predict: Predictor,
    bench_dir: str | Path | Benchmark,
    out_dir: str | Path,
    *,
    name: str,
    trained_tasks: set[str],
    encoder,
    train_sample: list[str] | None = None,
    progress: Progress = no_progress,
) -> dict:
    """Trained tasks told by training-split vs held-out-split instructions (same queries).
    ``train_sample``: training instructions to measure similarity against (default: 20 per task
    and direction, every task). ``progress`` labels read ``"<split>: <task> L<level>"``."""
    from pixtask.studies.instruction_similarity import instruction_sets

    bench = Benchmark.open(bench_dir)
    runs = {}
    for split in ("train", "heldout"):
        runs[split] = evaluate(
            predict,
            bench,
            tasks=trained_tasks,
            mode="instruction",
            instruction_split=split,
            progress=prefixed(progress, split),
        )
    if train_sample is None:
        _, train_sample = instruction_sets(per_task=20)
    rows = {}
    gains = {split: _gains(r) for split, r in runs.items()}
    for split, results in runs.items():
        sims = _max_cosine([r.instruction for r in results], train_sample, encoder)
        for r, sim in zip(results, sims, strict=True):
            rows.setdefault(r.task, {}).setdefault(f"similarity_{split}", []).append(sim)
    table = {}
    for task in sorted(gains["train"]):
        s = rows[task]
        table[task] = {
            "category": gains["train"][task]["category"],
            "metric": gains["train"][task]["metric"],
            "similarity_train": round(float(np.median(s["similarity_train"])), 4),
            "similarity_heldout": round(float(np.median(s["similarity_heldout"])), 4),
            "gain_train": gains["train"][task]["gain"],
            "gain_heldout": gains["heldout"][task]["gain"],
        }
        table[task]["gap"] = round(table[task]["gain_heldout"] - table[task]["gain_train"], 4)
    sims = np.array([t["similarity_heldout"] for t in table.values()])
    gaps = np.array([t["gap"] for t in table.values()])
    result = {
        "model": name,
        "tasks": table,
        "mean_gain_train": round(float(np.mean([t["gain_train"] for t in table.values()])), 4),
        "mean_gain_heldout": round(float(np.mean([t["gain_heldout"] for t in table.values()])), 4),
        "heldout_beats_identity": sum(t["gain_heldout"] > 0 for t in table.values()),
        "train_beats_identity": sum(t["gain_train"] > 0 for t in table.values()),
        "heldout_within_0p5_of_train": sum(abs(t["gap"]) <= 0.5 for t in table.values()),
        "spearman_similarity_gap": _spearman(sims, gaps),
    }
    out = Path(out_dir)
    write_json(out / "instruction_level.json", result)
    _plot_instruction_level(result, out / "instruction_level.png")
    return result


def _spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    if len(x) < 3:
        return None
    from scipy.stats import spearmanr

    return round(float(spearmanr(x, y).statistic), 3)


def _plot_instruction_level(result: dict, path: Path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    colours = {"restoration": "tab:blue", "enhancement": "tab:orange", "stylization": "tab:green"}
    for task, t in result["tasks"].items():
        c = colours.get(t["category"], "tab:gray")
        ax.scatter(t["similarity_heldout"], t["gap"], color=c, s=22)
        ax.annotate(task, (t["similarity_heldout"], t["gap"]), fontsize=6, xytext=(3, 2), textcoords="offset points")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlabel("held-out query instructions: median highest cosine to training instructions")
    ax.set_ylabel("gain, held-out words - training words")
    ax.set_title(f"{result['model']}: instruction-level zero-shot (trained tasks)", fontsize=10)
    for cat, c in colours.items():
        ax.scatter([], [], color=c, label=cat)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def task_level_study(
    models: dict[str, tuple[Predictor, str]],
    bench_dir: str | Path | Benchmark,
    out_dir: str | Path,
    *,
    heldout_tasks: set[str],
    trained_tasks: set[str],
    progress: Progress = no_progress,
) -> dict:
    """``models``: style -> (predictor, instruction split it is told with: "heldout" for the
    explanatory model, "terminological" for the other). Each is evaluated on the held-out and the
    trained tasks in every mode. ``progress`` labels read ``"<style> <mode>: <task> L<level>"``."""
    bench = Benchmark.open(bench_dir)
    table: dict[str, dict] = {}
    for style, (predict, split) in models.items():
        for mode in MODES:
            rows = evaluate(
                predict,
                bench,
                tasks=heldout_tasks | trained_tasks,
                mode=mode,
                instruction_split=split,
                progress=prefixed(progress, f"{style} {mode}"),
            )
            for task, g in _gains(rows).items():
                row = table.setdefault(task, {"category": g["category"], "metric": g["metric"]})
                row["heldout"] = task in heldout_tasks
                row[f"{style}/{mode}"] = g["gain"]
                if mode == "instruction":
                    row[f"{style}/words"] = next(r.instruction for r in rows if r.task == task)
    means = {}
    for group, keep in (("heldout", True), ("trained", False)):
        rows = [t for t in table.values() if t["heldout"] is keep]
        if not rows:  # trained tasks left out to save time
            continue
        means[group] = {
            f"{style}/{mode}": round(float(np.mean([r[f"{style}/{mode}"] for r in rows])), 4)
            for style in models
            for mode in MODES
        }
    result = {"styles": list(models), "heldout_tasks": sorted(heldout_tasks), "tasks": table, "means": means}
    out = Path(out_dir)
    write_json(out / "task_level.json", result)
    _plot_task_level(result, out / "task_level.png")
    return result


def _plot_task_level(result: dict, path: Path) -> None:
    plt = pyplot()
    held = result["heldout_tasks"]
    keys = [f"{s}/{m}" for s in result["styles"] for m in MODES]
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    width = 0.8 / len(keys)
    for i, key in enumerate(keys):
        trained = [result["means"]["trained"][key]] if "trained" in result["means"] else []
        values = [result["tasks"][t][key] for t in held] + trained
        ax.bar(np.arange(len(values)) + i * width, values, width, label=key)
    labels = [*held, *(["trained tasks (mean)"] if "trained" in result["means"] else [])]
    ax.set_xticks(np.arange(len(labels)) + 0.4 - width / 2, labels, fontsize=8)
    ax.axhline(0, color="black", lw=0.6)
    ax.set_ylabel("gain over identity (metric units)")
    ax.set_title("task-level zero-shot: tasks neither model trained on", fontsize=10)
    ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def zero_shot_markdown(instruction: dict | None, task: dict | None, space: dict | None, commands: dict) -> str:
    """The studies page section: both tables and the latent-space figure, each with its command."""
    lines = ["# Zero-shot: explanatory instructions at our scale", ""]
    if instruction:
        r = instruction
        lines += [
            "## Instruction-level zero-shot",
            "",
            f"`{commands['instruction']}`",
            "",
            f"**{r['model']}** on the tasks it was trained on, each query told in words: once with a "
            "training-split instruction, once with a held-out one (templates and phrases training never used); "
            "gain = score minus identity's (dB for PSNR tasks). Similarity: the median, over the task's queries, "
            "of each instruction's highest MiniLM cosine to a sample of training instructions.",
            "",
            markdown_table(
                [
                    "task",
                    "category",
                    "sim. train words",
                    "sim. held-out words",
                    "gain, train words",
                    "gain, held-out words",
                    "held-out - train",
                ],
                [
                    [
                        k,
                        t["category"],
                        t["similarity_train"],
                        t["similarity_heldout"],
                        f"{t['gain_train']:+.2f}",
                        f"{t['gain_heldout']:+.2f}",
                        f"{t['gap']:+.2f}",
                    ]
                    for k, t in r["tasks"].items()
                ],
                align_right_from=2,
            ),
            f"Mean gain: training words {r['mean_gain_train']:+.2f}, held-out words {r['mean_gain_heldout']:+.2f}; "
            f"beats identity on {r['train_beats_identity']} / {r['heldout_beats_identity']} of {len(r['tasks'])} "
            f"tasks; held-out within 0.5 of training words on {r['heldout_within_0p5_of_train']}; Spearman "
            f"(similarity, gap) {r['spearman_similarity_gap']}.",
            "",
            "![instruction-level](instruction_level.png)",
            "",
        ]
    if task:
        styles = task["styles"]
        keys = [f"{s}/{m}" for s in styles for m in MODES]
        lines += [
            "## Task-level zero-shot",
            "",
            f"`{commands['task']}`",
            "",
            "Two models with the same budget and data stream, differing only in how tasks were told in words "
            "during training: explanatory instructions, or the task's name (terminological). Held-out tasks: "
            f"{', '.join(task['heldout_tasks'])} (neither model saw them). At test the explanatory model gets "
            "held-out-split instructions of the unseen task, the terminological one its name; *example* uses a "
            "benchmark prompt pair. Gain over identity, metric units.",
            "",
            markdown_table(
                ["task", *keys],
                [[t, *(f"{task['tasks'][t][k]:+.2f}" for k in keys)] for t in task["heldout_tasks"]]
                + [[f"mean, {g} tasks", *(f"{task['means'][g][k]:+.2f}" for k in keys)] for g in task["means"]],
            ),
            "Words each model was told for the held-out tasks:",
            "",
            *(
                f"- {t}: " + "; ".join(f'{s}: "{task["tasks"][t][f"{s}/words"]}"' for s in styles)
                for t in task["heldout_tasks"]
            ),
            "",
            "![task-level](task_level.png)",
            "",
        ]
    if space:
        lines += [
            "## Instruction latent space",
            "",
            f"`{commands['space']}`",
            "",
            f"MiniLM sentence embeddings of {space['per_task']} explanatory instructions per task (both directions, "
            "training split) beside terminological ones (the task's name in a few phrasings), 2-D PCA fitted per "
            "panel, coloured by task. Silhouette by task in the full 384-d space (cosine): explanatory "
            f"{space['silhouette']['explanatory']}, terminological {space['silhouette']['terminological']}.",
            "",
            "![latent space](instruction_space.png)",
            "",
        ]
    return "\n".join(lines)


ZERO_SHOT_PARTS = {
    "instruction": "instruction_level.json",
    "task": "task_level.json",
    "space": "instruction_space.json",
}


def write_zero_shot_page(out: str | Path, commands: dict) -> Path:
    """Rewrite OUT/zero_shot.md from every part of the study written in OUT so far."""
    out = Path(out)
    parts = {k: read_json_file(out / f) if (out / f).is_file() else None for k, f in ZERO_SHOT_PARTS.items()}
    page = zero_shot_markdown(parts["instruction"], parts["task"], parts["space"], commands)
    return write_bytes_atomic(out / "zero_shot.md", page.encode())
