"""Compression and quantisation artefacts (GLV-Bench groups 5 and 6)."""

from __future__ import annotations

import io
import itertools

import cv2
import numpy as np
from PIL import Image

from pixtask.tasks._registry import register_operator
from pixtask.tasks.families._common import by_level, from_u8, to_u8
from pixtask.tasks.spec import LEVELS, Category, Operator


def _roundtrip(img: np.ndarray, **save_args) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(to_u8(img)).save(buf, **save_args)
    buf.seek(0)
    return from_u8(np.asarray(Image.open(buf).convert("RGB")))


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    """Encode and decode as baseline JPEG (Pillow, 4:2:0 chroma subsampling)."""
    return _roundtrip(img, format="JPEG", quality=int(quality))


def jpeg2000(img: np.ndarray, psnr_db: float) -> np.ndarray:
    """Encode and decode as JPEG 2000 at a target PSNR (Pillow/OpenJPEG 'dB' quality mode)."""
    return _roundtrip(img, format="JPEG2000", quality_mode="dB", quality_layers=[float(psnr_db)])


def pixelate(img: np.ndarray, scale: float) -> np.ndarray:
    """Box-filter down by ``scale``, nearest-neighbour back up."""
    h, w = img.shape[:2]
    small = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)


def multi_otsu_thresholds(values: np.ndarray, classes: int, nbins: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Exact multi-level Otsu thresholds by dynamic programming over an ``nbins`` histogram.

    Maximising between-class variance is a sum of per-class terms (w * mu^2), so the optimum
    over contiguous bin ranges is found exactly in O(classes * nbins^2), where scikit-image's
    exhaustive search is exponential in ``classes`` (impractical beyond ~5 classes).

    Returns (thresholds, class_means): ``classes - 1`` increasing thresholds and the mean value
    of each class.
    """
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-6:
        return np.full(classes - 1, hi, np.float32), np.full(classes, hi, np.float32)
    hist, edges = np.histogram(values, bins=nbins, range=(lo, hi))
    centres = (edges[:-1] + edges[1:]) / 2
    P = np.concatenate([[0.0], np.cumsum(hist, dtype=np.float64)])
    S = np.concatenate([[0.0], np.cumsum(hist * centres, dtype=np.float64)])
    # score[i, j]: class covering bins i..j-1 (i < j)
    w = P[None, :] - P[:, None]
    s = S[None, :] - S[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(w > 0, s * s / w, 0.0)
    score[np.tril_indices(nbins + 1)] = -np.inf  # empty or reversed ranges
    best = score[0].copy()  # one class covering bins 0..j-1
    back = []
    for _ in range(classes - 1):
        cand = best[:, None] + score  # split at i, last class i..j-1
        arg = np.argmax(cand, axis=0)
        best = cand[arg, np.arange(nbins + 1)]
        back.append(arg)
    cuts = []
    j = nbins
    for arg in reversed(back):
        j = int(arg[j])
        cuts.append(j)
    cuts = sorted(cuts)
    thresholds = centres[np.asarray(cuts) - 1].astype(np.float32)  # scikit-image's convention
    bounds = [0, *cuts, nbins]
    means = []
    for a, b in itertools.pairwise(bounds):
        wt = P[b] - P[a]
        means.append((S[b] - S[a]) / wt if wt > 0 else centres[min(a, nbins - 1)])
    return thresholds, np.asarray(means, np.float32)


def quantize_otsu(img: np.ndarray, classes: int) -> np.ndarray:
    """Per-channel multi-Otsu quantisation (30-bin histogram); each class takes its mean value."""
    out = np.empty_like(img)
    for c in range(3):
        thresholds, means = multi_otsu_thresholds(img[..., c], classes)
        out[..., c] = means[np.digitize(img[..., c], thresholds)]
    return out


def quantize_median_cut(img: np.ndarray, colors: int) -> np.ndarray:
    """Palette of ``colors`` colours chosen by median cut (Pillow)."""
    pal = Image.fromarray(to_u8(img)).quantize(colors=int(colors), method=Image.Quantize.MEDIANCUT)
    return from_u8(np.asarray(pal.convert("RGB")))


def quantize_uniform(img: np.ndarray, bins: int) -> np.ndarray:
    """Uniform per-channel histogram bins; each value moves to its bin centre."""
    idx = np.minimum(np.floor(img * bins), bins - 1)
    return ((idx + 0.5) / bins).astype(np.float32)


_RESTORE = dict(category=Category.RESTORATION, direction="restore")

register_operator(
    Operator("jpeg", jpeg, by_level(quality=[25, 18, 12, 8, 5]), LEVELS),
    id="dejpeg",
    name="JPEG artefact removal",
    description="Remove JPEG blocking and ringing (quality 25 down to 5).",
    **_RESTORE,
)
register_operator(
    Operator("jpeg2000", jpeg2000, by_level(psnr_db=[29, 27.5, 26, 24.5, 23]), LEVELS, slow=True),
    id="dejpeg2000",
    name="JPEG 2000 artefact removal",
    description="Remove JPEG 2000 wavelet artefacts (29 down to 23 dB).",
    **_RESTORE,
)
register_operator(
    Operator("pixelate", pixelate, by_level(scale=[0.5, 0.4, 0.3, 0.25, 0.2]), LEVELS),
    id="depixelate",
    name="Pixelation removal",
    description="Undo box-down, nearest-up pixelation.",
    **_RESTORE,
)
register_operator(
    Operator("quantize-otsu", quantize_otsu, by_level(classes=[15, 11, 8, 5, 3]), LEVELS),
    id="dequantize-otsu",
    name="Otsu quantisation removal",
    description="Undo per-channel multi-Otsu quantisation (15 down to 3 levels).",
    **_RESTORE,
)
register_operator(
    Operator("quantize-median-cut", quantize_median_cut, by_level(colors=[20, 15, 10, 6, 3]), LEVELS),
    id="dequantize-median-cut",
    name="Median-cut quantisation removal",
    description="Undo a median-cut palette of 20 down to 3 colours.",
    **_RESTORE,
)
register_operator(
    Operator("quantize-uniform", quantize_uniform, by_level(bins=[24, 16, 8, 6, 4]), LEVELS),
    id="dequantize-histogram",
    name="Histogram quantisation removal",
    description="Undo uniform per-channel quantisation (24 down to 4 bins).",
    **_RESTORE,
)
