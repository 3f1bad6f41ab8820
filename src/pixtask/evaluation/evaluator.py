"""Evaluate a predictor on a benchmark built by ``pixtask bench build``.

For every query pair the predictor gets the query input and a :class:`Condition` told in one
of three modes: ``example`` (one prompt pair of the same task and level, the first whose photo
differs from the query's), ``instruction`` (an explanatory instruction of the query's change,
by default from the *held-out* templates and phrase banks, so the words were never trained on),
or ``both``. Its output is scored with
the task's metric under the GLV-Bench convention, beside the identity baseline (the input
itself as the prediction) and, for feature maps and stylization, a trivial baseline
(:mod:`~pixtask.evaluation.baselines`) and the metrics that fit those outputs (edge F-score,
colour statistics). A task's gain is taken against the stronger baseline. PSNR of identical
images is infinite; it is capped at 100 dB so that averages stay finite (``PSNR_CAP``), and the
cap is recorded with the results.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from pixtask.core.condition import MODES, Condition, Mode
from pixtask.core.geometry import center_square
from pixtask.core.image_io import read_image
from pixtask.core.progress import Progress, no_progress
from pixtask.data.benchmark import Benchmark, Query
from pixtask.evaluation.baselines import SECONDARY_METRICS, TRIVIAL_BY_METRIC, trivial_answer
from pixtask.evaluation.controls import (
    CONTROLS,
    DIRECTION_STATISTIC,
    TOLD_MARGIN,
    check_split,
    check_tasks_have_words,
    control_words,
    image_statistic,
    query_instruction,
)
from pixtask.evaluation.metrics import METRICS, compute_metric, edge_f_counts, f_from_counts

Predictor = Callable[[np.ndarray, Condition], np.ndarray]
PSNR_CAP = 100.0


@dataclass
class QueryResult:
    task: str
    level: int | None
    category: str
    metric: str
    query_photo: str
    prompt_photo: str
    value: float
    identity: float
    # the query's task parameters as JSON: a level can stand for a sub-type (contrast sigmoid vs
    # scale), and this is what lets a reader split by it
    params: str = "{}"
    trivial: float | None = None  # the trivial baseline's score (None: the task has identity only)
    trivial_name: str = ""  # which trivial answer scored it ("black", "mean", "colour transfer")
    # fitting metrics beside the primary one: {metric: {"model": v, "identity": v, "trivial": v}}
    secondary: dict[str, dict[str, float]] | None = None
    instruction: str = ""  # the words the query was told its task with ("" in example mode)
    # the same query told the control words instead: {control: score} (words modes, with controls)
    controls: dict[str, float] | None = None
    # the task's image statistic on the input, on the output and on the opposite words' output
    direction: dict[str, float | str] | None = None
    output: np.ndarray | None = None  # kept for the report's first query per task
    edge_counts: dict[str, np.ndarray] | None = None  # per answer, for the set-level edge F (ODS)


def score(metric: str, pred: np.ndarray, target: np.ndarray) -> float:
    """The metric under the benchmark convention, PSNR capped at ``PSNR_CAP``."""
    value = compute_metric(metric, pred, target)
    return min(value, PSNR_CAP) if metric == "psnr" and math.isinf(value) else value


def query_condition(mode: Mode, prompt: tuple[np.ndarray, np.ndarray], instruction: str | None) -> Condition:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    return Condition(prompt=None if mode == "instruction" else prompt, instruction=instruction)


@dataclass(frozen=True)
class Answer:
    """One query answered: the images as the predictor saw them (shrunk with ``resize``), the
    example pair it was scored with, the words it was told (None in example mode) and its
    output (clipped to [0, 1], float32)."""

    query: Query
    input: np.ndarray
    target: np.ndarray
    output: np.ndarray
    instruction: str | None
    prompt: tuple[np.ndarray, np.ndarray] | None = None


def answers(
    predict: Predictor,
    bench_dir: str | Path | Benchmark,
    *,
    tasks: set[str] | None = None,
    mode: Mode = "example",
    instruction_split: str = "heldout",
    progress: Progress = no_progress,
    resize: int | None = None,
) -> Iterator[Answer]:
    """The evaluation loop: ``predict`` told in ``mode`` on every query of the benchmark (or of
    ``tasks``), group by (task, level); ``progress(done, total, "<task> L<level>")`` after each
    group. Checked before the first prediction: the mode, that there are queries, their metrics."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    bench = Benchmark.open(bench_dir)
    groups = bench.groups(tasks)
    if not groups:
        raise ValueError(f"no samples of tasks {sorted(tasks or [])} in {bench.root}")
    check_split(instruction_split)
    if mode != "example":
        check_tasks_have_words({task for task, _ in groups}, instruction_split)
    for task, _ in groups:
        if bench.tasks[task].metric not in METRICS:
            raise ValueError(f"task {task}: unknown metric {bench.tasks[task].metric!r}")
    return _answers(predict, groups, mode, instruction_split, progress, resize)


