"""Blur degradations (GLV-Bench group 2 and the few-shot lens-mask blur).

Severity tables follow the DepictQA-style distortion library that GenLV uses
(shared/reference/genlv-tasks.md §4.1). Prompt and query share the severity; random
directions and pixel shuffles are drawn per image.
"""

from __future__ import annotations

import cv2
import numpy as np

from pixtask.tasks._registry import register_operator
from pixtask.tasks.families._common import by_level, drawn, radius_map, seeded
from pixtask.tasks.spec import LEVELS, Category, Operator

_BORDER = cv2.BORDER_REFLECT_101


def gaussian_blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigmaX=sigma, borderType=_BORDER)


def motion_kernel(radius: int, sigma: float, angle: float) -> np.ndarray:
    """A line kernel of length 2*radius+1, Gaussian-weighted along it, rotated to ``angle`` degrees."""
    size = 2 * radius + 1
    kernel = np.zeros((size, size), np.float32)
    offsets = np.arange(size, dtype=np.float32) - radius
    kernel[radius, :] = np.exp(-0.5 * (offsets / sigma) ** 2)
    rot = cv2.getRotationMatrix2D((radius, radius), angle, 1.0)
    kernel = cv2.warpAffine(kernel, rot, (size, size), flags=cv2.INTER_LINEAR)
    return kernel / kernel.sum()


def motion_blur(img: np.ndarray, radius: int, sigma: float, angle: float) -> np.ndarray:
    return cv2.filter2D(img, -1, motion_kernel(radius, sigma, angle), borderType=_BORDER)


def _displace(img: np.ndarray, max_shift: int, rng: np.random.Generator) -> np.ndarray:
    """Move every pixel by an independent random offset in [-max_shift, max_shift]."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dx = rng.integers(-max_shift, max_shift + 1, size=(h, w)).astype(np.float32)
    dy = rng.integers(-max_shift, max_shift + 1, size=(h, w)).astype(np.float32)
    return cv2.remap(img, xx + dx, yy + dy, cv2.INTER_NEAREST, borderMode=_BORDER)


def glass_blur(img: np.ndarray, sigma: float, shift: int, iterations: int, seed: int) -> np.ndarray:
    """Frosted glass: blur, locally shuffle pixels, blur again (vectorised shuffle via remap)."""
    rng = np.random.default_rng(seed)
    out = gaussian_blur(img, sigma)
    for _ in range(iterations):
        out = _displace(out, shift, rng)
    return gaussian_blur(out, sigma)


def disk_kernel(radius: float) -> np.ndarray:
    """An anti-aliased disk (defocus) kernel: 4x supersampled coverage of the circle."""
    size = 2 * int(np.ceil(radius)) + 1
    fine = 4
    c = (size * fine - 1) / 2
    yy, xx = np.mgrid[0 : size * fine, 0 : size * fine]
    inside = ((yy - c) ** 2 + (xx - c) ** 2 <= (radius * fine) ** 2).astype(np.float32)
    kernel = inside.reshape(size, fine, size, fine).mean(axis=(1, 3))
    return kernel / kernel.sum()


def lens_blur(img: np.ndarray, radius: float) -> np.ndarray:
    return cv2.filter2D(img, -1, disk_kernel(radius), borderType=_BORDER)


def zoom_blur(img: np.ndarray, max_zoom: float) -> np.ndarray:
    """Average of centre crops zoomed by 1, 1.02, ... up to ``max_zoom``."""
    h, w = img.shape[:2]
    acc = img.astype(np.float32, copy=True)
    zooms = np.arange(1.02, max_zoom + 1e-6, 0.02)
    for z in zooms:
        zh, zw = int(np.ceil(h * z)), int(np.ceil(w * z))
        big = cv2.resize(img, (zw, zh), interpolation=cv2.INTER_LINEAR)
        top, left = (zh - h) // 2, (zw - w) // 2
        acc += big[top : top + h, left : left + w]
    return acc / (len(zooms) + 1)


def jitter_blur(img: np.ndarray, shift: int, seed: int) -> np.ndarray:
    """Pixels displaced by up to ``shift`` in each direction, independently per pixel."""
    return _displace(img, shift, np.random.default_rng(seed))


def lensmask_blur(img: np.ndarray, gamma: float, sigma: float) -> np.ndarray:
    """Gaussian blur that grows towards the corners, like a cheap lens: mix = r ** (1 / gamma)."""
    h, w = img.shape[:2]
    mix = (radius_map(h, w) ** (1.0 / gamma))[..., None]
    return img * (1.0 - mix) + gaussian_blur(img, sigma) * mix


_RESTORE = dict(category=Category.RESTORATION, direction="restore")

register_operator(
    Operator("gaussian-blur", gaussian_blur, by_level(sigma=[1, 2, 3, 4, 5]), LEVELS),
    id="deblur-gaussian",
    name="Gaussian deblurring",
    description="Remove isotropic Gaussian blur (sigma 1-5 px).",
    **_RESTORE,
)
register_operator(
    Operator(
        "motion-blur",
        motion_blur,
        drawn(
            by_level(radius=[5, 10, 15, 15, 20], sigma=[3, 5, 7, 9, 12]),
            angle=lambda rng: round(float(rng.uniform(-90, 90)), 2),
        ),
        LEVELS,
    ),
    id="deblur-motion",
    name="Motion deblurring",
    description="Remove linear motion blur of random direction.",
    **_RESTORE,
)
register_operator(
    Operator(
        "glass-blur",
        glass_blur,
        seeded(by_level(sigma=[0.7, 0.9, 1.2, 1.4, 1.6], shift=[1, 2, 2, 3, 4], iterations=[1, 1, 2, 2, 2])),
        LEVELS,
    ),
    id="deblur-glass",
    name="Glass deblurring",
    description="Remove frosted-glass blur (blur + local pixel shuffling).",
    **_RESTORE,
)
register_operator(
    Operator("lens-blur", lens_blur, by_level(radius=[2, 3, 4, 6, 8]), LEVELS),
    id="deblur-lens",
    name="Lens (defocus) deblurring",
    description="Remove disk-shaped defocus blur.",
    **_RESTORE,
)
register_operator(
    Operator("zoom-blur", zoom_blur, by_level(max_zoom=[1.03, 1.06, 1.10, 1.15, 1.21]), LEVELS),
    id="deblur-zoom",
    name="Zoom deblurring",
    description="Remove radial zoom blur.",
    **_RESTORE,
)
register_operator(
    Operator("jitter-blur", jitter_blur, seeded(by_level(shift=[1, 2, 3, 4, 5])), LEVELS),
    id="deblur-jitter",
    name="Jitter deblurring",
    description="Remove per-pixel positional jitter.",
    **_RESTORE,
)
register_operator(
    Operator(
        "lensmask-blur",
        lensmask_blur,
        by_level(gamma=[2.0, 2.4, 3.0, 3.8, 5.0], sigma=[2, 4, 6, 8, 10]),
        LEVELS,
    ),
    id="deblur-lensmask",
    name="Gaussian lens-mask deblurring",
    description="Remove blur that grows towards the corners (GenLV's few-shot task).",
    **_RESTORE,
)
