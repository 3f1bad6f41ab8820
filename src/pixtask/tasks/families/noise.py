"""Noise degradations (GLV-Bench group 3). Noise is drawn from the operator's ``seed``
parameter, so prompt and query share the level but never the noise pattern."""

from __future__ import annotations

import cv2
import numpy as np

from pixtask.tasks._registry import register_operator
from pixtask.tasks.families._common import by_level, seeded
from pixtask.tasks.spec import LEVELS, Category, Operator


def _normal(shape: tuple[int, ...], sigma: float, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape, dtype=np.float32) * np.float32(sigma)


def gaussian_noise(img: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    return img + _normal(img.shape, sigma, seed)


def gaussian_noise_ycrcb(img: np.ndarray, sigma_y: float, chroma_ratio: float, seed: int) -> np.ndarray:
    """Gaussian noise in YCrCb, stronger in the chroma channels (colour noise of camera JPEGs)."""
    ycc = cv2.cvtColor(img, cv2.COLOR_RGB2YCrCb)
    sig = np.array([sigma_y, sigma_y * chroma_ratio, sigma_y * chroma_ratio], np.float32)
    ycc = ycc + np.random.default_rng(seed).standard_normal(img.shape, dtype=np.float32) * sig
    return cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)


def speckle_noise(img: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    return img + img * _normal(img.shape, sigma, seed)


def correlated_noise(img: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    """Gaussian noise smoothed by a 3x3 box: spatially correlated, like demosaiced sensor noise."""
    return img + cv2.blur(_normal(img.shape, sigma, seed), (3, 3))


def poisson_noise(img: np.ndarray, scale: float, seed: int) -> np.ndarray:
    """Shot noise: photon counts with mean ``img * scale``."""
    counts = np.random.default_rng(seed).poisson(np.clip(img, 0, 1).astype(np.float64) * scale)
    return (counts / scale).astype(np.float32)


def impulse_noise(img: np.ndarray, amount: float, seed: int) -> np.ndarray:
    """Salt-and-pepper noise per channel value, half salt and half pepper (vectorised)."""
    rng = np.random.default_rng(seed)
    u = rng.random(img.shape, dtype=np.float32)
    out = img.copy()
    out[u < amount / 2] = 0.0
    out[(u >= amount / 2) & (u < amount)] = 1.0
    return out


_RESTORE = dict(category=Category.RESTORATION, direction="restore")

register_operator(
    Operator("gaussian-noise", gaussian_noise, seeded(by_level(sigma=[0.05, 0.10, 0.15, 0.20, 0.25])), LEVELS),
    id="denoise-gaussian",
    name="Gaussian denoising",
    description="Remove additive white Gaussian noise in RGB (sigma 0.05-0.25).",
    **_RESTORE,
)
register_operator(
    Operator(
        "gaussian-noise-ycrcb",
        gaussian_noise_ycrcb,
        seeded(by_level(sigma_y=[0.05, 0.06, 0.07, 0.08, 0.09], chroma_ratio=[1.0, 1.45, 1.9, 2.35, 2.8])),
        LEVELS,
    ),
    id="denoise-gaussian-color",
    name="Colour-noise denoising",
    description="Remove Gaussian noise added in YCrCb with stronger chroma noise.",
    **_RESTORE,
)
register_operator(
    Operator("speckle-noise", speckle_noise, seeded(by_level(sigma=[0.14, 0.21, 0.28, 0.35, 0.42])), LEVELS),
    id="denoise-speckle",
    name="Speckle denoising",
    description="Remove multiplicative (speckle) noise.",
    **_RESTORE,
)
register_operator(
    Operator("correlated-noise", correlated_noise, seeded(by_level(sigma=[0.08, 0.11, 0.14, 0.18, 0.22])), LEVELS),
    id="denoise-correlated",
    name="Spatially-correlated denoising",
    description="Remove Gaussian noise that was box-filtered (correlated over 3x3 pixels).",
    **_RESTORE,
)
register_operator(
    Operator("poisson-noise", poisson_noise, seeded(by_level(scale=[80, 60, 40, 25, 15])), LEVELS),
    id="denoise-poisson",
    name="Poisson denoising",
    description="Remove shot noise: poisson(x * c) / c with c from 80 down to 15.",
    **_RESTORE,
)
register_operator(
    Operator("impulse-noise", impulse_noise, seeded(by_level(amount=[0.01, 0.03, 0.05, 0.07, 0.10])), LEVELS),
    id="denoise-impulse",
    name="Impulse (salt-and-pepper) denoising",
    description="Remove salt-and-pepper noise affecting 1-10% of the values.",
    **_RESTORE,
)
