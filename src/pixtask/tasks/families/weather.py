"""Weather and lens-contamination degradations: haze, snow and spatter.

Haze follows the atmospheric scattering model I = J*T + A*(1 - T), T = exp(-beta * depth).
No depth network ships in any package here, so depth is a documented proxy: a vertical
prior (higher rows are farther, as in most outdoor photos) mixed with heavily smoothed luma
(bright, flat regions such as sky read as far).
"""

from __future__ import annotations

import cv2
import numpy as np

from pixtask.tasks._registry import register_operator
from pixtask.tasks.families._common import by_level, gray, seeded
from pixtask.tasks.families.blur import motion_kernel
from pixtask.tasks.spec import LEVELS, Category, Operator, Pairing


def depth_proxy(img: np.ndarray) -> np.ndarray:
    """Relative depth in [0, 1] (1 = far) from image position and smoothed brightness."""
    h, w = img.shape[:2]
    vertical = np.linspace(1.0, 0.0, h, dtype=np.float32)[:, None].repeat(w, axis=1)
    smooth = cv2.GaussianBlur(gray(img), (0, 0), sigmaX=max(h, w) / 16)
    span = float(smooth.max() - smooth.min())
    smooth = (smooth - smooth.min()) / span if span > 1e-6 else np.zeros_like(smooth)
    return 0.65 * vertical + 0.35 * smooth


def haze(img: np.ndarray, beta: float, airlight: float) -> np.ndarray:
    t = np.exp(-beta * depth_proxy(img))[..., None]
    return img * t + airlight * (1.0 - t)


def snow(img: np.ndarray, density: float, flake_size: float, angle: float, seed: int) -> np.ndarray:
    """Falling snow: two layers of blurred flakes streaked along ``angle`` over a light haze."""
    h, w = img.shape[:2]
    rng = np.random.default_rng(seed)
    out = haze(img, beta=0.5 + 2.0 * density, airlight=0.75)
    for size in (flake_size, flake_size * 0.5):
        flakes = (rng.random((h, w), dtype=np.float32) < density * 0.02).astype(np.float32)
        flakes = cv2.GaussianBlur(flakes, (0, 0), sigmaX=max(size, 0.5))
        flakes = cv2.filter2D(flakes, -1, motion_kernel(max(2, int(size * 2)), size * 1.5, angle))
        peak = float(flakes.max())
        mask = np.clip(flakes / peak * 1.5, 0, 1)[..., None] if peak > 0 else flakes[..., None]
        out = out * (1 - mask) + mask
    return out


def spatter(img: np.ndarray, coverage: float, mud: bool, seed: int) -> np.ndarray:
    """Water or mud drops: thresholded smooth noise gives the blob shapes.

    Water blurs and brightens what is behind it; mud covers it with a brown, semi-opaque layer.
    """
    h, w = img.shape[:2]
    rng = np.random.default_rng(seed)
    field = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), sigmaX=max(h, w) / 80)
    field = (field - field.mean()) / (field.std() + 1e-8)
    threshold = float(np.quantile(field, 1.0 - coverage))
    mask = np.clip((field - threshold) * 4.0, 0, 1)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.0)[..., None]
    if mud:
        colour = np.array([0.32, 0.22, 0.12], np.float32)
        return img * (1 - 0.85 * mask) + colour * 0.85 * mask
    drop = np.clip(cv2.GaussianBlur(img, (0, 0), 3.0) * 1.1 + 0.06, 0, 1)
    return img * (1 - mask) + drop * mask


_RESTORE = dict(category=Category.RESTORATION, direction="restore")

register_operator(
    Operator(
        "haze",
        haze,
        lambda rng, level: {
            "beta": [0.8, 1.2, 1.8, 2.4, 3.0][level - 1],
            "airlight": round(float(rng.uniform(0.8, 0.95)), 3),
        },
        LEVELS,
    ),
    id="dehaze",
    name="Dehazing",
    description="Remove haze from the scattering model with a position/brightness depth proxy.",
    pairing=Pairing(note="airlight independent per image"),
    **_RESTORE,
)
register_operator(
    Operator(
        "snow",
        snow,
        seeded(
            by_level(density=[0.1, 0.2, 0.3, 0.45, 0.6], flake_size=[1.0, 1.5, 2.0, 2.5, 3.0]),
            angle=lambda rng: round(float(rng.uniform(60, 120)), 2),
        ),
        LEVELS,
    ),
    id="desnow",
    name="Desnowing",
    description="Remove falling snow and its light haze (airlight 0.75).",
    **_RESTORE,
)
register_operator(
    Operator(
        "spatter",
        spatter,
        seeded(by_level(coverage=[0.04, 0.07, 0.10, 0.14, 0.18]), mud=lambda rng: bool(rng.integers(2))),
        LEVELS,
    ),
    id="spatter-removal",
    name="Spatter removal",
    description="Remove water or mud drops covering 4-18% of the image.",
    pairing=Pairing(shared=("mud",), note="drop layout independent"),
    **_RESTORE,
)
