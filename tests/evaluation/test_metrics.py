from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from pixtask.evaluation.metrics import (
    MetricUnavailableError,
    compute_metric,
    mae,
    ms_ssim,
    perceptual_proxy,
    psnr,
    ssim,
)

GREY = np.full((32, 32, 3), 0.5, np.float32)


def test_psnr_known_value():
    pred = GREY + np.float32(10 / 255)  # every 8-bit value off by exactly 10 -> MSE 100
    # torchmetrics evaluates the log in float32: agreement to 1e-5 dB
    assert psnr(pred, GREY) == pytest.approx(10 * math.log10(255**2 / 100), abs=1e-5)


def test_psnr_quantises_to_8_bits_first():
    assert psnr(GREY + np.float32(0.1 / 255), GREY) == math.inf  # rounds to the same 8-bit image


def test_mae_in_8_bit_units():
    pred = GREY.copy()
    pred[:16] += np.float32(20 / 255)  # half the pixels off by 20
    assert mae(pred, GREY) == pytest.approx(10.0)


def _basicsr_ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Independent reference: BasicSR's calculate_ssim formula, per channel, valid region."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    k = cv2.getGaussianKernel(11, 1.5)
    w = np.outer(k, k.T)
    scores = []
    for c in range(3):
        x = np.rint(a[..., c] * 255).astype(np.float64)
        y = np.rint(b[..., c] * 255).astype(np.float64)

        def f(img):
            return cv2.filter2D(img, -1, w)[5:-5, 5:-5]

        mx, my = f(x), f(y)
        sx, sy, sxy = f(x * x) - mx**2, f(y * y) - my**2, f(x * y) - mx * my
        scores.append((((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx**2 + my**2 + c1) * (sx + sy + c2))).mean())
    return float(np.mean(scores))


def test_ssim_matches_basicsr_convention(photo_128):
    noisy = np.clip(photo_128 + np.random.default_rng(0).normal(0, 0.05, photo_128.shape), 0, 1).astype(np.float32)
    assert ssim(noisy, photo_128) == pytest.approx(_basicsr_ssim(noisy, photo_128), abs=1e-6)
    assert ssim(photo_128, photo_128) == pytest.approx(1.0)


def test_ms_ssim_identical_and_too_small():
    img = np.random.default_rng(0).random((176, 176, 3)).astype(np.float32)
    assert ms_ssim(img, img) == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ValueError, match="at least 161x161"):
        ms_ssim(GREY, GREY)


def test_shape_mismatch():
    with pytest.raises(ValueError, match="differ in shape"):
        psnr(GREY, GREY[:16])


def test_perceptual_proxy_orders_distortions(photo_128):
    rng = np.random.default_rng(0)

    def noisy(s):
        return np.clip(photo_128 + rng.normal(0, s, photo_128.shape), 0, 1).astype(np.float32)

    assert perceptual_proxy(photo_128, photo_128) == 0.0
    light, heavy = perceptual_proxy(noisy(0.03), photo_128), perceptual_proxy(noisy(0.15), photo_128)
    assert 0 < light < heavy


def test_niqe_separates_clean_from_degraded():
    """Clean photos score low (natural), noise and blur push the score up."""
    from pixtask.core.geometry import center_square
    from pixtask.data.photos import bundled_photos

    photo = center_square(next(p for p in bundled_photos() if p.id == "bundled/astronaut").load(), 256)
    noisy = np.clip(photo + np.random.default_rng(0).normal(0, 0.05, photo.shape), 0, 1).astype(np.float32)
    blurred = cv2.GaussianBlur(photo, (0, 0), 3)
    clean_score, noisy_score, blurred_score = (compute_metric("niqe", img, photo) for img in (photo, noisy, blurred))
    assert 2.0 < clean_score < 5.0
    assert noisy_score > clean_score + 3 and blurred_score > clean_score + 1


def test_niqe_needs_two_blocks():
    with pytest.raises(ValueError, match="at least two 96x96 blocks"):
        compute_metric("niqe", GREY, GREY)


def test_lpips_is_reported_unavailable_not_faked():
    with pytest.raises(MetricUnavailableError, match=r"LPIPS is not available.*ImageNet"):
        compute_metric("lpips", GREY, GREY)


def test_unknown_metric():
    with pytest.raises(KeyError, match="unknown metric 'fid'"):
        compute_metric("fid", GREY, GREY)
