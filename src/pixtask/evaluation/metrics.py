"""Image metrics under the GLV-Bench convention, each pure and named for what it assumes.

Convention (GenLV releases no metric code; it follows PromptGIP's ``compute_metrics``):
RGB, both images rounded to 8 bits first, no border crop, computed per image and averaged
over a set by the caller. SSIM uses an 11x11 Gaussian window with sigma 1.5 and the 8-bit
constants, averaged over channels and over the valid (unpadded) region, as BasicSR does.
MAE for feature maps is reported in 8-bit units, as GLV-Bench's tables are.

Inputs are (H, W, 3) float32 arrays in [0, 1] (pixtask's image convention).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import kornia
import numpy as np
import torch
from torchmetrics.functional.image import (
    multiscale_structural_similarity_index_measure,
    peak_signal_noise_ratio,
)

from pixtask.core.image_io import to_uint8

__all__ = [
    "EDGE_THRESHOLDS",
    "METRICS",
    "MetricInfo",
    "MetricUnavailableError",
    "colour_stats_distance",
    "compute_metric",
    "edge_f",
    "edge_f_counts",
    "f_from_counts",
    "lpips",
    "mae",
    "ms_ssim",
    "niqe",
    "perceptual_proxy",
    "psnr",
    "ssim",
]


class MetricUnavailableError(RuntimeError):
    """A metric needs weights or data that cannot be had offline; it is reported, never faked."""


def _pair(pred: np.ndarray, target: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    if pred.shape != target.shape:
        raise ValueError(f"prediction {pred.shape} and target {target.shape} differ in shape")
    if pred.ndim != 3 or pred.shape[2] != 3:
        raise ValueError(f"metrics expect (H, W, 3) images, got {pred.shape}")

    def as_tensor(img: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(to_uint8(img).astype(np.float64)).permute(2, 0, 1)[None]

    return as_tensor(pred), as_tensor(target)


def psnr(pred: np.ndarray, target: np.ndarray) -> float:
    """PSNR in dB on 8-bit RGB, no border crop. Identical images give +inf."""
    p, t = _pair(pred, target)
    if torch.equal(p, t):
        return float("inf")
    return float(peak_signal_noise_ratio(p, t, data_range=255.0))


def ssim(pred: np.ndarray, target: np.ndarray) -> float:
    """SSIM on 8-bit RGB: Gaussian 11/1.5, K1=0.01, K2=0.03, channel mean, valid region."""
    p, t = _pair(pred, target)
    # kornia's 'valid' padding reproduces BasicSR/scikit-image exactly; torchmetrics' SSIM treats
    # the border differently and reads about 0.01 lower on the same pair.
    return float(kornia.metrics.ssim(p, t, 11, max_val=255.0, padding="valid").mean())


def ms_ssim(pred: np.ndarray, target: np.ndarray) -> float:
    """Multi-scale SSIM (5 scales, standard weights) on 8-bit RGB; images need >= 161 px per side."""
    p, t = _pair(pred, target)
    if min(p.shape[-2:]) < 161:
        raise ValueError(f"MS-SSIM with 5 scales needs images of at least 161x161, got {tuple(p.shape[-2:])}")
    return float(multiscale_structural_similarity_index_measure(p, t, data_range=255.0, normalize="relu"))


def mae(pred: np.ndarray, target: np.ndarray) -> float:
    """Mean absolute error in 8-bit units (0-255), as GLV-Bench reports feature maps."""
    p, t = _pair(pred, target)
    return float((p - t).abs().mean())


def perceptual_proxy(pred: np.ndarray, target: np.ndarray) -> float:
    """A perceptual distance proxy for stylization, lower is better.

    LPIPS needs ImageNet AlexNet/VGG weights that no installable package ships. This proxy
    uses the VGG16 trunk of the shipped HED weights: features of each of the five blocks are
    unit-normalised over channels and their squared differences averaged over space and blocks
    (LPIPS without its learned per-channel weights). It ranks like a perceptual metric but is
    not numerically comparable with published LPIPS values.
    """
    from pixtask.tasks.hed_network import load_hed

    if pred.shape != target.shape:
        raise ValueError(f"prediction {pred.shape} and target {target.shape} differ in shape")
    model = load_hed()
    x = torch.from_numpy(np.stack([pred, target]).transpose(0, 3, 1, 2).astype(np.float32))
    with torch.inference_mode():
        feats = model.features(x.clamp(0, 1))
    total = 0.0
    for f in feats:
        f = f / (f.norm(dim=1, keepdim=True) + 1e-10)
        total += float(((f[0] - f[1]) ** 2).sum(dim=0).mean())
    return total / len(feats)


EDGE_THRESHOLDS = np.linspace(0.01, 0.99, 99)  # the BSDS benchmark's 99 thresholds
EDGE_TOLERANCE = 0.0075  # matching distance as a fraction of the image diagonal (BSDS maxDist)


def _edge_gray(img: np.ndarray) -> np.ndarray:
    """The map as one channel in [0, 1], quantised to 8 bits like the other metrics."""
    return to_uint8(img).mean(axis=2) / 255.0


def edge_f_counts(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Edge-matching counts at each of :data:`EDGE_THRESHOLDS`, as the BSDS/HED benchmark
    accumulates them: (4, T) = [predicted edge pixels within tolerance of a true edge, predicted
    edge pixels, true edge pixels within tolerance of a predicted edge, true edge pixels].

    True edges are the target map binarised at Otsu's threshold (canny and Hough maps are
    already binary; sobel, Laplacian, DoG and HED maps are graded). The tolerance is
    :data:`EDGE_TOLERANCE` of the diagonal (at least 1 pixel). Matching is by distance, not the
    one-to-one assignment of the BSDS code, and predictions are not thinned first, so a thick
    edge counts as many matched pixels: treat the score as BSDS-style, not as a published ODS.
    """
    from skimage.filters import threshold_otsu

    if pred.shape != target.shape:
        raise ValueError(f"prediction {pred.shape} and target {target.shape} differ in shape")
    p, t = _edge_gray(pred), _edge_gray(target)
    truth = t > threshold_otsu(t) if t.max() > t.min() else t > 0.5
    h, w = truth.shape
    tol = max(1.0, EDGE_TOLERANCE * float(np.hypot(h, w)))
    to_truth = cv2.distanceTransform((~truth).astype(np.uint8), cv2.DIST_L2, 5) if truth.any() else None
    counts = np.zeros((4, len(EDGE_THRESHOLDS)), dtype=np.int64)
    counts[3] = truth.sum()
    for i, threshold in enumerate(EDGE_THRESHOLDS):
        edges = p >= threshold
        counts[1, i] = edges.sum()
        if to_truth is not None and counts[1, i]:
            counts[0, i] = (to_truth[edges] <= tol).sum()
            to_edges = cv2.distanceTransform((~edges).astype(np.uint8), cv2.DIST_L2, 5)
            counts[2, i] = (to_edges[truth] <= tol).sum()
    return counts


