"""Told by example and in words at once: does weighting the example's keys to the share they had
in training (``GenLVConfig.prompt_token_balance``) help, now that a full-size example brings
1,024 tokens (256 px) against a sentence's ~20?

    python benchmarks/token_balance.py --model runs/words-after/model --out out/words/balance

Scores "both" mode with the weighting off (0) and on (64, what crop-64 training gave) on the 20
trained restoration and enhancement tasks (level 3, 256 px test photos, user phrasings), beside
the single modes. Writes balance.json and balance.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

from pixtask.data.benchmark import Benchmark, BenchmarkConfig, build_benchmark
from pixtask.evaluation.evaluator import evaluate, summarise
from pixtask.pipelines import load_pipeline

ROOT = Path(__file__).resolve().parents[1]


def trained_restoration_tasks() -> list[str]:
    tasks = yaml.safe_load((ROOT / "configs" / "shipped-tiny-text.yaml").read_text())["data"]["tasks"]
    return tasks[:20]  # the file lists the 12 restoration and 8 enhancement tasks first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="pixtask-tiny-text")
    parser.add_argument("--bench", type=Path, default=Path("out/bench-words-256"))
    parser.add_argument("--out", type=Path, default=Path("out/words/balance"))
    args = parser.parse_args()
    tasks = trained_restoration_tasks()
    if not (args.bench / "manifest.json").is_file():
        build_benchmark(
            args.bench,
            BenchmarkConfig(size=256, photos="all", tasks=",".join(tasks), levels=(3,), prompts=2, max_queries=2),
        )
    bench = Benchmark.open(args.bench)
    pipe = load_pipeline(args.model, device="cpu", tile=None, both="fuse")  # the balance acts on a fused condition
    predict = pipe.predictor()
    runs = {}
    for label, mode, balance in (
        ("example", "example", 64),
        ("words", "instruction", 64),
        ("both, unweighted", "both", 0),
        ("both, weighted to 64", "both", 64),
    ):
        pipe.model.config.prompt_token_balance = balance
        rows = evaluate(predict, bench, tasks=set(tasks), mode=mode, instruction_split="user")
        runs[label] = {t: s["model"] for t, s in summarise(rows)["tasks"].items()}
        identity = {t: s["identity"] for t, s in summarise(rows)["tasks"].items()}
        print(label, "mean", round(sum(runs[label].values()) / len(runs[label]), 3), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "balance.json").write_text(json.dumps({"model": args.model, "identity": identity, **runs}, indent=1))
    labels = list(runs)
    lines = [
        f"# Example and words together: weighting the example's tokens ({args.model})",
        "",
        f"`python benchmarks/token_balance.py --model {args.model}`: PSNR (dB), level 3, two 256 px test photos "
        "per task, words from the user phrasings.",
        "",
        "| task | identity | " + " | ".join(labels) + " |",
        "|---|---:|" + "---:|" * len(labels),
    ]
    for task in runs["example"]:
        lines.append(f"| {task} | {identity[task]:.2f} | " + " | ".join(f"{runs[k][task]:.2f}" for k in labels) + " |")
    means = [sum(runs[k].values()) / len(runs[k]) for k in labels]
    mean_identity = sum(identity.values()) / len(identity)
    lines.append(f"| **mean** | {mean_identity:.2f} | " + " | ".join(f"{m:.2f}" for m in means) + " |")
    (args.out / "balance.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out / 'balance.md'}")


if __name__ == "__main__":
    main()