def _answers(predict, groups, mode, instruction_split, progress, resize) -> Iterator[Answer]:
    for done, ((task, level), queries) in enumerate(groups.items(), start=1):
        for q in queries:
            prompt = q.prompt
            q_in, q_tgt, p_in, p_tgt = (
                _read(path, resize) for path in (q.input, q.target, prompt.input, prompt.target)
            )
            text = query_instruction(q, instruction_split) if mode != "example" else None
            pred = np.clip(predict(q_in, query_condition(mode, (p_in, p_tgt), text)), 0, 1).astype(np.float32)
            if pred.shape != q_tgt.shape:
                raise ValueError(f"predictor returned {pred.shape} for a {q_tgt.shape} query of {task}")
            yield Answer(q, q_in, q_tgt, pred, text, (p_in, p_tgt))
        progress(done, len(groups), f"{task} L{level}")


def evaluate(
    predict: Predictor,
    bench_dir: str | Path | Benchmark,
    *,
    tasks: set[str] | None = None,
    mode: Mode = "example",
    instruction_split: str = "heldout",
    progress: Progress = no_progress,
    resize: int | None = None,
    controls: bool = False,
) -> list[QueryResult]:
    """Score ``predict`` on every query of the benchmark (or of ``tasks``), told in ``mode``.

    ``controls`` (words modes): also tell each query the control words of
    :mod:`~pixtask.evaluation.controls` (empty, another task's, the opposite change's) and
    record their scores and the task's image statistic beside the words' own.

    ``resize``: shrink every image (query, target and example pair) to a centred square of
    this side first, for models that work at one small resolution (the token-AR model); the
    identity baseline is then scored at that size too. ``progress(done, total, label)`` is
    called after each task and level."""
    bench = Benchmark.open(bench_dir)
    results: list[QueryResult] = []
    seen_tasks: set[str] = set()
    loop = answers(
        predict, bench, tasks=tasks, mode=mode, instruction_split=instruction_split, progress=progress, resize=resize
    )
    for a in loop:
        q, info = a.query, bench.tasks[a.query.task]
        metric = info.metric
        trivial = trivial_answer(metric, a.input, a.target)
        scored = {"model": a.output, "identity": a.input}
        if trivial is not None:
            scored["trivial"] = trivial.prediction
        results.append(
            QueryResult(
                q.task,
                q.level,
                info.category,
                metric,
                q.photo,
                q.prompt.photo,
                score(metric, a.output, a.target),
                score(metric, a.input, a.target),
                json.dumps(q.params, sort_keys=True),
                trivial=None if trivial is None else trivial.value,
                trivial_name="" if trivial is None else trivial.name,
                secondary=_secondary(metric, scored, a.target),
                output=a.output if q.task not in seen_tasks else None,
                edge_counts=_edge_counts(metric, scored, a.target),
                instruction=a.instruction or "",
            )
        )
        if controls and mode != "example":
            results[-1].controls, results[-1].direction = _controls(predict, a, mode, instruction_split, metric)
        seen_tasks.add(q.task)
    return results


def _controls(predict: Predictor, a: Answer, mode: Mode, split: str, metric: str) -> tuple[dict, dict | None]:
    scores, outputs = {}, {}
    for name, words in control_words(a.query, split).items():
        out = np.clip(predict(a.input, query_condition(mode, a.prompt, words)), 0, 1).astype(np.float32)
        scores[name], outputs[name] = score(metric, out, a.target), out
    statistic = DIRECTION_STATISTIC.get(a.query.task)
    if statistic is None or "opposite" not in outputs:
        return scores, None
    direction = {"statistic": statistic}
    for who, image in (("input", a.input), ("words", a.output), ("opposite", outputs["opposite"])):
        direction[who] = round(image_statistic(statistic, image), 6)
    return scores, direction


