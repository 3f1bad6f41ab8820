"""The classical method a practitioner would reach for on a task, as a predictor with the same
signature as a model (query, condition) -> output; the condition is ignored (each method
knows its one task).

OpenCV non-local means for noise, unsharp masking for blur, bilateral filtering for JPEG
artefacts, and a global auto-exposure (gamma that maps the mean luma to 0.5) for low light.
Parameters are fixed, documented choices, not tuned on the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from pixtask.core.condition import Condition
from pixtask.core.image_io import to_uint8


def non_local_means(img: np.ndarray) -> np.ndarray:
    """cv2.fastNlMeansDenoisingColored with h = hColor = 10 (8-bit units), 7x7 patches, 21x21 search."""
    out = cv2.fastNlMeansDenoisingColored(to_uint8(img), None, 10, 10, 7, 21)
    return out.astype(np.float32) / 255.0


def unsharp_mask(img: np.ndarray, sigma: float = 2.0, amount: float = 1.0) -> np.ndarray:
    return np.clip(img + amount * (img - cv2.GaussianBlur(img, (0, 0), sigma)), 0, 1)


def bilateral(img: np.ndarray) -> np.ndarray:
    """cv2.bilateralFilter, diameter 7, sigmaColor 0.1 (float units), sigmaSpace 3."""
    return cv2.bilateralFilter(img, 7, 0.1, 3)


def auto_exposure(img: np.ndarray) -> np.ndarray:
    """A global gamma that brings the mean luma to 0.5."""
    mean = float(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).mean())
    if mean <= 1e-4 or mean >= 1 - 1e-4:
        return img
    return np.power(np.clip(img, 0, 1), np.log(0.5) / np.log(mean)).astype(np.float32)


#: task id -> (method name, function)
CLASSICAL: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    **{
        t: ("non-local means", non_local_means)
        for t in (
            "denoise-gaussian",
            "denoise-poisson",
            "denoise-speckle",
            "denoise-correlated",
            "denoise-gaussian-color",
        )
    },
    **{t: ("unsharp masking", unsharp_mask) for t in ("deblur-gaussian", "deblur-lens", "deblur-motion")},
    "dejpeg": ("bilateral filter", bilateral),
    "lowlight-enhancement": ("auto-exposure", auto_exposure),
    "darken-correction": ("auto-exposure", auto_exposure),
}


def classical_predictor(task_id: str) -> Callable[[np.ndarray, Condition], np.ndarray]:
    try:
        _, fn = CLASSICAL[task_id]
    except KeyError:
        raise KeyError(f"no classical method registered for {task_id!r}; known: {sorted(CLASSICAL)}") from None
    return lambda query, condition: fn(query)
