"""Stylization operators that need no external data, and their inverses (style -> photo).

RTV and pencil drawing solve sparse linear systems and are marked ``slow``: the data layer
computes them once per photo and serves crops from its cache.
"""

from __future__ import annotations

import cv2
import numpy as np
import scipy.sparse as sp
from skimage.exposure import match_histograms
from skimage.segmentation import slic

from pixtask.tasks._registry import register_operator
from pixtask.tasks.families._common import fixed, from_u8, gray, gray3, to_u8
from pixtask.tasks.solvers.sparse import solve_channels, weighted_laplacian_system
from pixtask.tasks.spec import Category, Operator, Pairing

# --- photographic looks -------------------------------------------------------------------
# Each look: per-channel tone curves (control points in, out), a saturation factor and a
# black/white fade. Prompt and query share the look, as GenLV shares a sub-style.
_LOOKS: dict[str, dict] = {
    "warm-film": {
        "curves": ([0, 0.25, 0.75, 1], [[0.04, 0.29, 0.8, 1], [0.02, 0.25, 0.76, 0.98], [0, 0.2, 0.68, 0.9]]),
        "saturation": 0.9,
    },
    "teal-orange": {
        "curves": ([0, 0.3, 0.7, 1], [[0, 0.24, 0.78, 1], [0.03, 0.3, 0.72, 0.97], [0.08, 0.38, 0.64, 0.88]]),
        "saturation": 1.2,
    },
    "bleach-bypass": {"curves": ([0, 0.25, 0.75, 1], [[0, 0.16, 0.86, 1]] * 3), "saturation": 0.45},
    "matte-fade": {
        "curves": ([0, 0.5, 1], [[0.12, 0.5, 0.92], [0.12, 0.5, 0.9], [0.15, 0.5, 0.88]]),
        "saturation": 0.8,
    },
    "noir": {"curves": ([0, 0.3, 0.7, 1], [[0, 0.18, 0.85, 1]] * 3), "saturation": 0.0},
}


def photographic_look(img: np.ndarray, look: str) -> np.ndarray:
    """Grade a photo with a named look: tone curves per channel, then saturation."""
    try:
        spec = _LOOKS[look]
    except KeyError:
        raise ValueError(f"unknown look {look!r}; expected one of {sorted(_LOOKS)}") from None
    xs, ys = spec["curves"]
    out = np.stack([np.interp(img[..., c], xs, ys[c]) for c in range(3)], axis=2).astype(np.float32)
    luma = gray(np.clip(out, 0, 1))[..., None]
    return luma + (out - luma) * spec["saturation"]


# --- relative total variation ---------------------------------------------------------------
def _rtv_weights(f: np.ndarray, sigma: float, sharpness: float) -> tuple[np.ndarray, np.ndarray]:
    eps = 1e-3
    fx = np.diff(f, axis=1, append=f[:, :1])
    fy = np.diff(f, axis=0, append=f[:1, :])
    wto = 1.0 / np.maximum(np.sqrt(fx**2 + fy**2).mean(axis=2), sharpness)
    fbin = cv2.GaussianBlur(f, (0, 0), sigma)
    gfx = np.diff(fbin, axis=1, append=fbin[:, :1])
    gfy = np.diff(fbin, axis=0, append=fbin[:1, :])
    wtbx = 1.0 / np.maximum(np.abs(gfx).mean(axis=2), eps)
    wtby = 1.0 / np.maximum(np.abs(gfy).mean(axis=2), eps)
    return wtbx * wto, wtby * wto


def relative_total_variation(
    img: np.ndarray, lam: float, sigma: float, sharpness: float, iterations: int
) -> np.ndarray:
    """Structure extraction by relative total variation (Xu et al. 2012) with a sparse solver.

    Textures are flattened while main edges survive. The original implementation inverted a
    dense HW x HW matrix; here each iteration is one sparse LU solve for all three channels.
    """
    x = img.astype(np.float32)
    for _ in range(iterations):
        wx, wy = _rtv_weights(x, sigma, sharpness)
        x = solve_channels(weighted_laplacian_system(lam * wx, lam * wy), img)
        sigma = max(sigma / 2.0, 0.5)
    return x


