"""Enhancement operators: exposure and colour problems to correct, and classical enhancement
operators to imitate (local Laplacian filter, multi-scale tone manipulation, CLAHE,
histogram equalisation, detail enhancement)."""

from __future__ import annotations

import cv2
import numpy as np

from pixtask.tasks._registry import register_operator
from pixtask.tasks.families._common import by_level, fixed, from_u8, radius_map, seeded, to_u8
from pixtask.tasks.solvers.pyramid import collapse, gaussian_pyramid, laplacian_pyramid, pyramid_depth
from pixtask.tasks.solvers.sparse import wls_smooth
from pixtask.tasks.spec import LEVELS, Category, Operator, Pairing

_SRGB_GAMMA = 2.2


def low_light(img: np.ndarray, scale: float, read_noise: float, seed: int) -> np.ndarray:
    """Under-exposure in linear light with shot and read noise, as a dim sensor records it."""
    rng = np.random.default_rng(seed)
    linear = np.power(np.clip(img, 0, 1), _SRGB_GAMMA) * scale
    photons = 400.0
    noisy = rng.poisson(linear.astype(np.float64) * photons) / photons
    noisy = noisy + rng.standard_normal(img.shape) * read_noise
    return np.power(np.clip(noisy, 0, 1), 1 / _SRGB_GAMMA).astype(np.float32)


def exposure(img: np.ndarray, ev: float) -> np.ndarray:
    """Scale exposure by 2**ev in linear light; over-exposure clips the highlights."""
    linear = np.power(np.clip(img, 0, 1), _SRGB_GAMMA) * (2.0**ev)
    return np.power(np.clip(linear, 0, 1), 1 / _SRGB_GAMMA)


def vignette(img: np.ndarray, strength: float) -> np.ndarray:
    """Radial fall-off (1 - strength * r^2), r = 1 at the corners."""
    h, w = img.shape[:2]
    return img * (1.0 - strength * radius_map(h, w) ** 2)[..., None]


def colour_cast(img: np.ndarray, temperature: float, tint: float) -> np.ndarray:
    """A white-balance error: per-channel gains for a warm/cool shift and a green/magenta tint."""
    gains = np.array([1.0 + temperature, 1.0 + tint, 1.0 - temperature], np.float32)
    gains /= gains @ np.array([0.299, 0.587, 0.114], np.float32)  # keep luma roughly unchanged
    return img * gains


def local_laplacian(img: np.ndarray, sigma: float, fact: float, n_levels: int) -> np.ndarray:
    """Fast local Laplacian filter (Aubry et al. 2014) with the remapping of Paris et al.

    Each of ``n_levels`` reference intensities g remaps the image by
    r(i) = i + fact * (i - g) * exp(-(i - g)^2 / (2 sigma^2)); every Laplacian coefficient is
    interpolated between the two references that bracket the Gaussian pyramid at its place.
    ``fact`` > 0 boosts detail below the edge scale ``sigma``.
    """
    h, w = img.shape[:2]
    depth = pyramid_depth(h, w)
    gauss = gaussian_pyramid(img, depth)
    out = [np.zeros_like(band) for band in gauss]
    refs = np.linspace(0.0, 1.0, n_levels, dtype=np.float32)
    step = refs[1] - refs[0]
    for g in refs:
        d = img - g
        remapped = img + fact * d * np.exp(-d * d / (2 * sigma * sigma))
        bands = laplacian_pyramid(remapped, depth)
        for lvl in range(depth - 1):
            weight = np.maximum(0.0, 1.0 - np.abs(gauss[lvl] - g) / step)
            out[lvl] += weight * bands[lvl]
    out[-1] = gauss[-1]
    return collapse(out)


def tone_manipulation(img: np.ndarray, fine_boost: float, medium_boost: float, lambdas: list[float]) -> np.ndarray:
    """Multi-scale tone manipulation (Farbman et al. 2008): WLS splits CIELAB lightness into a
    base and two detail layers, and the details are boosted. Solved with sparse LU; slow."""
    lab = cv2.cvtColor(np.clip(img, 0, 1), cv2.COLOR_RGB2Lab)
    lightness = lab[..., 0] / 100.0
    guide = np.log(lightness + 1e-4)
    fine_base = wls_smooth(lightness, guide, lambdas[0])
    coarse_base = wls_smooth(lightness, guide, lambdas[1])
    boosted = coarse_base + medium_boost * (fine_base - coarse_base) + fine_boost * (lightness - fine_base)
    lab[..., 0] = np.clip(boosted, 0, 1) * 100.0
    return cv2.cvtColor(lab, cv2.COLOR_Lab2RGB)


def _on_lightness(img: np.ndarray, fn) -> np.ndarray:
    lab = cv2.cvtColor(to_u8(img), cv2.COLOR_RGB2LAB)
    lab[..., 0] = fn(lab[..., 0])
    return from_u8(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB))


