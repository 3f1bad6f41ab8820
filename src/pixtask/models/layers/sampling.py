"""Pixel-(un)shuffle resampling between U-Net levels (no bias, as in Restormer)."""

from __future__ import annotations

import torch
from torch import nn


class Downsample(nn.Module):
    """C -> 2C channels at half resolution: 3x3 conv to C/2, then PixelUnshuffle(2)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(channels, channels // 2, 3, padding=1, bias=False), nn.PixelUnshuffle(2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class Upsample(nn.Module):
    """C -> C/2 channels at double resolution: 3x3 conv to 2C, then PixelShuffle(2)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(channels, channels * 2, 3, padding=1, bias=False), nn.PixelShuffle(2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)
