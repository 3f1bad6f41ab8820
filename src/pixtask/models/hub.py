"""save_pretrained / from_pretrained over a folder holding config.json + model.safetensors."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from pixtask.core.atomic_write import atomic_target, write_bytes_atomic
from pixtask.models.genlv import GenLV, GenLVConfig

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
FORMAT = "pixtask-genlv/1"


PRETRAINED_DIR = Path(__file__).parent / "pretrained"
DEFAULT_MODEL = "pixtask-tiny"


class WeightsError(ValueError):
    """A weights folder is missing, incomplete, or does not fit the model."""


def list_pretrained() -> list[str]:
    """Names of the models shipped inside the package (each a folder in ``PRETRAINED_DIR``)."""
    if not PRETRAINED_DIR.is_dir():
        return []
    return sorted(p.name for p in PRETRAINED_DIR.iterdir() if (p / WEIGHTS_NAME).is_file())


def resolve_model_folder(name_or_folder: str | os.PathLike) -> Path:
    """A folder path as given, or the folder of a shipped model by name (e.g. ``pixtask-tiny``).

    A path wins over a shipped name, so a user's ``./pixtask-tiny`` folder is never shadowed.
    """
    folder = Path(name_or_folder)
    if folder.is_dir():
        return folder
    if str(name_or_folder) in list_pretrained():
        return PRETRAINED_DIR / str(name_or_folder)
    shipped = ", ".join(list_pretrained()) or "none"
    raise WeightsError(f"{name_or_folder}: neither a model folder nor a shipped model (shipped: {shipped})")


def save_pretrained(model: GenLV, folder: str | os.PathLike, extra: dict | None = None) -> Path:
    """Write ``config.json`` and ``model.safetensors`` (fp32, contiguous) into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    config = {"format": FORMAT, "architecture": "GenLV", **dataclasses.asdict(model.config), **(extra or {})}
    state = {k: v.detach().to("cpu", torch.float32).contiguous() for k, v in model.state_dict().items()}
    with atomic_target(folder / WEIGHTS_NAME) as tmp:
        save_file(state, tmp, metadata={"format": FORMAT})
    write_bytes_atomic(folder / CONFIG_NAME, json.dumps(config, indent=1, sort_keys=True).encode())
    return folder


def load_config(folder: str | os.PathLike) -> GenLVConfig:
    path = Path(folder) / CONFIG_NAME
    if not path.is_file():
        raise WeightsError(f"{folder}: no {CONFIG_NAME}; expected a folder written by save_pretrained")
    try:
        raw = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise WeightsError(f"{path}: not valid JSON ({exc})") from None
    if raw.get("format") != FORMAT:
        raise WeightsError(f"{path}: format {raw.get('format')!r}, expected {FORMAT!r}")
    fields = {f.name for f in dataclasses.fields(GenLVConfig)}
    try:
        return GenLVConfig(**{k: v for k, v in raw.items() if k in fields})
    except (TypeError, ValueError) as exc:
        raise WeightsError(f"{path}: invalid config ({exc})") from None


def model_info(folder: str | os.PathLike) -> dict:
    """The whole config.json, including what training recorded beside the architecture
    (e.g. ``trained_tasks``), so studies can tell seen tasks from held-out ones."""
    folder = resolve_model_folder(folder)
    load_config(folder)  # validates
    return json.loads((folder / CONFIG_NAME).read_text())


def from_pretrained(folder: str | os.PathLike = DEFAULT_MODEL, device: str | torch.device = "cpu") -> GenLV:
    """Rebuild the model from config.json, then load the weights strictly (eval mode).

    ``folder`` is a folder written by :func:`save_pretrained` or a shipped model's name.
    """
    folder = resolve_model_folder(folder)
    config = load_config(folder)
    weights = folder / WEIGHTS_NAME
    if not weights.is_file():
        raise WeightsError(f"{folder}: no {WEIGHTS_NAME}")
    model = GenLV(config)
    load_state(model, load_file(str(weights), device="cpu"), source=str(weights))
    return model.to(device).eval()


def load_state(model: GenLV, state: dict[str, torch.Tensor], source: str) -> None:
    """Strict load with an error that lists what is missing, unexpected or mis-shaped."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = [
        f"{k}: {tuple(state[k].shape)} vs {tuple(own[k].shape)}"
        for k in own
        if k in state and state[k].shape != own[k].shape
    ]
    if missing or unexpected or shapes:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing (e.g. {missing[:3]})")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected (e.g. {unexpected[:3]})")
        if shapes:
            parts.append(f"{len(shapes)} with another shape (e.g. {shapes[:2]})")
        raise WeightsError(f"{source} does not fit this model config: " + "; ".join(parts))
    model.load_state_dict(state, strict=True)
