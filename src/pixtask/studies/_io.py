"""Shared helpers for study outputs: cached benchmark images, Markdown tables, JSON files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from pixtask.core.atomic_write import write_bytes_atomic
from pixtask.core.image_io import read_image


@lru_cache(maxsize=512)
def bench_image(path: Path) -> np.ndarray:
    """Benchmark images are re-read for every prompt of a study; decode each once."""
    img = read_image(path)
    img.setflags(write=False)
    return img


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]], align_right_from: int = 1) -> str:
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---" if i < align_right_from else "---:" for i in range(len(header))) + "|")
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write_json(path: Path, data: object) -> None:
    write_bytes_atomic(path, json.dumps(data, indent=1).encode())


def write_text(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode())


def pyplot():
    """matplotlib with the file-only backend (studies run on headless machines)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
