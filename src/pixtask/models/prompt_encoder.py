"""GenLV's prompt encoder: a small conv network that turns a prompt image into tokens on the
bottleneck's 1/8 grid. One encoder (shared weights) encodes both images of the prompt pair."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ResidualBlock(nn.Module):
    """conv3x3 - ReLU - conv3x3 plus identity (BasicSR ResidualBlockNoBN), init scaled by 0.1."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        for conv in (self.conv1, self.conv2):
            nn.init.kaiming_normal_(conv.weight)
            conv.weight.data *= 0.1
            nn.init.zeros_(conv.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.relu(self.conv1(x)))


def _channel_norm(norm: nn.LayerNorm, x: torch.Tensor) -> torch.Tensor:
    """nn.LayerNorm over the channels of a (B, C, H, W) map."""
    return norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class PromptEncoder(nn.Module):
    """(B, 3, H, W) image -> (B, H*W/64, out_dim) tokens.

    Stem (two 3x3 convs at ``nf``), three stages of 4 residual blocks each followed by
    PixelUnshuffle(2) and a 1x1 reduction (nf -> 2nf -> 4nf -> 8nf), then a 3x3 + 1x1 head to
    ``out_dim``; LayerNorm after the stem, each stage and the head. All convs have bias.
    """

    def __init__(self, nf: int, out_dim: int, blocks_per_stage: int = 4) -> None:
        super().__init__()
        self.conv_first = nn.Conv2d(3, nf, 3, padding=1)
        self.conv_hr = nn.Conv2d(nf, nf, 3, padding=1)
        self.norm = nn.LayerNorm(nf)
        for s, c in enumerate((nf, 2 * nf, 4 * nf), start=1):
            setattr(self, f"fea_level{s}", nn.Sequential(*[ResidualBlock(c) for _ in range(blocks_per_stage)]))
            setattr(self, f"channel_reduction{s}", nn.Conv2d(4 * c, 2 * c, 1))
            setattr(self, f"norm{s}", nn.LayerNorm(2 * c))
        self.conv_lr = nn.Conv2d(8 * nf, out_dim, 3, padding=1)
        self.conv_last = nn.Conv2d(out_dim, out_dim, 1)
        self.norm_out = nn.LayerNorm(out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _channel_norm(self.norm, self.conv_hr(F.gelu(self.conv_first(x))))
        for s in (1, 2, 3):
            x = F.pixel_unshuffle(F.gelu(getattr(self, f"fea_level{s}")(x)), 2)  # (B, 4c, H/2, W/2)
            x = getattr(self, f"channel_reduction{s}")(x)
            x = _channel_norm(getattr(self, f"norm{s}"), F.gelu(x))
        x = self.conv_last(F.gelu(self.conv_lr(x)))
        x = self.norm_out(x.flatten(2).transpose(1, 2))  # (B, HW/64, out_dim)
        return x
