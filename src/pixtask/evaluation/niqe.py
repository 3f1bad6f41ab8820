"""NIQE, the no-reference Natural Image Quality Evaluator (Mittal et al. 2013); lower is better.

Follows the MATLAB reference as BasicSR does: the image's Y channel (ITU-R BT.601, 16-235,
rounded), 96x96 blocks, MSCN coefficients with a 7x7 Gaussian window, 18 AGGD features per
block at full and half resolution (MATLAB-style antialiased bicubic), and the distance between
the image's feature Gaussian and the pristine model shipped in ``data/niqe_pristine.npz``.
"""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np
from PIL import Image
from scipy.ndimage import convolve
from scipy.special import gamma

BLOCK = 96
_SHAPES = np.arange(0.2, 10.001, 0.001)  # candidate AGGD shape parameters
_RATIO = gamma(2 / _SHAPES) ** 2 / (gamma(1 / _SHAPES) * gamma(3 / _SHAPES))


@functools.cache
def _pristine() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with resources.files("pixtask.evaluation").joinpath("data/niqe_pristine.npz").open("rb") as fh:
        data = np.load(fh)
        return data["mu_pris_param"].ravel(), data["cov_pris_param"], data["gaussian_window"]


def _aggd(x: np.ndarray) -> tuple[float, float, float]:
    """Asymmetric generalised Gaussian fit by moment matching: (shape, left scale, right scale)."""
    x = x.ravel()
    left = np.sqrt(np.mean(x[x < 0] ** 2)) if (x < 0).any() else 0.0
    right = np.sqrt(np.mean(x[x > 0] ** 2)) if (x > 0).any() else 0.0
    g = left / right if right > 0 else np.inf
    r = np.mean(np.abs(x)) ** 2 / np.mean(x**2)
    r_norm = r * (g**3 + 1) * (g + 1) / (g**2 + 1) ** 2
    shape = _SHAPES[np.argmin((_RATIO - r_norm) ** 2)]
    factor = np.sqrt(gamma(1 / shape) / gamma(3 / shape))
    return float(shape), float(left * factor), float(right * factor)


def _block_features(block: np.ndarray) -> list[float]:
    shape, left, right = _aggd(block)
    feats = [shape, (left + right) / 2]
    for shift in ((0, 1), (1, 0), (1, 1), (1, -1)):  # horizontal, vertical, two diagonals
        shape, left, right = _aggd(block * np.roll(block, shift, axis=(0, 1)))
        mean = (right - left) * gamma(2 / shape) / gamma(1 / shape)
        feats += [shape, mean, left, right]
    return feats


def _mscn(y: np.ndarray, window: np.ndarray) -> np.ndarray:
    mu = convolve(y, window, mode="nearest")
    sigma = np.sqrt(np.abs(convolve(y * y, window, mode="nearest") - mu * mu))
    return (y - mu) / (sigma + 1)


def _half(y: np.ndarray) -> np.ndarray:
    h, w = y.shape
    return np.asarray(Image.fromarray(y.astype(np.float32), "F").resize((w // 2, h // 2), Image.Resampling.BICUBIC))


def niqe_score(img: np.ndarray) -> float:
    """NIQE of an (H, W, 3) float RGB image in [0, 1]; needs at least 192x192 pixels (2x2 blocks)."""
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f"NIQE expects an (H, W, 3) image, got {img.shape}")
    nh, nw = img.shape[0] // BLOCK, img.shape[1] // BLOCK
    if nh * nw < 2:
        raise ValueError(
            f"NIQE needs at least two {BLOCK}x{BLOCK} blocks; got an image of {img.shape[1]}x{img.shape[0]}"
        )
    mu_pris, cov_pris, window = _pristine()
    rgb = np.clip(img.astype(np.float64), 0, 1)
    y = np.round(16 + 65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2])
    y = y[: nh * BLOCK, : nw * BLOCK]
    per_scale = []
    for scale in (1, 2):
        size = BLOCK // scale
        mscn = _mscn(y, window)
        blocks = mscn.reshape(nh, size, nw, size).transpose(0, 2, 1, 3).reshape(-1, size, size)
        per_scale.append(np.array([_block_features(b) for b in blocks]))
        if scale == 1:
            y = _half(y / 255.0).astype(np.float64) * 255.0
    feats = np.concatenate(per_scale, axis=1)  # (blocks, 36)
    mu = np.nanmean(feats, axis=0)
    cov = np.cov(feats[~np.isnan(feats).any(axis=1)], rowvar=False)
    d = mu_pris - mu
    return float(np.sqrt(d @ np.linalg.pinv((cov_pris + cov) / 2) @ d))