# --- pencil drawing (Lu, Xu and Jia 2012) ---------------------------------------------------
def pencil_texture(h: int, w: int, seed: int) -> np.ndarray:
    """A procedural pencil-hatching texture in (0, 1]: many short, faint, slightly curved
    diagonal strokes, blurred along their direction (replaces the paper's scanned texture)."""
    rng = np.random.default_rng(seed)
    canvas = np.ones((h, w), np.float32)
    n = int(h * w / 40)
    x0 = rng.uniform(-20, w, n)
    y0 = rng.uniform(-20, h, n)
    length = rng.uniform(8, 24, n)
    angle = np.deg2rad(rng.normal(45, 6, n))
    dark = rng.uniform(0.01, 0.05, n)
    strokes = np.zeros((h, w), np.float32)
    for t in np.linspace(0, 1, 12):
        xs = np.round(x0 + t * length * np.cos(angle)).astype(int)
        ys = np.round(y0 + t * length * np.sin(angle)).astype(int)
        ok = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
        np.add.at(strokes, (ys[ok], xs[ok]), dark[ok])
    canvas -= cv2.GaussianBlur(strokes, (3, 3), 0.6)
    return np.clip(canvas, 0.05, 1.0)


def _line_kernels(size: int, directions: int) -> list[np.ndarray]:
    base = np.zeros((size, size), np.float32)
    base[size // 2, :] = 1.0
    rot = [
        cv2.getRotationMatrix2D(((size - 1) / 2, (size - 1) / 2), 180.0 * i / directions, 1.0)
        for i in range(directions)
    ]
    return [cv2.warpAffine(base, m, (size, size)) for m in rot]


def _stroke_layer(g: np.ndarray, kernel_size: int, directions: int, width: int, darkness: float) -> np.ndarray:
    gx = np.diff(g, axis=1, append=g[:, -1:])
    gy = np.diff(g, axis=0, append=g[-1:, :])
    grad = np.hypot(gx, gy)
    kernels = _line_kernels(kernel_size, directions)
    responses = np.stack([cv2.filter2D(grad, -1, k) for k in kernels])
    best = np.argmax(responses, axis=0)
    strokes = np.zeros_like(g)
    for i, k in enumerate(kernels):
        if width > 1:
            k = cv2.dilate(k, np.ones((width, width), np.uint8))
        strokes += cv2.filter2D(np.where(best == i, grad, 0).astype(np.float32), -1, k)
    strokes = np.clip(strokes / (np.percentile(strokes, 99.5) + 1e-8), 0, 1)
    return (1.0 - strokes) ** darkness


def _pencil_tone_target(weights: tuple[float, float, float]) -> np.ndarray:
    """Samples of the paper's parametric tone distribution (bright, mid-tone, dark layers)."""
    v = np.arange(256, dtype=np.float64)
    p1 = np.exp(-(255 - v) / 9.0) / 9.0
    p2 = ((v >= 105) & (v <= 225)) / (225 - 105)
    p3 = np.exp(-((v - 90) ** 2) / (2 * 11.0**2)) / np.sqrt(2 * np.pi * 11.0)
    p = weights[0] * p1 + weights[1] * p2 + weights[2] * p3
    p /= p.sum()
    # an image whose histogram is p: one row of 4096 values spread by the CDF
    cdf = np.cumsum(p)
    return (np.searchsorted(cdf, (np.arange(4096) + 0.5) / 4096) / 255.0).astype(np.float32).reshape(1, -1)


def pencil_drawing(
    img: np.ndarray,
    colour: bool,
    kernel_size: int,
    directions: int,
    width: int,
    darkness: float,
    lam: float,
    texture_seed: int,
) -> np.ndarray:
    """Pencil sketch: directional stroke layer times a tone-matched pencil texture.

    The texture exponent beta solves min ||beta ln H - ln J||^2 + lam ||grad beta||^2, a sparse
    system. ``colour`` keeps the photo's chroma (YCrCb) under the pencil luminance.
    """
    g = gray(img)
    h, w = g.shape
    strokes = _stroke_layer(g, kernel_size, directions, width, darkness)
    tone = match_histograms(g, _pencil_tone_target((0.52, 0.37, 0.11)))
    tone = cv2.GaussianBlur(tone.astype(np.float32), (0, 0), 1.0)
    texture = pencil_texture(h, w, texture_seed)
    log_h = np.log(texture).astype(np.float64)
    log_j = np.log(np.clip(tone, 0.01, 1.0)).astype(np.float64)
    # normal equations: (diag(lnH^2) + lam L) beta = lnH * lnJ
    wx = np.full((h, w), lam)
    wy = np.full((h, w), lam)
    a = weighted_laplacian_system(wx, wy)
    diag = log_h.ravel() ** 2
    a = a + sp.diags(diag - 1.0, 0, format="csc")  # replace the identity by diag(lnH^2)
    beta = solve_channels(a.tocsc(), (log_h * log_j)[..., None])[..., 0]
    pencil = strokes * np.power(texture, beta)
    if not colour:
        return gray3(pencil)
    ycc = cv2.cvtColor(img, cv2.COLOR_RGB2YCrCb)
    ycc[..., 0] = np.clip(pencil, 0, 1)
    return cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)


