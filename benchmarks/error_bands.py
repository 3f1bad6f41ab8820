"""Where a model's error on a task lives: coarse tone and colour, or fine detail.

A model can lose to identity on a mild task (x2 SR, light blur, JPEG) in two ways: it fails to
restore detail, or it changes the image's tone and colour where nothing was asked (the habits
of other tasks leaking in). Splitting the error image into a low band (Gaussian blur, sigma
``--sigma`` px) and the high-frequency rest tells the two apart; both are reported as RMS error
in grey levels (0-255), for identity and for the model, on the same queries and prompts that
`pixtask eval` scores.

    python benchmarks/error_bands.py --bench out/bench-eval --model pixtask-tiny \
        --tasks sr-x2,deblur-gaussian,dejpeg --out docs/error_bands
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np
from rich.progress import track

from pixtask.core.condition import Condition
from pixtask.core.image_io import read_image
from pixtask.data.benchmark import group_samples, load_manifest
from pixtask.evaluation.evaluator import prompt_for

DEFAULT_TASKS = "sr-x2,deblur-gaussian,deblur-motion,dejpeg,white-balance,clahe,denoise-gaussian"


def band_rms(error: np.ndarray, sigma: float) -> tuple[float, float]:
    """RMS (grey levels) of the error's low band and of the rest."""
    low = cv2.GaussianBlur(error, (0, 0), sigma)
    return float(np.sqrt(np.mean(low**2)) * 255), float(np.sqrt(np.mean((error - low) ** 2)) * 255)


def measure(predict, bench: Path, tasks: set[str], sigma: float) -> dict[str, dict[str, float]]:
    manifest = load_manifest(bench)
    per_task: dict[str, list[list[float]]] = {}
    groups = group_samples(manifest, tasks)
    if not groups:
        raise ValueError(f"no samples of tasks {sorted(tasks)} in {bench}")
    for (task, level), roles in track(list(groups.items()), description="error bands"):
        for q in roles["query"]:
            p = prompt_for(q, roles["prompt"], task, level)
            q_in, q_tgt = read_image(bench / q["input"]), read_image(bench / q["target"])
            pred = np.clip(
                predict(q_in, Condition(prompt=(read_image(bench / p["input"]), read_image(bench / p["target"])))), 0, 1
            )
            per_task.setdefault(task, []).append([*band_rms(q_in - q_tgt, sigma), *band_rms(pred - q_tgt, sigma)])
    keys = ("identity_low", "identity_high", "model_low", "model_high")
    return {
        t: {k: round(float(v), 2) for k, v in zip(keys, np.mean(rows, axis=0), strict=True)} | {"queries": len(rows)}
        for t, rows in per_task.items()
    }


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
    rows = measure(predict, args.bench, set(args.tasks.split(",")), args.sigma)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "error_bands.json").write_text(json.dumps({"model": args.model, "sigma": args.sigma, "tasks": rows}))
    lines = [
        f"# Error bands of `{args.model}`",
        "",
        f"RMS error in grey levels (0-255), split at a Gaussian blur of sigma {args.sigma:g} px: *low* is "
        "tone and colour over regions, *high* is detail. Mean over the benchmark's queries "
        f"(`{args.bench.name}`); measured by `python benchmarks/error_bands.py`.",
        "",
        "| task | queries | identity low | model low | identity high | model high |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t, r in rows.items():
        cells = [t, r["queries"], r["identity_low"], r["model_low"], r["identity_high"], r["model_high"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    (args.out / "error_bands.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
