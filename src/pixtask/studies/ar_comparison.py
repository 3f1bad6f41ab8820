"""The token-AR model beside the GenLV models on the same benchmark queries and instructions.

Every image is shrunk to the AR model's square side first (``resize``), so all models, the
identity baseline and the ceiling are scored at one resolution. Each task's numbers sit between
two brackets (shared/reference/explanatory-and-ar.md §8): the **identity** baseline (the input
as the answer) and the **VQ ceiling** (the target encoded and decoded by the AR model's image
tokenizer: the best any output of the AR model can score, since it writes codes).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from pixtask.core.geometry import center_square
from pixtask.core.image_io import read_image
from pixtask.core.progress import Progress, no_progress, prefixed
from pixtask.data.benchmark import Benchmark
from pixtask.evaluation.evaluator import Predictor, evaluate, score, summarise
from pixtask.evaluation.metrics import METRICS
from pixtask.models.vq import VQTokenizer
from pixtask.studies._io import markdown_table


@dataclass
class Entry:
    """One column of the table: a predictor told its task one way."""

    name: str
    predict: Predictor
    mode: str  # example, instruction or both
    split: str = "heldout"  # which instruction templates tell it (heldout: never trained on)


def vq_ceiling(
    vq: VQTokenizer, bench_dir: str | Path | Benchmark, resize: int, tasks: set[str] | None = None
) -> dict[str, float]:
    """Per task, the mean score of the tokenizer's reconstruction of each query's target."""
    bench = Benchmark.open(bench_dir)
    scores: dict[str, list[float]] = {}
    for (task, _), queries in bench.groups(tasks).items():
        metric = bench.tasks[task].metric
        for q in queries:
            target = center_square(read_image(q.target), resize)
            with torch.no_grad():
                x = torch.from_numpy(target.transpose(2, 0, 1).copy())[None]
                recon = vq.decode(vq.encode(x))[0].permute(1, 2, 0).numpy()
            scores.setdefault(task, []).append(score(metric, recon, target))
    return {task: float(np.mean(v)) for task, v in scores.items()}


def compare(
    entries: list[Entry],
    bench_dir: str | Path | Benchmark,
    vq: VQTokenizer,
    *,
    resize: int,
    tasks: set[str] | None = None,
    progress: Progress = no_progress,
) -> dict:
    """{"tasks": {task: {"metric", "category", "identity", "ceiling", <entry name>: mean}}, ...}.

    ``progress`` counts each entry's evaluation from 0, labels read ``"<entry name>: <task> L<level>"``."""
    bench = Benchmark.open(bench_dir)
    table: dict[str, dict] = {}
    for entry in entries:
        results = evaluate(
            entry.predict,
            bench,
            tasks=tasks,
            mode=entry.mode,
            instruction_split=entry.split,
            resize=resize,
            progress=prefixed(progress, entry.name),
        )
        for task, s in summarise(results)["tasks"].items():
            row = table.setdefault(task, {"metric": s["metric"], "category": s["category"], "identity": s["identity"]})
            row[entry.name] = s["model"]
    for task, value in vq_ceiling(vq, bench, resize, set(table)).items():
        table[task]["ceiling"] = round(value, 4)
    names = [e.name for e in entries]
    return {
        "resize": resize,
        "entries": [{"name": e.name, "mode": e.mode, "split": e.split} for e in entries],
        "tasks": dict(sorted(table.items(), key=lambda kv: (kv[1]["category"], kv[0]))),
        "beats_identity": {n: _beats(table, n) for n in names},
        "mean_gain_psnr": {n: _mean_gain(table, n) for n in [*names, "ceiling"]},
    }


def _better(metric: str, a: float, b: float) -> bool:
    return a > b if METRICS[metric].higher_is_better else a < b


def _beats(table: dict, name: str) -> int:
    return sum(_better(r["metric"], r[name], r["identity"]) for r in table.values())


def _mean_gain(table: dict, name: str) -> float:
    gains = [r[name] - r["identity"] for r in table.values() if r["metric"] == "psnr"]
    return round(float(np.mean(gains)), 3) if gains else float("nan")


def comparison_markdown(result: dict) -> str:
    names = [e["name"] for e in result["entries"]]
    header = ["task", "metric", "identity", *names, "VQ ceiling"]
    rows = []
    for task, r in result["tasks"].items():
        rows.append([task, r["metric"], f"{r['identity']:.3f}", *(f"{r[n]:.3f}" for n in names), f"{r['ceiling']:.3f}"])
    tasks = len(result["tasks"])
    rows.append(["beats identity", "", "", *(f"{result['beats_identity'][n]}/{tasks}" for n in names), ""])
    gains = result["mean_gain_psnr"]
    rows.append(["mean PSNR gain", "dB", "0", *(f"{gains[n]:+.2f}" for n in names), f"{gains['ceiling']:+.2f}"])
    return markdown_table(header, rows, align_right_from=2)
