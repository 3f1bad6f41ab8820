"""Training checkpoints: everything needed to continue a run exactly, written atomically.

A checkpoint holds the model, EMA, optimizer and scheduler states, the step, the torch RNG
state, the resolved training config and the model's own config (what config.json would hold),
so the network is rebuilt from what it was, not from a variant name whose defaults may change.
It is read back with ``torch.load(weights_only=True)``: plain containers and tensors only.
The data stream needs no state: samples are a pure function of (seed, index).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import torch

from pixtask.core.atomic_write import atomic_target
from pixtask.models import create_model
from pixtask.models._registry import build_model, config_class

LATEST = "checkpoint-latest.pt"


def save_checkpoint(path: str | os.PathLike, state: dict[str, Any]) -> Path:
    path = Path(path)
    with atomic_target(path) as tmp:  # a crash mid-write leaves the previous checkpoint intact
        torch.save(state, tmp)
    return path


def load_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        with warnings.catch_warnings():  # torch's notes on pickle protocols: the error below says it all
            warnings.simplefilter("ignore")
            return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ValueError(f"{path}: not a readable pixtask checkpoint ({exc})") from None


def model_from_checkpoint(path: str | os.PathLike, ema: bool = True) -> tuple[torch.nn.Module, dict[str, Any]]:
    """The network a training checkpoint holds, so a long run can be evaluated or used before it ends.

    ``ema=True`` gives the weights the run's final model folder would hold (the EMA when the run
    keeps one, else the trained weights); ``ema=False`` the trained weights. Returns the model and
    a record of where it came from, for the model folder's config.json.
    """
    ckpt = load_checkpoint(path)
    if not isinstance(ckpt, dict) or not {"model", "config", "step"} <= ckpt.keys():
        raise ValueError(f"{path}: not a pixtask training checkpoint (no model, config and step)")
    cfg = ckpt["config"]
    saved = ckpt.get("model_config")
    if saved is not None:
        fields = {k: v for k, v in saved.items() if k not in ("format", "architecture")}
        model = build_model(config_class(saved["architecture"])(**fields))
    else:  # checkpoints before model_config: rebuilt from the variant name
        model = create_model(cfg["model"], **cfg.get("model_overrides", {}))
    use_ema = ema and ckpt.get("ema") is not None
    try:
        model.load_state_dict(ckpt["ema"] if use_ema else ckpt["model"])
    except RuntimeError as exc:
        raise ValueError(f"{path}: its weights do not fit the {cfg['model']} model its config names ({exc})") from None
    info = {"from_checkpoint": str(path), "checkpoint_step": int(ckpt["step"]), "weights": "ema" if use_ema else "raw"}
    return model.eval(), info
