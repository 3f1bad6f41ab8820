"""Told both ways, how well does the pipeline's check choose, and would another rule do better?

For each query of a finished modes study (its both/per_query.csv gives the task, photos and the
words each query was told), this runs the shipped model told by example and in words, and
scores the rules a pipeline could follow when given both:

- ``own``: the shipped check, each way redoing the example pair, the example way told that same pair;
- ``xfit``: the same, but the example way redoes each half of the pair told only the other half
  (it is never scored on pixels it was shown);
- ``three``: as ``xfit``, with the average of the two ways' outputs as a third candidate;
- ``blend``: always the average of the two ways' outputs.

A rule passes a task when its mean PSNR is within 0.2 dB of the better single way's.
Prints one line per task and the passes per rule (about 17 minutes per phrasing set on 2 cores).

    python benchmarks/both_check.py --study docs/eval-pixtask-naf-base --bench out/bench-eval
"""

from __future__ import annotations

import argparse
import collections
import csv
from pathlib import Path

import numpy as np
import torch

from pixtask.core.condition import Condition
from pixtask.core.image_io import read_image
from pixtask.data.benchmark import Benchmark
from pixtask.pipelines import load_pipeline
from pixtask.pipelines.tiling import pad_to_multiple

SLACK_DB = 0.2
RULES = ("own", "xfit", "three", "blend")


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(1 / np.mean((a - b) ** 2)))


def as_tensor(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))[None].float()


def redo_errors(pipe, src: torch.Tensor, tgt: torch.Tensor, words: str) -> dict[str, float]:
    """Mean squared error on the example pair of: the words (``w``), the example told its own
    pair (``own``), the example cross-fitted over the pair's halves (``ex``), their average (``bl``)."""
    m = pipe.multiple

    def run(x: torch.Tensor, cond: Condition) -> torch.Tensor:
        h, w = x.shape[-2:]
        encoded = pipe.model.encode_condition(pipe.encoder(cond))
        return pipe.model(pad_to_multiple(x, m)[0], encoded=encoded)[..., :h, :w].float().clamp(0, 1)

    def pad(t: torch.Tensor) -> torch.Tensor:
        return pad_to_multiple(t, m)[0]

    axis = -1 if src.shape[-1] >= src.shape[-2] else -2  # the longer side, as the pipeline cuts
    cut = src.shape[axis] // 2
    if cut < m:
        raise ValueError(f"an example pair of {tuple(src.shape[-2:])} is too small to halve")
    srcs, tgts = ((t.narrow(axis, 0, cut), t.narrow(axis, cut, t.shape[axis] - cut)) for t in (src, tgt))
    said = run(src, Condition(instruction=words))
    shown = torch.cat(  # each half redone told by the other half alone
        [run(srcs[0], Condition(prompt=(pad(srcs[1]), pad(tgts[1])))),
         run(srcs[1], Condition(prompt=(pad(srcs[0]), pad(tgts[0]))))],
        axis,
    )  # fmt: skip
    own = run(src, Condition(prompt=(pad(src), pad(tgt))))

    def err(o: torch.Tensor) -> float:
        return float((o - tgt).square().mean())

    return {"w": err(said), "own": err(own), "ex": err(shown), "bl": err((shown + said) / 2)}


def choose(rule: str, e: dict[str, float], q: dict[str, float]) -> float:
    if rule == "own":
        return q["w"] if e["w"] < e["own"] else q["ex"]
    if rule == "xfit":
        return q["w"] if e["w"] < e["ex"] else q["ex"]
    if rule == "three":
        return q[min(("ex", "bl", "w"), key=lambda k: e[k])]  # ties: the example first
    return q["bl"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", type=Path, required=True, help="a modes study folder (its both/per_query.csv)")
    parser.add_argument("--bench", type=Path, default=Path("out/bench-eval"))
    parser.add_argument("--model", default="pixtask-naf-base")
    args = parser.parse_args()
    torch.set_num_threads(2)
    pipe = load_pipeline(args.model, tile=None, precision="fp32")  # the pair is redone in fp32 too
    bench = Benchmark.open(args.bench)
    scores: dict[str, list[dict[str, float]]] = collections.defaultdict(list)
    checked: dict[tuple, dict[str, float]] = {}
    with (args.study / "both" / "per_query.csv").open() as f:
        rows = [r for r in csv.DictReader(f) if r["metric"] == "psnr"]
    for r in rows:
        level = int(r["level"]) if r["level"] else None
        q = bench.pair(r["task"], level, "query", r["query_photo"])
        p = bench.pair(r["task"], level, "prompt", r["prompt_photo"])
        query, target = read_image(q.input), read_image(q.target)
        example = read_image(p.input), read_image(p.target)
        words = r["instruction"]
        with torch.inference_mode():
            key = (r["task"], level, r["prompt_photo"], words)
            if key not in checked:
                checked[key] = redo_errors(pipe, *map(as_tensor, example), words)
            by_example = pipe(query, prompt=example, prompt_size=None).array
            in_words = pipe(query, instruction=words, prompt_size=None).array
        told = {"ex": psnr(by_example, target), "w": psnr(in_words, target)}
        told["bl"] = psnr((by_example + in_words) / 2, target)
        scores[r["task"]].append(told | {rule: choose(rule, checked[key], told) for rule in RULES})
    passes = collections.Counter()
    for task, rows_ in scores.items():
        mean = {k: float(np.mean([s[k] for s in rows_])) for k in rows_[0]}
        best = max(mean["ex"], mean["w"])
        marks = {rule: mean[rule] >= best - SLACK_DB for rule in RULES}
        passes.update(rule for rule, ok in marks.items() if ok)
        cells = " ".join(f"{rule}={mean[rule]:6.2f}{'' if marks[rule] else '!'}" for rule in RULES)
        print(f"{task:31s} n={len(rows_):3d} example={mean['ex']:6.2f} words={mean['w']:6.2f} {cells}", flush=True)
    print(f"within {SLACK_DB} dB of the better single way, of {len(scores)} tasks: " + ", ".join(
        f"{rule} {passes[rule]}" for rule in RULES))  # fmt: skip


if __name__ == "__main__":
    main()
