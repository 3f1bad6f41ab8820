"""Where a model's error on a task lives: coarse tone and colour, or fine detail.

A model can lose to identity on a mild task (x2 SR, light blur, JPEG) in two ways: it fails to
restore detail, or it changes the image's tone and colour where nothing was asked (the habits
of other tasks leaking in). Splitting the error image into a low band (Gaussian blur, sigma
``sigma`` px) and the high-frequency rest tells the two apart; both are reported as RMS error
in grey levels (0-255), for identity and for the model, on the same queries and prompts that
`pixtask eval` scores (the evaluator's loop, told by example).
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from pixtask.core.atomic_write import write_bytes_atomic
from pixtask.core.progress import Progress, no_progress
from pixtask.data.benchmark import Benchmark
from pixtask.evaluation.evaluator import Predictor, answers

DEFAULT_TASKS = "sr-x2,deblur-gaussian,deblur-motion,dejpeg,white-balance,clahe,denoise-gaussian"
KEYS = ("identity_low", "identity_high", "model_low", "model_high")


def band_rms(error: np.ndarray, sigma: float) -> tuple[float, float]:
    """RMS (grey levels) of the error's low band and of the rest."""
    low = cv2.GaussianBlur(error, (0, 0), sigma)
    return float(np.sqrt(np.mean(low**2)) * 255), float(np.sqrt(np.mean((error - low) ** 2)) * 255)


def measure(
    predict: Predictor,
    bench: str | Path | Benchmark,
    tasks: set[str],
    sigma: float,
    progress: Progress = no_progress,
) -> dict[str, dict[str, float]]:
    """Per task, the mean low- and high-band RMS error of identity and of ``predict`` (told by
    example) over the benchmark's queries, and the number of queries."""
    per_task: dict[str, list[list[float]]] = {}
    for a in answers(predict, bench, tasks=tasks, progress=progress):
        bands = [*band_rms(a.input - a.target, sigma), *band_rms(a.output - a.target, sigma)]
        per_task.setdefault(a.query.task, []).append(bands)
    return {
        t: {k: round(float(v), 2) for k, v in zip(KEYS, np.mean(rows, axis=0), strict=True)} | {"queries": len(rows)}
        for t, rows in per_task.items()
    }


def error_bands_markdown(rows: dict[str, dict[str, float]], model: str, sigma: float, bench_name: str) -> str:
    """The table of :func:`measure`'s numbers, identity beside the model in each band."""
    lines = [
        f"# Error bands of `{model}`",
        "",
        f"RMS error in grey levels (0-255), split at a Gaussian blur of sigma {sigma:g} px: *low* is "
        "tone and colour over regions, *high* is detail. Mean over the benchmark's queries "
        f"(`{bench_name}`); measured by `python benchmarks/error_bands.py`.",
        "",
        "| task | queries | identity low | model low | identity high | model high |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t, r in rows.items():
        cells = [t, r["queries"], r["identity_low"], r["model_low"], r["identity_high"], r["model_high"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def write_error_bands(
    rows: dict[str, dict[str, float]], out_dir: str | Path, model: str, sigma: float, bench_name: str
):
    """``error_bands.json`` and ``error_bands.md`` into ``out_dir``; returns the Markdown."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(out / "error_bands.json", json.dumps({"model": model, "sigma": sigma, "tasks": rows}).encode())
    text = error_bands_markdown(rows, model, sigma, bench_name)
    write_bytes_atomic(out / "error_bands.md", text.encode())
    return text