def _read(path: Path, resize: int | None) -> np.ndarray:
    image = read_image(path)
    return image if resize is None else center_square(image, resize)


def _secondary(metric: str, answers: dict[str, np.ndarray], target: np.ndarray) -> dict | None:
    names = SECONDARY_METRICS.get(metric, ())
    if not names:
        return None
    return {m: {who: round(compute_metric(m, img, target), 6) for who, img in answers.items()} for m in names}


def _edge_counts(metric: str, answers: dict[str, np.ndarray], target: np.ndarray) -> dict | None:
    if "edge-f" not in SECONDARY_METRICS.get(metric, ()):
        return None
    return {who: edge_f_counts(img, target) for who, img in answers.items()}


def summarise(results: list[QueryResult]) -> dict:
    """Per-task means (over levels and queries), per-category means of task means, and the
    share of tasks where the model beats its baseline (higher or lower is better per metric).

    A task's ``gain`` is against its ``baseline``: the stronger (by task mean) of identity and
    the task's trivial baseline; ``gain_vs_identity`` keeps the identity comparison."""
    by_task: dict[str, list[QueryResult]] = defaultdict(list)
    for r in results:
        by_task[r.task].append(r)
    tasks = {}
    for task, rows in by_task.items():
        metric = rows[0].metric
        better_high = METRICS[metric].higher_is_better
        baseline = _stronger_baseline(rows, better_high)
        tasks[task] = {
            "category": rows[0].category,
            "metric": metric,
            **_means(rows, better_high, baseline),
            "queries": len(rows),
            # a task mean hides opposite behaviour at mild and severe levels (doing nothing on one,
            # harm on the other), so the report shows each level too
            "by_level": {
                _level_key(level): _means([r for r in rows if r.level == level], better_high, baseline)
                for level in sorted({r.level for r in rows}, key=lambda v: -1 if v is None else v)
            },
        }
        if rows[0].secondary:
            tasks[task]["secondary"] = _secondary_means(rows)
        if rows[0].controls:
            tasks[task]["controls"] = _control_means(rows, better_high)
    categories: dict[str, dict] = {}
    for cat in sorted({t["category"] for t in tasks.values()}):
        for metric in sorted({t["metric"] for t in tasks.values() if t["category"] == cat}):
            members = [t for t in tasks.values() if t["category"] == cat and t["metric"] == metric]
            categories[f"{cat} ({metric})"] = {
                "model": round(float(np.mean([t["model"] for t in members])), 4),
                "identity": round(float(np.mean([t["identity"] for t in members])), 4),
                "baseline": round(float(np.mean([t["baseline_value"] for t in members])), 4),
                "tasks": len(members),
                "beats_baseline": sum(t["gain"] > 0 for t in members),
                "beats_identity": sum(t["gain_vs_identity"] > 0 for t in members),
            }
    summary = {
        "tasks": tasks,
        "categories": categories,
        "psnr_cap_db": PSNR_CAP,
        "conventions": {m: METRICS[m].convention for m in {t["metric"] for t in tasks.values()}},
    }
    if any("controls" in t for t in tasks.values()):
        summary["controls"] = _control_counts(tasks)
    return summary


