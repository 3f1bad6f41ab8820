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

import kornia
import numpy as np
import torch
from torchmetrics.functional.image import (
    multiscale_structural_similarity_index_measure,
    peak_signal_noise_ratio,
)

from pixtask.core.image_io import to_uint8

__all__ = [
    "METRICS",
    "MetricInfo",
    "MetricUnavailableError",
    "compute_metric",
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
