"""The classical methods beside the identity baseline on a benchmark's test photos (and, with
--model, a trained model on the same queries), written to docs/classical_baselines.md.

    pixtask bench build --out out/bench-classical --levels 1,3,5 --prompts 3 \
        --tasks 'denoise-*,deblur-gaussian,deblur-lens,deblur-motion,dejpeg,lowlight-enhancement,darken-correction'
    python benchmarks/classical_baselines.py --bench out/bench-classical [--model runs/tiny/model]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from pixtask.data.benchmark import load_manifest
from pixtask.evaluation.classical import CLASSICAL, classical_predictor
from pixtask.evaluation.evaluator import evaluate

DOCS = Path(__file__).resolve().parents[1] / "docs"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", required=True)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    tasks = sorted(set(load_manifest(args.bench)["tasks"]) & set(CLASSICAL))
    model = None
    if args.model:
        from pixtask.pipelines import GenLVPipeline

        model = GenLVPipeline.from_pretrained(args.model, tile=None).predictor()

    rows = []
    for task in tasks:
        classical = evaluate(classical_predictor(task), args.bench, tasks={task})
        row = {
            "task": task,
            "method": CLASSICAL[task][0],
            "metric": classical[0].metric,
            "identity": round(float(np.mean([r.identity for r in classical])), 2),
            "classical": round(float(np.mean([r.value for r in classical])), 2),
        }
        if model is not None:
            row["model"] = round(float(np.mean([r.value for r in evaluate(model, args.bench, tasks={task})])), 2)
        rows.append(row)
        print(row, flush=True)
    DOCS.mkdir(exist_ok=True)
    (DOCS / "classical_baselines.json").write_text(json.dumps(rows, indent=1))
    header = "| task | classical method | metric | identity | classical |" + (" model |" if model else "")
    lines = [
        "# Classical baselines",
        "",
        f"Benchmark: `{args.bench}`; mean over its test photos and levels. "
        "Measured by `python benchmarks/classical_baselines.py`.",
        "",
        header,
        "|---|---|---|---:|---:|" + ("---:|" if model else ""),
    ]
    for r in rows:
        lines.append(
            f"| {r['task']} | {r['method']} | {r['metric']} | {r['identity']} | {r['classical']} |"
            + (f" {r['model']} |" if model else "")
        )
    (DOCS / "classical_baselines.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