# --- fast OpenCV / scikit-image styles ---------------------------------------------------------
def watercolour(img: np.ndarray, sigma_s: float, sigma_r: float) -> np.ndarray:
    """OpenCV's domain-transform stylization: flat washes with soft edges."""
    bgr = cv2.cvtColor(to_u8(img), cv2.COLOR_RGB2BGR)
    return from_u8(cv2.cvtColor(cv2.stylization(bgr, sigma_s=sigma_s, sigma_r=sigma_r), cv2.COLOR_BGR2RGB))


def cartoon(img: np.ndarray, colour_levels: int, bilateral_passes: int) -> np.ndarray:
    """Bilateral-flattened, colour-quantised regions with dark adaptive-threshold outlines."""
    u8 = to_u8(img)
    for _ in range(bilateral_passes):
        u8 = cv2.bilateralFilter(u8, 7, 40, 5)
    flat = (np.minimum(np.floor(from_u8(u8) * colour_levels), colour_levels - 1) + 0.5) / colour_levels
    g = cv2.medianBlur(to_u8(gray(img)), 5)
    edges = cv2.adaptiveThreshold(g, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 9, 4)
    return np.clip(flat, 0, 1) * edges[..., None].astype(np.float32)


def superpixel_mosaic(img: np.ndarray, segments: int, compactness: float) -> np.ndarray:
    """Each SLIC superpixel (scikit-image) painted with its mean colour."""
    labels = slic(img, n_segments=segments, compactness=compactness, start_label=0, channel_axis=2)
    counts = np.bincount(labels.ravel())
    out = np.empty_like(img)
    for c in range(3):
        means = np.bincount(labels.ravel(), weights=img[..., c].ravel()) / np.maximum(counts, 1)
        out[..., c] = means[labels]
    return out


_STYLE = dict(category=Category.STYLIZATION, direction="apply")

register_operator(
    Operator(
        "photographic-look",
        photographic_look,
        lambda rng, level: {"look": sorted(_LOOKS)[int(rng.integers(len(_LOOKS)))]},
    ),
    id="photographic-style",
    name="Photographic style",
    description=f"Grade with one of the looks {', '.join(sorted(_LOOKS))}; the prompt shows which.",
    pairing=Pairing(shared=("*",), note="same look"),
    inverse=("photographic-style-removal", "Photographic style removal", "Undo a photographic look."),
    **_STYLE,
)
register_operator(
    Operator("rtv", relative_total_variation, fixed(lam=0.01, sigma=3.0, sharpness=0.02, iterations=4), slow=True),
    id="rtv",
    name="Relative total variation",
    description="Texture removal by relative total variation (lambda 0.01, sigma 3, 4 iterations).",
    inverse=("rtv-to-photo", "Structure to photo", "Restore texture to an RTV-smoothed image."),
    **_STYLE,
)
for _colour in (False, True):
    _kind = "color" if _colour else "gray"
    register_operator(
        Operator(
            f"pencil-{_kind}",
            pencil_drawing,
            fixed(
                colour=_colour,
                kernel_size=8,
                directions=8,
                width=1,
                darkness=1.5 if _colour else 2.0,
                lam=0.2,
                texture_seed=0,
            ),
            slow=True,
        ),
        id=f"pencil-{_kind}",
        name=f"Pencil drawing ({'colour' if _colour else 'grey'})",
        description="Pencil sketch after Lu et al. 2012 with a procedural stroke texture.",
        inverse=(
            f"pencil-{_kind}-to-photo",
            f"Pencil drawing ({_kind}) to photo",
            "Render a photo from a pencil sketch.",
        ),
        **_STYLE,
    )
register_operator(
    Operator("watercolour", watercolour, fixed(sigma_s=60.0, sigma_r=0.45)),
    id="watercolor",
    name="Watercolour",
    description="OpenCV domain-transform stylization (sigma_s 60, sigma_r 0.45).",
    inverse=(
        "watercolor-to-photo",
        "Watercolour to photo",
        "Restore detail to a watercolour-stylized photo.",
    ),
    **_STYLE,
)
register_operator(
    Operator("cartoon", cartoon, fixed(colour_levels=6, bilateral_passes=3)),
    id="cartoon",
    name="Cartoon",
    description="Flattened colour regions with dark outlines.",
    inverse=("cartoon-to-photo", "Cartoon to photo", "Render a photo from its cartoon version."),
    **_STYLE,
)
register_operator(
    Operator("superpixel-mosaic", superpixel_mosaic, fixed(segments=300, compactness=10.0)),
    id="superpixel-mosaic",
    name="Superpixel mosaic",
    description="SLIC superpixels filled with their mean colour.",
    **_STYLE,
)
