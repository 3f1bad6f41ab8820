"""Validation on held-out (input, target) pairs, for early stopping and keeping the best weights.

Each validation pair's centred square (side a multiple of 32, at most 256) is predicted with
one fixed condition (an example pair, an instruction, or both) and scored by PSNR under the
benchmark's convention (:mod:`pixtask.evaluation.metrics`).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from pixtask.core.condition import Condition
from pixtask.data.paired_folder import PairedFolder
from pixtask.evaluation.metrics import compute_metric
from pixtask.models.condition_encoder import ConditionEncoder

SIDE = 256


def centre_square(img: np.ndarray, side: int = SIDE, multiple: int = 32) -> np.ndarray:
    h, w = img.shape[:2]
    s = min(side, h, w) // multiple * multiple
    if s < multiple:
        raise ValueError(f"a validation pair ({w}x{h}) is smaller than {multiple} px")
    top, left = (h - s) // 2, (w - s) // 2
    return img[top : top + s, left : left + s]


def _tensor(img: np.ndarray, device: torch.device) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))[None].to(device)


class Validator:
    """``validator(model) -> mean PSNR`` over ``pairs``, told the task by ``condition`` (its
    prompt images as float arrays; they are cropped to their centred square here)."""

    def __init__(self, pairs: PairedFolder, condition: Condition, encoder: ConditionEncoder, autocast) -> None:
        device = self.device = encoder.device
        self.autocast = autocast
        prompt = None
        if condition.prompt is not None:
            prompt = tuple(_tensor(centre_square(a), device) for a in condition.prompt)
        self.condition = encoder(Condition(prompt=prompt, instruction=condition.instruction))
        self.pairs = [
            (_tensor(centre_square(i), device), centre_square(t)) for i, t in map(pairs.load_pair, pairs.stems)
        ]

    @torch.no_grad()
    def __call__(self, model: nn.Module) -> float:
        was_training = model.training
        model.eval()
        scores = []
        with self.autocast():
            encoded = model.encode_condition(self.condition) if model.config.use_prompt else None
            for inp, target in self.pairs:
                out = model(inp, encoded=encoded).float().clamp(0, 1)[0].permute(1, 2, 0).cpu().numpy()
                scores.append(min(compute_metric("psnr", out, target), 100.0))
        model.train(was_training)
        return float(np.mean(scores))
