"""Operators against known values and independent implementations."""

from __future__ import annotations

import numpy as np
import pytest
import skimage.data
from skimage.filters import threshold_multiotsu

from pixtask.tasks.families.compression import multi_otsu_thresholds, quantize_uniform
from pixtask.tasks.families.degradations import bayer_mosaic, bicubic_down_up, circular_lowpass_kernel
from pixtask.tasks.families.noise import gaussian_noise, impulse_noise, poisson_noise
from pixtask.tasks.hed_network import hed_edges
from pixtask.tasks.solvers.sparse import solve_channels, weighted_laplacian_system

GREY = np.full((64, 64, 3), 0.5, np.float32)


@pytest.mark.parametrize("classes", [2, 3, 4])
def test_multi_otsu_matches_scikit_image(classes):
    camera = skimage.data.camera().astype(np.float32) / 255
    ours, _ = multi_otsu_thresholds(camera, classes, nbins=30)
    np.testing.assert_allclose(ours, threshold_multiotsu(camera, classes, nbins=30), atol=1e-6)


def _between_class_objective(values, thresholds, nbins):
    hist, edges = np.histogram(values, bins=nbins, range=(float(values.min()), float(values.max())))
    centres = (edges[:-1] + edges[1:]) / 2
    cls = np.digitize(centres, thresholds + 1e-7)  # a threshold names the last bin of its class
    return sum((hist[cls == k] @ centres[cls == k]) ** 2 / hist[cls == k].sum() for k in np.unique(cls))


@pytest.mark.parametrize("classes", [3, 4, 5])
def test_multi_otsu_is_optimal_by_brute_force(classes):
    import itertools

    values = skimage.data.coins().astype(np.float64) / 255
    nbins = 12
    _, edges = np.histogram(values, bins=nbins, range=(values.min(), values.max()))
    centres = (edges[:-1] + edges[1:]) / 2
    best = max(
        _between_class_objective(values, centres[np.array(cut)], nbins)
        for cut in itertools.combinations(range(nbins - 1), classes - 1)
    )
    ours, _ = multi_otsu_thresholds(values, classes, nbins=nbins)
    assert _between_class_objective(values, ours.astype(np.float64), nbins) == pytest.approx(best, rel=1e-12)


def test_multi_otsu_at_least_as_good_as_scikit_image_for_5_classes():
    camera = skimage.data.camera().astype(np.float32) / 255
    ours, _ = multi_otsu_thresholds(camera, 5, nbins=30)
    theirs = threshold_multiotsu(camera, 5, nbins=30)
    assert _between_class_objective(camera, ours, 30) >= _between_class_objective(camera, theirs, 30) - 1e-9


def test_multi_otsu_handles_15_classes_quickly():
    img = skimage.data.astronaut()[..., 0].astype(np.float32) / 255
    thresholds, means = multi_otsu_thresholds(img, 15)
    assert len(thresholds) == 14 and np.all(np.diff(thresholds) > 0)
    assert len(means) == 15


def test_gaussian_noise_has_requested_sigma():
    noisy = gaussian_noise(GREY, sigma=0.1, seed=0)
    assert abs(float((noisy - GREY).std()) - 0.1) < 0.002
    assert abs(float((noisy - GREY).mean())) < 0.002


def test_poisson_noise_is_unbiased_with_variance_x_over_c():
    noisy = poisson_noise(GREY, scale=40, seed=0)
    assert abs(float(noisy.mean()) - 0.5) < 0.003
    assert abs(float(noisy.var()) - 0.5 / 40) < 0.001


def test_impulse_noise_amount():
    out = impulse_noise(GREY, amount=0.1, seed=0)
    changed = out != GREY
    assert abs(changed.mean() - 0.1) < 0.005
    assert set(np.unique(out[changed])) == {0.0, 1.0}


def test_bayer_mosaic_keeps_one_channel_per_pixel_rggb():
    out = bayer_mosaic(np.ones((4, 4, 3), np.float32))
    assert np.array_equal(out[0, 0], [1, 0, 0]) and np.array_equal(out[0, 1], [0, 1, 0])
    assert np.array_equal(out[1, 0], [0, 1, 0]) and np.array_equal(out[1, 1], [0, 0, 1])
    assert np.all(out.sum(axis=2) == 1)


def test_sinc_kernel_is_normalised_and_padded():
    k = circular_lowpass_kernel(1.2, 15, 21)
    assert k.shape == (21, 21) and abs(float(k.sum()) - 1) < 1e-5
    assert (k < 0).any(), "a sinc kernel has negative side lobes (that is what rings)"


def test_bicubic_down_up_keeps_size_and_flat_images():
    out = bicubic_down_up(GREY[:62, :50], 4)
    assert out.shape == (62, 50, 3)
    np.testing.assert_allclose(out, 0.5, atol=1e-5)


def test_uniform_quantisation_bins():
    img = np.linspace(0, 1, 101, dtype=np.float32).reshape(1, -1, 1).repeat(3, axis=2)
    assert len(np.unique(quantize_uniform(img, 4))) == 4


def test_sparse_system_identity_and_constant_solution():
    zeros = np.zeros((8, 9))
    a = weighted_laplacian_system(zeros, zeros)
    assert (a != __import__("scipy.sparse", fromlist=["eye"]).eye(72, format="csc")).nnz == 0
    rng = np.random.default_rng(0)
    a = weighted_laplacian_system(rng.random((8, 9)) * 5, rng.random((8, 9)) * 5)
    const = np.full((8, 9, 3), 0.25, np.float32)
    np.testing.assert_allclose(solve_channels(a, const), const, atol=1e-5)  # rows of L sum to zero


def test_hed_finds_the_border_of_a_square():
    img = np.full((96, 96, 3), 0.2, np.float32)
    img[24:72, 24:72] = 0.9
    edges = hed_edges(img)
    assert edges.shape == (96, 96)
    assert edges[24, 30:66].mean() > 0.5  # on the square's top border
    assert edges[48, 48] < 0.1 and edges[5, 5] < 0.1  # flat regions
