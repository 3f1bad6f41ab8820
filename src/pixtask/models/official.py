"""Import checkpoints of the official GenLV code (chxy95/GenLV).

The official state dict uses the same module names as :class:`~pixtask.models.genlv.GenLV`
except for the prompt encoder's prefix, and its network works in **BGR**. Importing renames
the prefix and permutes the three colour-facing convolutions (query embedding, prompt-encoder
stem, output head) so that the imported model takes and returns RGB and computes exactly what
the official one computes on the channel-swapped image.

Files are read with ``torch.load(weights_only=True)``: tensors only, never pickled code.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from pixtask.models._registry import get_config
from pixtask.models.genlv import GenLV
from pixtask.models.hub import WeightsError, load_state

OFFICIAL_PROMPT_PREFIX = "Prompt_KV_Encoder.prompt_embedding."
OUR_PROMPT_PREFIX = "prompt_encoder."
# (key, axis) of the weights that face colour channels: input axis 1, output axis 0
COLOUR_WEIGHTS = (("patch_embed.proj.weight", 1), ("prompt_encoder.conv_first.weight", 1), ("output.weight", 0))
_WRAPPERS = ("model", "state_dict", "model_state_dict", "params_ema", "params")


def _unwrap(obj: object, source: str) -> dict[str, torch.Tensor]:
    """MAE-style training scripts save {'model': state_dict, 'optimizer': ...}; DDP adds 'module.'."""
    for _ in range(3):
        if isinstance(obj, dict) and not any(isinstance(v, torch.Tensor) for v in obj.values()):
            inner = next((obj[k] for k in _WRAPPERS if k in obj), None)
            if inner is None:
                raise WeightsError(f"{source}: no state dict found (top-level keys: {sorted(obj)[:8]})")
            obj = inner
    if not isinstance(obj, dict):
        raise WeightsError(f"{source}: expected a state dict, found {type(obj).__name__}")
    return {k.removeprefix("module."): v for k, v in obj.items() if isinstance(v, torch.Tensor)}


def _flip_colour(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    out = dict(state)
    for key, axis in COLOUR_WEIGHTS:
        if key in out:
            out[key] = out[key].flip(axis)
    return out


def convert_official_state_dict(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Official key layout and BGR -> pixtask layout and RGB."""
    renamed = {
        (OUR_PROMPT_PREFIX + k[len(OFFICIAL_PROMPT_PREFIX) :] if k.startswith(OFFICIAL_PROMPT_PREFIX) else k): v
        for k, v in state.items()
    }
    return _flip_colour(renamed)


def to_official_state_dict(model: GenLV) -> dict[str, torch.Tensor]:
    """pixtask -> official layout and BGR (the inverse of :func:`convert_official_state_dict`)."""
    state = _flip_colour({k: v.detach().clone() for k, v in model.state_dict().items()})
    return {
        (OFFICIAL_PROMPT_PREFIX + k[len(OUR_PROMPT_PREFIX) :] if k.startswith(OUR_PROMPT_PREFIX) else k): v
        for k, v in state.items()
    }


def import_official(path: str | os.PathLike, variant: str = "genlv-base") -> GenLV:
    """Load an official ``.pth`` checkpoint into the named variant.

    The prompt-encoder width (64 in the paper, 32 in the GenLV-101 release) is read from the
    checkpoint itself; a checkpoint of another variant fails with the mismatching keys.
    """
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{path}: no such checkpoint file")
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle errors, truncated zip files, objects refused by weights_only
        raise WeightsError(f"{path}: cannot be read as a tensor-only checkpoint ({exc})") from None
    state = convert_official_state_dict(_unwrap(raw, str(path)))
    stem = state.get("prompt_encoder.conv_first.weight")
    overrides = {"prompt_nf": int(stem.shape[0])} if stem is not None else {"use_prompt": False}
    model = GenLV(get_config(variant, **overrides))
    load_state(model, state, source=str(path))
    return model.eval()
