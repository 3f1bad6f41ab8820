"""Small helpers the family modules share: samplers built from severity tables, and colour
conversions that keep float32 [0, 1] RGB."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import cv2
import numpy as np

from pixtask.tasks.spec import Params, Sampler


def by_level(**tables: Sequence[Any]) -> Sampler:
    """Sampler that looks parameters up in per-level tables (level 1 -> index 0)."""
    for key, table in tables.items():
        if len(table) != 5:
            raise ValueError(f"table {key!r} needs 5 entries, one per level")

    def sample(rng: np.random.Generator, level: int | None) -> Params:
        return {key: _plain(table[level - 1]) for key, table in tables.items()}

    return sample


def fixed(**params: Any) -> Sampler:
    """Sampler for a level-less, deterministic operator."""

    def sample(rng: np.random.Generator, level: int | None) -> Params:
        return {key: _plain(v) for key, v in params.items()}

    return sample


def drawn(inner: Sampler | None = None, **extra: Callable[[np.random.Generator], Any]) -> Sampler:
    """Wrap a sampler: add values drawn per image by the ``extra`` callables."""

    def sample(rng: np.random.Generator, level: int | None) -> Params:
        params = inner(rng, level) if inner else {}
        for key, draw in extra.items():
            params[key] = _plain(draw(rng))
        return params

    return sample


def seeded(inner: Sampler | None = None, **extra: Callable[[np.random.Generator], Any]) -> Sampler:
    """Like :func:`drawn`, plus a ``seed`` for the operator's per-pixel randomness."""
    return drawn(inner, **extra, seed=lambda rng: int(rng.integers(0, 2**31 - 1)))


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars, tuples -> lists: manifests must be plain JSON."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def gray(img: np.ndarray) -> np.ndarray:
    """Luma (BT.601, as OpenCV) of an RGB image, shape (H, W)."""
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


def gray3(grey: np.ndarray) -> np.ndarray:
    """A single-channel map replicated to the (H, W, 3) convention."""
    return np.repeat(grey[..., None].astype(np.float32, copy=False), 3, axis=2)


def to_u8(img: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(img * 255.0), 0, 255).astype(np.uint8)


def from_u8(arr: np.ndarray) -> np.ndarray:
    return arr.astype(np.float32) * np.float32(1.0 / 255.0)


def radius_map(h: int, w: int) -> np.ndarray:
    """Distance from the image centre, 1.0 at the corners."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.hypot((yy - (h - 1) / 2) / ((h - 1) / 2 or 1), (xx - (w - 1) / 2) / ((w - 1) / 2 or 1))
    return r / np.sqrt(2.0)
