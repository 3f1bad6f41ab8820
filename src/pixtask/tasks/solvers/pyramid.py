"""Gaussian/Laplacian pyramids (OpenCV) for multi-scale operators such as the local Laplacian filter."""

from __future__ import annotations

import itertools

import cv2
import numpy as np


def gaussian_pyramid(img: np.ndarray, levels: int) -> list[np.ndarray]:
    pyr = [img]
    for _ in range(levels - 1):
        pyr.append(cv2.pyrDown(pyr[-1]))
    return pyr


def laplacian_pyramid(img: np.ndarray, levels: int) -> list[np.ndarray]:
    gauss = gaussian_pyramid(img, levels)
    pyr = []
    for fine, coarse in itertools.pairwise(gauss):
        pyr.append(fine - cv2.pyrUp(coarse, dstsize=(fine.shape[1], fine.shape[0])))
    pyr.append(gauss[-1])
    return pyr


def collapse(pyr: list[np.ndarray]) -> np.ndarray:
    out = pyr[-1]
    for band in reversed(pyr[:-1]):
        out = cv2.pyrUp(out, dstsize=(band.shape[1], band.shape[0])) + band
    return out


def pyramid_depth(h: int, w: int, coarsest: int = 8) -> int:
    """Levels until the coarsest band is about ``coarsest`` pixels on its shorter side."""
    return max(1, int(np.floor(np.log2(max(1, min(h, w)) / coarsest))) + 1)
