"""Sparse 5-point systems for edge-aware smoothing (WLS, relative total variation).

Both filters solve (I + L_w) u = f where L_w is a weighted graph Laplacian of the pixel grid:
a sparse matrix with five diagonals. The official GenLV/RTV code inverted an HW x HW dense
matrix; a sparse LU factorisation solves 256x256 in well under a second.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu


def weighted_laplacian_system(wx: np.ndarray, wy: np.ndarray) -> sp.csc_matrix:
    """I + L for horizontal weights ``wx`` (between (i, j) and (i, j+1)) and vertical ``wy``.

    Both are (H, W); the last column of ``wx`` and the last row of ``wy`` are ignored.
    """
    h, w = wx.shape
    n = h * w
    wx = wx.astype(np.float64).copy()
    wy = wy.astype(np.float64).copy()
    wx[:, -1] = 0.0
    wy[-1, :] = 0.0
    east = wx.ravel()
    south = wy.ravel()
    west = np.roll(wx, 1, axis=1).ravel()
    north = np.roll(wy, 1, axis=0).ravel()
    diag = 1.0 + east + west + north + south
    off_x = -east[:-1]
    off_y = -south[:-w]
    a = sp.diags([diag, off_x, off_x, off_y, off_y], [0, 1, -1, w, -w], shape=(n, n), format="csc")
    return a


def solve_channels(a: sp.csc_matrix, rhs: np.ndarray) -> np.ndarray:
    """Solve ``a @ u = f`` for each channel of an (H, W, C) or (H, W) right-hand side."""
    # minimum-degree ordering of A + A^T suits the symmetric 5-point grid: ~1.8x faster than
    # SuperLU's default COLAMD at 0.7 MP (measured: 4.8 s vs 8.5 s for a 1024x683 grid)
    lu = splu(a, permc_spec="MMD_AT_PLUS_A", options={"SymmetricMode": True})
    shape = rhs.shape
    flat = rhs.reshape(shape[0] * shape[1], -1).astype(np.float64)
    return lu.solve(flat).reshape(shape).astype(np.float32)


def wls_smooth(img: np.ndarray, guide_log: np.ndarray, lam: float, alpha: float = 1.2, eps: float = 1e-4) -> np.ndarray:
    """Weighted-least-squares edge-preserving smoothing (Farbman et al. 2008).

    ``guide_log`` is the log-luminance whose gradients set the smoothness weights.
    """
    gx = np.abs(np.diff(guide_log, axis=1, append=guide_log[:, -1:]))
    gy = np.abs(np.diff(guide_log, axis=0, append=guide_log[-1:, :]))
    wx = lam / (gx**alpha + eps)
    wy = lam / (gy**alpha + eps)
    return solve_channels(weighted_laplacian_system(wx, wy), img)
