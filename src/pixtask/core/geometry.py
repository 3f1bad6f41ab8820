"""Resizing, cropping and padding that keep the aspect ratio: benchmark images are never warped."""

from __future__ import annotations

import cv2
import numpy as np
import torch
import torch.nn.functional as F


def resize_short_side(img: np.ndarray, size: int) -> np.ndarray:
    """Scale uniformly (area filter) so the shorter side equals ``size``; only ever shrinks.

    Raises ValueError for an image whose shorter side is below ``size``: upsampling would
    invent detail that a clean target must not contain.
    """
    h, w = img.shape[:2]
    short = min(h, w)
    if short < size:
        raise ValueError(f"image of {w}x{h} is smaller than the requested size {size}")
    if short == size:
        return img
    scale = size / short
    new_w, new_h = max(size, round(w * scale)), max(size, round(h * scale))
    return cv2.resize(img, (new_w, new_h), interpolation=cv2.INTER_AREA)


def crop_box(img: np.ndarray, top: int, left: int, height: int, width: int) -> np.ndarray:
    """The window at (top, left), checked to lie inside the image."""
    h, w = img.shape[:2]
    if top < 0 or left < 0 or top + height > h or left + width > w:
        raise ValueError(f"crop ({top}, {left}, {height}, {width}) falls outside an image of {w}x{h}")
    return img[top : top + height, left : left + width]


def center_square(img: np.ndarray, size: int) -> np.ndarray:
    """Shrink the shorter side to ``size`` and cut the centred ``size`` x ``size`` square."""
    img = resize_short_side(img, size)
    h, w = img.shape[:2]
    return crop_box(img, (h - size) // 2, (w - size) // 2, size, size)


def pad_to_multiple(x: torch.Tensor, multiple: int) -> tuple[torch.Tensor, tuple[int, int]]:
    """Pad (B, C, H, W) at the bottom/right up to multiples of ``multiple``; reflect where the
    image is large enough, replicate otherwise. Returns the padded tensor and (H, W)."""
    h, w = x.shape[-2:]
    ph, pw = -h % multiple, -w % multiple
    if ph or pw:
        mode = "reflect" if ph < h and pw < w else "replicate"
        x = F.pad(x, (0, pw, 0, ph), mode=mode)
    return x, (h, w)
