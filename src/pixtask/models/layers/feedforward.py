"""Gated-Dconv feed-forward network (GDFN, Restormer)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class GatedDconvFeedForward(nn.Module):
    """1x1 expand to 2*hidden, depthwise 3x3, GELU(x1) * x2 gate, 1x1 project back.

    ``hidden = int(channels * factor)``, e.g. 127 for 48 channels at factor 2.66.
    """

    def __init__(self, channels: int, factor: float = 2.66, bias: bool = False) -> None:
        super().__init__()
        hidden = int(channels * factor)
        self.project_in = nn.Conv2d(channels, hidden * 2, 1, bias=bias)
        self.dwconv = nn.Conv2d(hidden * 2, hidden * 2, 3, padding=1, groups=hidden * 2, bias=bias)
        self.project_out = nn.Conv2d(hidden, channels, 1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1, x2 = self.dwconv(self.project_in(x)).chunk(2, dim=1)
        return self.project_out(F.gelu(x1) * x2)
