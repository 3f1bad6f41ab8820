"""The one image contract inside pixtask: float32 RGB, (H, W, 3), values in [0, 1]."""

from __future__ import annotations

import numpy as np


def check_image(img: np.ndarray, name: str = "image") -> np.ndarray:
    """Raise a specific error unless ``img`` is an (H, W, 3) float32 array in [0, 1]; return it."""
    if not isinstance(img, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(img).__name__}")
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f"{name} must have shape (H, W, 3), got {img.shape}")
    if img.dtype != np.float32:
        raise TypeError(f"{name} must be float32, got {img.dtype}")
    if img.shape[0] < 1 or img.shape[1] < 1:
        raise ValueError(f"{name} is empty: shape {img.shape}")
    return img