def _control_means(rows: list[QueryResult], better_high: bool) -> dict:
    """The controls' mean scores, the words' margins over them, and the two verdicts: told in
    words (PSNR tasks: beats identity and the wrong-task words by TOLD_MARGIN dB) and, where
    the task moves an image statistic, whether the words and the opposite words move it in
    opposite directions."""
    model = float(np.mean([r.value for r in rows]))
    out: dict = {}
    for name in CONTROLS:
        values = [r.controls[name] for r in rows if name in r.controls]
        if values:
            mean = float(np.mean(values))
            out[name] = round(mean, 4)
            out[f"over_{name}"] = round(model - mean if better_high else mean - model, 4)
    if rows[0].metric == "psnr" and "over_wrong-task" in out:
        identity = float(np.mean([r.identity for r in rows]))
        out["told_in_words"] = bool(model - identity >= TOLD_MARGIN and out["over_wrong-task"] >= TOLD_MARGIN)
    moves = [r.direction for r in rows if r.direction]
    if moves:
        words = float(np.mean([m["words"] - m["input"] for m in moves]))
        opposite = float(np.mean([m["opposite"] - m["input"] for m in moves]))
        out["direction"] = {
            "statistic": moves[0]["statistic"],
            "words_change": round(words, 6),
            "opposite_change": round(opposite, 6),
            "opposed": bool(words * opposite < 0),
        }
    return out


def _control_counts(tasks: dict) -> dict:
    told = [name for name, t in tasks.items() if t.get("controls", {}).get("told_in_words")]
    judged = [name for name, t in tasks.items() if "told_in_words" in t.get("controls", {})]
    pairs = {name: t["controls"]["direction"] for name, t in tasks.items() if "direction" in t.get("controls", {})}
    return {
        "told_in_words": len(told),
        "judged": len(judged),
        "tasks_told_in_words": told,
        "direction_pairs_opposed": sum(d["opposed"] for d in pairs.values()),
        "direction_pairs": len(pairs),
        "margin_db": TOLD_MARGIN,
    }


def _stronger_baseline(rows: list[QueryResult], better_high: bool) -> str:
    """ "identity" or "trivial": whichever has the better mean over the task's queries."""
    if any(r.trivial is None for r in rows):
        return "identity"
    identity, trivial = np.mean([r.identity for r in rows]), np.mean([r.trivial for r in rows])
    return "trivial" if (trivial > identity if better_high else trivial < identity) else "identity"


def _means(rows: list[QueryResult], better_high: bool, baseline: str = "identity") -> dict:
    def gain_over(value: float) -> float:
        return model - value if better_high else value - model

    model = float(np.mean([r.value for r in rows]))
    identity = float(np.mean([r.identity for r in rows]))
    out = {"model": round(model, 4), "identity": round(identity, 4)}
    if rows[0].trivial is not None:
        out["trivial"] = round(float(np.mean([r.trivial for r in rows])), 4)
        out["trivial_name"] = TRIVIAL_BY_METRIC[rows[0].metric]
    reference = out["trivial"] if baseline == "trivial" else identity
    out["baseline"] = out["trivial_name"] if baseline == "trivial" else "identity"
    out["baseline_value"] = round(float(reference), 4)
    out["gain"] = round(gain_over(reference), 4)
    out["gain_vs_identity"] = round(gain_over(identity), 4)
    return out


def _secondary_means(rows: list[QueryResult]) -> dict:
    """Each fitting metric's mean per answer; for edge F also the set-level F at one threshold
    for all the task's maps (ODS) beside the per-image mean (OIS)."""
    out: dict[str, dict] = {}
    for metric, per_answer in rows[0].secondary.items():
        out[metric] = {who: round(float(np.mean([r.secondary[metric][who] for r in rows])), 4) for who in per_answer}
    if rows[0].edge_counts is not None:
        out["edge-f-ods"] = {
            who: round(f_from_counts(sum(r.edge_counts[who] for r in rows)), 4) for who in rows[0].edge_counts
        }
    return out


def _level_key(level: int | None) -> str:
    """JSON keys are strings; a task without severity levels has the single level "-"."""
    return "-" if level is None else str(level)


def results_table(results: list[QueryResult]) -> list[dict]:
    """One flat row per query (secondary metrics as ``<metric>_<answer>`` columns)."""
    extra = sorted({f"{m}_{who}" for r in results for m, d in (r.secondary or {}).items() for who in d})
    rows = []
    for r in results:
        row = {
            k: v
            for k, v in asdict(r).items()
            if k not in ("output", "secondary", "edge_counts", "controls", "direction")
        }
        row |= {f"control_{name}": v for name, v in (r.controls or {}).items()}
        row |= dict.fromkeys(extra, "")
        row |= {f"{m}_{who}": v for m, d in (r.secondary or {}).items() for who, v in d.items()}
        rows.append(row)
    return rows
