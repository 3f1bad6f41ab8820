"""Padding to the model's size multiple, and tiled inference with overlap blending.

Tiles are processed one at a time, so peak memory depends on the tile size, not the image:
only the output and a weight map of the full image are held. Overlapping tiles are blended
with weights that ramp linearly over the overlap, which hides seams.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from pixtask.core.geometry import pad_to_multiple

__all__ = ["pad_to_multiple", "tiled_apply"]


def _starts(length: int, tile: int, stride: int) -> list[int]:
    if length <= tile:
        return [0]
    starts = list(range(0, length - tile, stride))
    return [*starts, length - tile]


def _ramp(length: int, overlap: int, device, dtype) -> torch.Tensor:
    i = torch.arange(length, device=device, dtype=dtype)
    if overlap <= 0:
        return torch.ones(length, device=device, dtype=dtype)
    return torch.minimum(torch.ones_like(i), torch.minimum(i + 1, length - i) / (overlap + 1))


def tiled_apply(
    fn: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    tile: int,
    overlap: int,
    multiple: int,
    on_tile: Callable[[int, int], None] | None = None,
) -> torch.Tensor:
    """Apply ``fn`` to overlapping ``tile`` x ``tile`` windows of (B, C, H, W) ``x`` (H, W
    multiples of ``multiple``) and blend the results. ``on_tile(done, total)`` reports progress."""
    if tile % multiple or tile <= 0:
        raise ValueError(f"tile must be a positive multiple of {multiple}, got {tile}")
    if not 0 <= overlap < tile:
        raise ValueError(f"overlap must be in [0, tile), got {overlap}")
    b, _, h, w = x.shape
    th, tw = min(tile, h), min(tile, w)
    ys, xs = _starts(h, th, th - overlap), _starts(w, tw, tw - overlap)
    out = torch.zeros(b, 3, h, w, device=x.device, dtype=torch.float32)
    norm = torch.zeros(1, 1, h, w, device=x.device, dtype=torch.float32)
    weight = _ramp(th, overlap, x.device, torch.float32)[:, None] * _ramp(tw, overlap, x.device, torch.float32)[None]
    total, done = len(ys) * len(xs), 0
    for y in ys:
        for x0 in xs:
            pred = fn(x[..., y : y + th, x0 : x0 + tw]).float()
            out[..., y : y + th, x0 : x0 + tw] += pred * weight
            norm[..., y : y + th, x0 : x0 + tw] += weight
            done += 1
            if on_tile:
                on_tile(done, total)
    return out / norm
