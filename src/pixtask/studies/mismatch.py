"""Mismatch test: prompts of one task applied to inputs of another, and to clean photos.

The GenLV paper's claim is that an unrelated prompt leaves the input (nearly) alone, i.e. the
model follows the prompt rather than guessing the task from the input. For every (input kind,
prompt task) cell we report how much the model changed the input: PSNR(output, input), where
higher means less changed, and the mean absolute change in 8-bit levels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pixtask.core.condition import Condition
from pixtask.core.image_io import write_image
from pixtask.core.progress import Progress, no_progress
from pixtask.data.benchmark import Benchmark, Query
from pixtask.evaluation.evaluator import Predictor, score
from pixtask.studies._io import bench_image, markdown_table, pyplot, write_json, write_text
from pixtask.viz.grid import image_grid

CLEAN = "clean"


def _middle_level(groups: dict[tuple[str, int | None], list[Query]], task: str) -> list[Query]:
    """The queries of the middle severity a task has in the benchmark (levels sorted; None for
    level-less)."""
    levels = sorted((lv for (t, lv) in groups if t == task), key=lambda v: -1 if v is None else v)
    if not levels:
        raise ValueError(f"task {task} is not in the benchmark")
    return groups[(task, levels[len(levels) // 2])]


def mismatch(
    predict: Predictor,
    bench_dir: str | Path | Benchmark,
    prompt_tasks: list[str],
    input_tasks: list[str],
    max_queries: int = 4,
    progress: Progress = no_progress,
) -> dict:
    """Returns ``{"cells": {input: {prompt: {...}}}, "examples": {input: {prompt: image}}}``."""
    bench = Benchmark.open(bench_dir)
    groups = bench.groups(set(prompt_tasks) | set(input_tasks))
    inputs: dict[str, list[tuple[str, np.ndarray]]] = {}
    for task in input_tasks:
        queries = _middle_level(groups, task)[:max_queries]
        inputs[task] = [(q.photo, bench_image(q.input)) for q in queries]
    # clean photos: the target of a restoring task, the input of an applying one
    restores = bench.tasks[input_tasks[0]].direction == "restore"
    queries = _middle_level(groups, input_tasks[0])[:max_queries]
    inputs[CLEAN] = [(q.photo, bench_image(q.target if restores else q.input)) for q in queries]
    prompts = {}
    for task in prompt_tasks:
        p = _middle_level(groups, task)[0].prompts
        prompts[task] = [(s.photo, bench_image(s.input), bench_image(s.target)) for s in p]
    cells: dict[str, dict[str, dict]] = {}
    examples: dict[str, dict[str, np.ndarray]] = {}
    total, done = len(inputs) * len(prompts), 0
    for kind, images in inputs.items():
        for task, pool in prompts.items():
            psnrs, changes = [], []
            for photo, img in images:
                _, p_in, p_tgt = next(p for p in pool if p[0] != photo)
                out = np.clip(predict(img, Condition(prompt=(p_in, p_tgt))), 0, 1)
                psnrs.append(score("psnr", out, img))
                changes.append(float(np.abs(out - img).mean() * 255))
                examples.setdefault(kind, {}).setdefault(task, out)
            cells.setdefault(kind, {})[task] = {
                "psnr_to_input": round(float(np.mean(psnrs)), 2),
                "mean_abs_change": round(float(np.mean(changes)), 2),
                "matched": kind == task,
            }
            done += 1
            progress(done, total, f"{task} prompt on {kind}")
    first_inputs = {kind: images[0][1] for kind, images in inputs.items()}
    return {"cells": cells, "examples": examples, "inputs": first_inputs}


def write_mismatch(result: dict, out_dir: str | Path, title: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cells = result["cells"]
    kinds, prompts = list(cells), list(next(iter(cells.values())))
    write_json(out / "mismatch.json", cells)
    psnr_rows = [[k, *(cells[k][p]["psnr_to_input"] for p in prompts)] for k in kinds]
    change_rows = [[k, *(cells[k][p]["mean_abs_change"] for p in prompts)] for k in kinds]
    text = (
        f"# Mismatch test: {title}\n\nRows: the input (a task's degraded query, or a clean photo). "
        "Columns: the task whose prompt pair was given. Diagonal cells are matched.\n\n"
        "## PSNR(output, input), dB: higher means the input was changed less\n\n"
        + markdown_table(["input \\ prompt", *prompts], psnr_rows)
        + "\n## Mean absolute change, 8-bit levels\n\n"
        + markdown_table(["input \\ prompt", *prompts], change_rows)
    )
    write_text(out / "mismatch.md", text)
    rows = [[result["inputs"][k], *(result["examples"][k][p] for p in prompts)] for k in kinds]
    grid = image_grid(rows, col_labels=["input", *(f"prompt: {p}" for p in prompts)], row_labels=kinds, tile=128)
    write_image(out / "mismatch_grid.png", grid)
    plt = pyplot()
    data = np.array([[cells[k][p]["mean_abs_change"] for p in prompts] for k in kinds])
    fig, ax = plt.subplots(figsize=(1 + 0.8 * len(prompts), 1 + 0.5 * len(kinds)))
    im = ax.imshow(data, cmap="viridis")
    ax.set_xticks(range(len(prompts)), prompts, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(kinds)), kinds, fontsize=8)
    for i in range(len(kinds)):
        for j in range(len(prompts)):
            ax.text(j, i, f"{data[i, j]:.1f}", ha="center", va="center", fontsize=7, color="w")
    fig.colorbar(im, ax=ax, label="mean |output - input| (8-bit)")
    fig.tight_layout()
    fig.savefig(out / "mismatch.png", dpi=110)
    plt.close(fig)