def f_from_counts(counts: np.ndarray) -> float:
    """Best F-measure over thresholds from (summed) :func:`edge_f_counts`; summed over a set of
    images first, this is the ODS (one threshold for the whole set)."""
    matched_pred, n_pred, matched_true, n_true = counts.astype(np.float64)
    precision = np.divide(matched_pred, n_pred, out=np.zeros_like(n_pred), where=n_pred > 0)
    recall = np.divide(matched_true, n_true, out=np.zeros_like(n_true), where=n_true > 0)
    denominator = precision + recall
    f = np.divide(2 * precision * recall, denominator, out=np.zeros_like(denominator), where=denominator > 0)
    return float(f.max())


def edge_f(pred: np.ndarray, target: np.ndarray) -> float:
    """Edge F-score of one map: the best F over thresholds (per image, i.e. OIS-style)."""
    return f_from_counts(edge_f_counts(pred, target))


def _lab_stats(img: np.ndarray) -> np.ndarray:
    from skimage.color import rgb2lab

    lab = rgb2lab(np.clip(img, 0, 1).astype(np.float64)).reshape(-1, 3)
    return np.concatenate([lab.mean(axis=0), lab.std(axis=0)])


def colour_stats_distance(pred: np.ndarray, target: np.ndarray) -> float:
    """Distance between the global colour statistics of two images: the Euclidean distance of
    their per-channel CIELAB means and standard deviations (Lab units), lower is better. It
    says whether a stylization got the palette right, nothing about strokes or structure."""
    if pred.shape != target.shape:
        raise ValueError(f"prediction {pred.shape} and target {target.shape} differ in shape")
    return float(np.linalg.norm(_lab_stats(pred) - _lab_stats(target)))


def niqe(pred: np.ndarray, target: np.ndarray | None = None) -> float:
    """No-reference NIQE of ``pred`` (``target`` is ignored); lower is better. See
    :mod:`pixtask.evaluation.niqe`."""
    from pixtask.evaluation.niqe import niqe_score

    return niqe_score(pred)


def lpips(pred: np.ndarray, target: np.ndarray) -> float:
    """LPIPS needs ImageNet AlexNet/VGG weights that no installable package ships."""
    raise MetricUnavailableError(
        "LPIPS is not available: it needs ImageNet AlexNet/VGG backbone weights, which no package we can "
        "install ships; use 'perceptual-proxy' (HED-VGG features, not comparable with published LPIPS)"
    )


@dataclass(frozen=True)
class MetricInfo:
    fn: Callable[[np.ndarray, np.ndarray], float]
    higher_is_better: bool
    convention: str


METRICS: dict[str, MetricInfo] = {
    "psnr": MetricInfo(psnr, True, "RGB, 8-bit, no border crop, per image"),
    "ssim": MetricInfo(ssim, True, "RGB, 8-bit, Gaussian 11/1.5, channel mean, valid region"),
    "ms-ssim": MetricInfo(ms_ssim, True, "RGB, 8-bit, 5 scales"),
    "mae": MetricInfo(mae, False, "RGB, 8-bit units (0-255)"),
    "perceptual-proxy": MetricInfo(perceptual_proxy, False, "HED-VGG16 unit-normalised feature distance, not LPIPS"),
    "edge-f": MetricInfo(
        edge_f, True, "best F over 99 thresholds, Otsu-binarised target, 0.0075-diagonal tolerance, no thinning"
    ),
    "colour-stats": MetricInfo(colour_stats_distance, False, "distance of CIELAB per-channel means and stds"),
    "lpips": MetricInfo(lpips, False, "unavailable offline"),
    "niqe": MetricInfo(niqe, False, "no-reference, Y channel (BT.601), 96x96 blocks, MATLAB pristine model"),
}


def compute_metric(name: str, pred: np.ndarray, target: np.ndarray) -> float:
    """Compute a metric by name; unknown names list the known ones."""
    try:
        info = METRICS[name]
    except KeyError:
        raise KeyError(f"unknown metric {name!r}; known: {', '.join(METRICS)}") from None
    return info.fn(pred, target)
