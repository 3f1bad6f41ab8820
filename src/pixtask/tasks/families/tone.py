"""Brightness, contrast and saturation shifts in both directions, and oversharpening.

Each family mixes sub-types (HSV vs RGB, shift vs gamma, ...), drawn uniformly per pair; prompt
and query share the sub-type and the severity, as GenLV applies one distortion to both.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from pixtask.tasks._registry import register_operator
from pixtask.tasks.families._common import by_level, gray
from pixtask.tasks.spec import LEVELS, Category, Operator, Pairing, Params


def _hsv_apply(img: np.ndarray, channel: int, fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    hsv = cv2.cvtColor(np.clip(img, 0, 1), cv2.COLOR_RGB2HSV)
    hsv[..., channel] = np.clip(fn(hsv[..., channel]), 0, 1)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def _ycrcb_chroma(img: np.ndarray, factor: float) -> np.ndarray:
    ycc = cv2.cvtColor(img, cv2.COLOR_RGB2YCrCb)
    ycc[..., 1:] = 0.5 + (ycc[..., 1:] - 0.5) * factor
    return cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)


def _contrast_scale(img: np.ndarray, factor: float) -> np.ndarray:
    """Pillow's ImageEnhance.Contrast: blend with the mean grey level."""
    mean = float(gray(img).mean())
    return mean + (img - mean) * factor


def _contrast_sigmoid(img: np.ndarray, c: float) -> np.ndarray:
    """1 / (1 + (mean / x) ** c): c > 1 stretches contrast around the mean, c < 1 flattens it."""
    mean = float(img.mean())
    x = np.maximum(img, 1e-4)
    with np.errstate(over="ignore"):  # (mean / x) ** c overflows to inf for dark pixels: the limit 0 is right
        return 1.0 / (1.0 + (mean / x) ** c)


_KINDS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "hsv-shift": lambda img, a: _hsv_apply(img, 2, lambda v: v + a),
    "rgb-shift": lambda img, a: img + a,
    "rgb-gamma": lambda img, g: np.power(np.clip(img, 0, 1), g),
    "hsv-gamma": lambda img, g: _hsv_apply(img, 2, lambda v: np.power(v, g)),
    "contrast-scale": _contrast_scale,
    "contrast-sigmoid": _contrast_sigmoid,
    "hsv-saturation": lambda img, f: _hsv_apply(img, 1, lambda s: s * f),
    "ycrcb-chroma": _ycrcb_chroma,
}


def tone_shift(img: np.ndarray, kind: str, amount: float) -> np.ndarray:
    """Apply one of the brightness/contrast/saturation sub-types with its amount."""
    try:
        fn = _KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown tone kind {kind!r}; expected one of {sorted(_KINDS)}") from None
    return fn(img, amount)


def _kind_sampler(tables: dict[str, list[float]]):
    kinds = sorted(tables)

    def sample(rng: np.random.Generator, level: int | None) -> Params:
        kind = kinds[int(rng.integers(len(kinds)))]
        return {"kind": kind, "amount": float(tables[kind][level - 1])}

    return sample


def oversharpen(img: np.ndarray, amount: float) -> np.ndarray:
    """Unsharp masking with a 5x5 Gaussian, far past the pleasant range."""
    return img + amount * (img - cv2.GaussianBlur(img, (5, 5), 0))


_FAMILIES = {
    "brighten": (
        "Over-brightening correction",
        {
            "hsv-shift": [0.1, 0.2, 0.3, 0.4, 0.5],
            "rgb-shift": [0.1, 0.15, 0.2, 0.27, 0.35],
            "rgb-gamma": [0.8, 0.7, 0.6, 0.45, 0.3],
            "hsv-gamma": [0.7, 0.58, 0.47, 0.36, 0.25],
        },
    ),
    "darken": (
        "Over-darkening correction",
        {
            "hsv-shift": [-0.1, -0.2, -0.3, -0.4, -0.5],
            "rgb-shift": [-0.1, -0.15, -0.2, -0.27, -0.35],
            "rgb-gamma": [1.4, 1.7, 2.1, 2.6, 3.2],
            "hsv-gamma": [1.5, 1.8, 2.2, 2.7, 3.5],
        },
    ),
    "contrast-strengthen": (
        "Contrast-strengthening correction",
        {"contrast-scale": [1.4, 1.7, 2.1, 2.6, 4.0], "contrast-sigmoid": [2, 4, 6, 8, 10]},
    ),
    "contrast-weaken": (
        "Contrast-weakening correction",
        {"contrast-scale": [0.75, 0.6, 0.45, 0.3, 0.2], "contrast-sigmoid": [1.0, 0.9, 0.8, 0.6, 0.4]},
    ),
    "saturate-strengthen": (
        "Over-saturation correction",
        {"hsv-saturation": [3, 6, 12, 20, 64], "ycrcb-chroma": [2, 3, 5, 8, 16]},
    ),
    "saturate-weaken": (
        "Desaturation correction",
        {"hsv-saturation": [0.7, 0.55, 0.4, 0.2, 0.0], "ycrcb-chroma": [0.6, 0.4, 0.2, 0.1, 0.0]},
    ),
}

for _family, (_name, _tables) in _FAMILIES.items():
    register_operator(
        Operator(_family, tone_shift, _kind_sampler(_tables), LEVELS),
        id=f"{_family}-correction",
        name=_name,
        category=Category.ENHANCEMENT,
        direction="restore",
        description=f"Undo a '{_family}' shift; sub-types: {', '.join(sorted(_tables))}.",
        pairing=Pairing(shared=("kind", "amount"), note="the amount follows from sub-type and level"),
    )

register_operator(
    Operator("oversharpen", oversharpen, by_level(amount=[2, 2.8, 4, 6, 8]), LEVELS),
    id="oversharpen-removal",
    name="Oversharpening removal",
    category=Category.RESTORATION,
    direction="restore",
    description="Undo strong unsharp masking (amount 2-8, 5x5 Gaussian).",
)
