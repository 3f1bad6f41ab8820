"""Restormer's channel LayerNorm for (B, C, H, W) maps."""

from __future__ import annotations

import torch
from torch import nn


class _Affine(nn.Module):
    """Holds the weight and bias under ``body`` so state-dict keys match the official model."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))


class ChannelLayerNorm(nn.Module):
    """LayerNorm over channels at every pixel ("WithBias" variant, eps 1e-5).

    Normalises along dim 1 directly instead of reshaping to tokens: same numbers, no copies.
    """

    def __init__(self, channels: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.body = _Affine(channels)
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mu = x.mean(1, keepdim=True)
        var = (x - mu).pow(2).mean(1, keepdim=True)
        x = (x - mu) * torch.rsqrt(var + self.eps)
        return x * self.body.weight[:, None, None] + self.body.bias[:, None, None]
