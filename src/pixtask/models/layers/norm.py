"""Restormer's channel LayerNorm for (B, C, H, W) maps."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class _Affine(nn.Module):
    """Holds the weight and bias under ``body`` so state-dict keys match the official model."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))


class ChannelLayerNorm(nn.Module):
    """LayerNorm over channels at every pixel ("WithBias" variant, eps 1e-5).

    Runs the fused ``F.layer_norm`` on the NHWC view, which costs no copy when the tensor is
    channels_last (the fast layout on CPU).
    """

    def __init__(self, channels: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.body = _Affine(channels)
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.layer_norm(x.permute(0, 2, 3, 1), (x.shape[1],), self.body.weight, self.body.bias, self.eps)
        return y.permute(0, 3, 1, 2)
