"""Told both ways, do the words count? A CondNAFNet averages the example's and the words'
embeddings; unscaled, the larger one decides. This scores a model told by example, in words and
both on the quality-per-CPU-hour subset (20 trained restoration and enhancement tasks, level 3,
8 test photos at 128 px, user phrasings) three ways: fused as saved, fused with ``unit_parts``
switched on (each embedding scaled to unit RMS before the mean; no weight changes), and checked
(the pipeline's default: the one way that best redoes the example pair).

    python benchmarks/both_fusion.py --model pixtask-naf-base

Needs the subset: ``python benchmarks/quality_per_cpu_hour.py`` builds it (out/bench-cpu-hour).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import yaml

from pixtask.evaluation.evaluator import evaluate, summarise
from pixtask.models import from_pretrained
from pixtask.pipelines.genlv_pipeline import GenLVPipeline
from pixtask.studies.condition_modes import BOTH_SLACK

ROOT = Path(__file__).resolve().parents[1]
TASKS = yaml.safe_load((ROOT / "configs/shipped-tiny-text.yaml").read_text())["data"]["tasks"][:20]


def scores(pipe: GenLVPipeline, bench: Path, mode: str) -> dict[str, float]:
    split = {"instruction_split": "user"} if mode != "example" else {}
    tasks = summarise(evaluate(pipe.predictor(), bench, tasks=set(TASKS), mode=mode, **split))["tasks"]
    return {task: row["model"] for task, row in tasks.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="pixtask-naf-base")
    parser.add_argument("--bench", type=Path, default=ROOT / "out/bench-cpu-hour")
    args = parser.parse_args(argv)
    if not (args.bench / "manifest.json").is_file():
        parser.error(f"{args.bench}: no benchmark; run benchmarks/quality_per_cpu_hour.py first")
    model = from_pretrained(args.model)
    if not hasattr(model.config, "unit_parts"):
        parser.error(f"{args.model} is not a CondNAFNet")
    pipe = GenLVPipeline(model, device="cpu", precision="fp32", tile=None)
    print("| told both ways | by example | in words | both | both within 0.2 dB of the better way |")
    print("|---|---:|---:|---:|---:|")
    for policy, unit in (("fuse", False), ("fuse", True), ("check", False)):
        model.config.unit_parts, pipe.both = unit, policy
        s = {mode: scores(pipe, args.bench, mode) for mode in ("example", "instruction", "both")}
        within = sum(s["both"][t] >= max(s["example"][t], s["instruction"][t]) - BOTH_SLACK for t in TASKS)
        means = [np.mean(list(s[m].values())) for m in ("example", "instruction", "both")]
        label = f"{policy}, unit_parts {'on' if unit else 'off'}" if policy == "fuse" else policy
        print(f"| {label} | {means[0]:.2f} | {means[1]:.2f} | {means[2]:.2f} | {within} of {len(TASKS)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
