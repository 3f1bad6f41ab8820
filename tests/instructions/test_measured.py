"""Words measured from a pair: they say what changed, where, and never name a task."""

from __future__ import annotations

import numpy as np
import pytest

from pixtask.core.seeding import rng_for
from pixtask.data.task_instructions import task_violation
from pixtask.instructions.measured import describe_pair, measure_change
from pixtask.tasks import get_task


@pytest.fixture(scope="module")
def photo(photo_128):
    return photo_128.astype(np.float32)


def _words(a, b):
    return describe_pair(a, b, np.random.default_rng(0)).lower()


def test_brighter_darker_and_where(photo):
    assert "brighter" in _words(photo * 0.5, photo) and "darker" not in _words(photo * 0.5, photo)
    assert "darker" in _words(photo, photo * 0.5)
    top = photo.copy()
    top[:64] = np.clip(top[:64] * 0.4, 0, 1)  # only the upper half was dark
    assert "upper part" in _words(top, photo)


def test_colour_strength_and_lean(photo):
    grey = np.repeat(photo.mean(2, keepdims=True), 3, 2)
    washed = 0.3 * photo + 0.7 * grey
    assert "richer" in _words(washed, photo) and "towards grey" in _words(photo, washed)
    bluish = np.clip(photo * np.array([0.7, 0.85, 1.15], dtype=np.float32), 0, 1)
    assert "cool blue" in _words(photo, bluish)


def test_grain_and_edges(photo):
    rng = np.random.default_rng(0)
    noisy = np.clip(photo + rng.normal(0, 0.08, photo.shape), 0, 1).astype(np.float32)
    assert "grainy speckle settles" in _words(noisy, photo)
    assert "grainy speckle spreads" in _words(photo, noisy)
    import cv2

    soft = cv2.GaussianBlur(photo, (0, 0), 2.0)
    assert "crisper" in _words(soft, photo) and "soften" in _words(photo, soft)


def test_an_unchanged_pair_says_so(photo):
    assert "only subtly" in _words(photo, photo)


def test_measurements_are_refused_for_mismatched_images(photo):
    with pytest.raises(ValueError, match="two RGB images of one size"):
        measure_change(photo, photo[:64])


@pytest.mark.parametrize("task_id", ["lowlight-enhancement", "denoise-gaussian", "white-balance", "cartoon", "derain"])
def test_measured_words_never_name_the_task(photo, task_id):
    task = get_task(task_id)
    level = 3 if task.levels else None
    for seed in range(3):
        x, y = task.apply(photo, task.sample_params(rng_for(seed, task_id), level))
        text = describe_pair(x, y, np.random.default_rng(seed))
        assert task_violation(task_id, text) is None, text
