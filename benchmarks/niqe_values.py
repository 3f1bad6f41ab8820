"""NIQE of bundled photos, clean and degraded, as a sanity table for the metric
(lower is more natural). Writes docs/niqe.md.

    python benchmarks/niqe_values.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

from pixtask.core.geometry import center_square
from pixtask.data.photos import bundled_photos
from pixtask.evaluation.metrics import niqe

DOCS = Path(__file__).resolve().parents[1] / "docs"


def main() -> int:
    lines = [
        "# NIQE sanity values",
        "",
        "Measured by `python benchmarks/niqe_values.py` (pixtask's NIQE; lower is more "
        "natural). 256: centred 256x256 square. Noise: Gaussian sigma 0.05 (seed 0); blur: Gaussian sigma 3.",
        "",
        "| photo | full size | 256 clean | 256 noisy | 256 blurred |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in ("astronaut", "chelsea", "coffee", "china"):
        photo = next(p for p in bundled_photos() if p.id == f"bundled/{name}").load()
        square = center_square(photo, 256)
        noisy = np.clip(square + np.random.default_rng(0).normal(0, 0.05, square.shape), 0, 1).astype(np.float32)
        blurred = cv2.GaussianBlur(square, (0, 0), 3)
        values = [niqe(photo), niqe(square), niqe(noisy), niqe(blurred)]
        lines.append(f"| {name} | " + " | ".join(f"{v:.2f}" for v in values) + " |")
        print(lines[-1], flush=True)
    lines += [
        "",
        "Not cross-checked against pyiqa or MATLAB: pyiqa requires torchvision, which would replace our torch.",
    ]
    DOCS.mkdir(exist_ok=True)
    (DOCS / "niqe.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