def clahe(img: np.ndarray, clip_limit: float, tiles: int) -> np.ndarray:
    """Contrast-limited adaptive histogram equalisation of CIELAB lightness (OpenCV)."""
    op = cv2.createCLAHE(clipLimit=clip_limit, tileGridSize=(tiles, tiles))
    return _on_lightness(img, op.apply)


def equalize_histogram(img: np.ndarray) -> np.ndarray:
    """Global histogram equalisation of CIELAB lightness (OpenCV)."""
    return _on_lightness(img, cv2.equalizeHist)


def detail_enhance(img: np.ndarray, sigma_s: float, sigma_r: float) -> np.ndarray:
    """OpenCV's domain-transform detail enhancement."""
    bgr = cv2.cvtColor(to_u8(img), cv2.COLOR_RGB2BGR)
    return from_u8(cv2.cvtColor(cv2.detailEnhance(bgr, sigma_s=sigma_s, sigma_r=sigma_r), cv2.COLOR_BGR2RGB))


_ENHANCE_RESTORE = dict(category=Category.ENHANCEMENT, direction="restore")
_ENHANCE_APPLY = dict(category=Category.ENHANCEMENT, direction="apply")

register_operator(
    Operator(
        "low-light",
        low_light,
        seeded(by_level(scale=[0.45, 0.35, 0.25, 0.18, 0.12], read_noise=[0.002, 0.003, 0.004, 0.005, 0.006])),
        LEVELS,
    ),
    id="lowlight-enhancement",
    name="Low-light enhancement",
    description="Brighten an under-exposed, noisy capture (linear-light scale 0.45-0.12 with shot noise).",
    **_ENHANCE_RESTORE,
)
register_operator(
    Operator(
        "exposure",
        exposure,
        lambda rng, level: {"ev": [0.75, 1.0, 1.5, 2.0, 2.5][level - 1] * (1 if rng.integers(2) else -1)},
        LEVELS,
    ),
    id="exposure-correction",
    name="Exposure correction",
    description="Undo over- or under-exposure of 0.75-2.5 EV (highlights clip when over-exposed).",
    pairing=Pairing(shared=("ev",)),
    **_ENHANCE_RESTORE,
)
register_operator(
    Operator("vignette", vignette, by_level(strength=[0.2, 0.35, 0.5, 0.65, 0.8]), LEVELS),
    id="vignetting-removal",
    name="Vignetting removal",
    description="Undo radial darkening towards the corners.",
    **_ENHANCE_RESTORE,
)
register_operator(
    Operator(
        "colour-cast",
        colour_cast,
        lambda rng, level: {
            "temperature": [0.06, 0.12, 0.18, 0.25, 0.32][level - 1] * (1 if rng.integers(2) else -1),
            "tint": round(float(rng.uniform(-0.05, 0.05)), 3),
        },
        LEVELS,
    ),
    id="white-balance",
    name="White-balance correction",
    description="Remove a warm or cool colour cast with a slight tint.",
    pairing=Pairing(shared=("temperature",), note="tint independent"),
    **_ENHANCE_RESTORE,
)
register_operator(
    Operator("local-laplacian", local_laplacian, fixed(sigma=0.1, fact=1.0, n_levels=12)),
    id="llf",
    name="Local Laplacian filter",
    description="Imitate detail enhancement by the fast local Laplacian filter (sigma 0.1, fact 1).",
    inverse=("llf-removal", "Local Laplacian filter removal", "Undo local-Laplacian detail enhancement."),
    **_ENHANCE_APPLY,
)
register_operator(
    Operator(
        "tone-manipulation",
        tone_manipulation,
        fixed(fine_boost=2.0, medium_boost=1.4, lambdas=[0.05, 1.0]),
        slow=True,
    ),
    id="mtm",
    name="Multi-scale tone manipulation",
    description="Imitate WLS multi-scale detail boosting (Farbman et al. 2008).",
    inverse=("mtm-removal", "Multi-scale tone manipulation removal", "Undo WLS multi-scale detail boosting."),
    **_ENHANCE_APPLY,
)
register_operator(
    Operator("clahe", clahe, fixed(clip_limit=2.0, tiles=8)),
    id="clahe",
    name="CLAHE",
    description="Imitate contrast-limited adaptive histogram equalisation (clip 2, 8x8 tiles) of lightness.",
    inverse=("clahe-removal", "CLAHE removal", "Undo CLAHE contrast enhancement."),
    **_ENHANCE_APPLY,
)
register_operator(
    Operator("histogram-equalization", equalize_histogram, fixed()),
    id="histogram-equalization",
    name="Histogram equalisation",
    description="Imitate global histogram equalisation of lightness.",
    **_ENHANCE_APPLY,
)
register_operator(
    Operator("detail-enhance", detail_enhance, fixed(sigma_s=10.0, sigma_r=0.15)),
    id="detail-enhancement",
    name="Detail enhancement",
    description="Imitate OpenCV's edge-preserving detail enhancement.",
    **_ENHANCE_APPLY,
)
