"""Training checkpoints: everything needed to continue a run exactly, written atomically.

A checkpoint holds the model, EMA, optimizer and scheduler states, the step, the torch RNG
state and the resolved config. It is read back with ``torch.load(weights_only=True)``: plain
containers and tensors only. The data stream needs no state: samples are a pure function of
(seed, index).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch

LATEST = "checkpoint-latest.pt"


def save_checkpoint(path: str | os.PathLike, state: dict[str, Any]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        torch.save(state, tmp)
        os.replace(tmp, path)  # a crash mid-write leaves the previous checkpoint intact
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def load_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}; start without --resume")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ValueError(f"{path}: not a readable pixtask checkpoint ({exc})") from None
