"""Trivial baselines: the answers a model must beat before its number means anything.

Identity (the input returned unchanged) is the natural baseline for restoration and
enhancement. For a feature map it is none: the photo scored against an edge map by MAE loses
to an all-black image, so a model that outputs a dark ghost of the photo "beats identity" by
80 MAE levels while drawing no edges. Each task scored by MAE against a map therefore also
gets the best constant image, and each stylization the target's global colour statistics
applied to the input (a palette without the strokes). Tables report a task's gain against the
stronger of identity and its trivial baseline, and say which one that was.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from pixtask.evaluation.metrics import METRICS, compute_metric

# primary metric -> the trivial baseline its tasks get (tasks scored otherwise have identity only)
TRIVIAL_BY_METRIC = {"mae": "best constant", "perceptual-proxy": "colour transfer"}
# primary metric -> metrics that fit those outputs, reported beside it
SECONDARY_METRICS = {"mae": ("edge-f",), "perceptual-proxy": ("colour-stats",)}


@dataclass(frozen=True)
class TrivialAnswer:
    name: str  # which candidate it was, e.g. "black" or "mean grey"
    prediction: np.ndarray
    value: float  # the primary metric's score


def constant_candidates(target: np.ndarray) -> dict[str, np.ndarray]:
    """An all-black image and the target's per-channel mean everywhere: the constants that do
    best on sparse maps (black) and on dense ones (mean)."""
    mean = np.broadcast_to(target.reshape(-1, 3).mean(axis=0), target.shape)
    return {"black": np.zeros_like(target), "mean": np.ascontiguousarray(mean, dtype=np.float32)}


def colour_transfer(source: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``source`` with ``reference``'s per-channel CIELAB mean and standard deviation
    (Reinhard et al. 2001): the global palette of the reference, the content of the source."""
    from skimage.color import lab2rgb, rgb2lab

    src, ref = rgb2lab(source.astype(np.float64)), rgb2lab(reference.astype(np.float64))
    src_mean, src_std = src.reshape(-1, 3).mean(0), src.reshape(-1, 3).std(0)
    ref_mean, ref_std = ref.reshape(-1, 3).mean(0), ref.reshape(-1, 3).std(0)
    out = (src - src_mean) / np.maximum(src_std, 1e-6) * ref_std + ref_mean
    with warnings.catch_warnings():  # out-of-gamut Lab values are clipped, as intended
        warnings.simplefilter("ignore", UserWarning)
        return np.clip(lab2rgb(out), 0, 1).astype(np.float32)


def trivial_answer(metric: str, query_in: np.ndarray, target: np.ndarray) -> TrivialAnswer | None:
    """The trivial baseline of a task scored by ``metric`` on one query (None: identity only).
    For the constant, whichever candidate the metric favours on this query is taken."""
    kind = TRIVIAL_BY_METRIC.get(metric)
    if kind is None:
        return None
    if kind == "colour transfer":
        candidates = {"colour transfer": colour_transfer(query_in, target)}
    else:
        candidates = constant_candidates(target)
    scored = [TrivialAnswer(name, pred, compute_metric(metric, pred, target)) for name, pred in candidates.items()]
    better_high = METRICS[metric].higher_is_better
    return max(scored, key=lambda a: a.value if better_high else -a.value)
