"""Where a model's error on a task lives: coarse tone and colour, or fine detail.

The error image of each query is split at a Gaussian blur (sigma ``--sigma`` px) into a low
band (tone and colour) and the rest (detail), as RMS grey levels for identity and the model, on
the queries and prompts `pixtask eval` scores (pixtask.evaluation.error_bands).

    python benchmarks/error_bands.py --bench out/bench-eval --model pixtask-tiny \
        --tasks sr-x2,deblur-gaussian,dejpeg --out docs/error_bands
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.progress import Progress

from pixtask.evaluation.error_bands import DEFAULT_TASKS, measure, write_error_bands


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", required=True, type=Path)
    parser.add_argument("--model", default="pixtask-tiny")
    parser.add_argument("--tasks", default=DEFAULT_TASKS)
    parser.add_argument("--sigma", type=float, default=4.0, help="Gaussian sigma (px) separating the bands")
    parser.add_argument("--out", type=Path, default=Path("docs/error_bands"))
    args = parser.parse_args()
    from pixtask.pipelines import GenLVPipeline

    predict = GenLVPipeline.from_pretrained(args.model).predictor()
    with Progress() as bar:
        job = bar.add_task("error bands", total=None)
        rows = measure(
            predict,
            args.bench,
            set(args.tasks.split(",")),
            args.sigma,
            progress=lambda done, total, label="": bar.update(job, completed=done, total=total, description=label),
        )
    print(write_error_bands(rows, args.out, args.model, args.sigma, args.bench.name), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
