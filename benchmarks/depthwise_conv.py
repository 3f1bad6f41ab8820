"""Can GenLV's depthwise 3x3 convolutions (every feed-forward and channel-attention block) train
faster on CPU written another way? Times forward + backward of the same depthwise convolution as
torch's grouped conv (NCHW), the same in channels_last, and as nine shifted multiply-adds (the
one formulation that avoids the convolution kernels), at the shapes of a genlv-tiny step (batch
8, crop 64), and checks that they agree.

    python benchmarks/depthwise_conv.py       # ~1 minute on 2 cores; prints a table
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F

# (batch, channels, side): the feed-forward's 2 x 127 channels at 64 px, then the levels below
SHAPES = [(8, 254, 64), (8, 144, 64), (8, 508, 32), (8, 1016, 16)]


def grouped(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    return F.conv2d(x, w, padding=1, groups=x.shape[1])


def shifted(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """The same convolution as a sum of nine shifted, per-channel scaled copies of the input."""
    h, wd = x.shape[-2:]
    padded = F.pad(x, (1, 1, 1, 1))
    out = None
    for i in range(3):
        for j in range(3):
            term = padded[:, :, i : i + h, j : j + wd] * w[:, 0, i, j].view(1, -1, 1, 1)
            out = term if out is None else out + term
    return out


def step_ms(fn, x: torch.Tensor, w: torch.Tensor, steps: int = 10) -> float:
    for _ in range(2):
        fn(x, w).square().mean().backward()
    start = time.perf_counter()
    for _ in range(steps):
        fn(x, w).square().mean().backward()
    return (time.perf_counter() - start) / steps * 1000


def main() -> None:
    torch.manual_seed(0)
    print("| batch, channels, side | max difference | grouped conv (ms) | channels_last (ms) | shifted (ms) |")
    print("|---|---:|---:|---:|---:|")
    for b, c, side in SHAPES:
        x = torch.randn(b, c, side, side, requires_grad=True)
        w = torch.randn(c, 1, 3, 3, requires_grad=True)
        x_cl = x.detach().contiguous(memory_format=torch.channels_last).requires_grad_()
        diff = (grouped(x, w) - shifted(x, w)).abs().max().item()
        times = [step_ms(grouped, x, w), step_ms(grouped, x_cl, w), step_ms(shifted, x, w)]
        print(f"| {b}, {c}, {side} | {diff:.1e} | " + " | ".join(f"{t:.1f}" for t in times) + " |")


if __name__ == "__main__":
    main()
