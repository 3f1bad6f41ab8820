"""Walk the registry: every task is deterministic, keeps the image contract, is rebuildable
from its parameters, and (for restoration) degrades more as the level rises."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from pixtask.core.seeding import rng_for
from pixtask.evaluation.metrics import psnr
from pixtask.tasks import Category, get_task, list_tasks

ALL = list_tasks()


def _level(task):
    return task.levels[-1] if task.levels else None


@pytest.mark.parametrize("task_id", ALL)
def test_contract_and_determinism(task_id, photo_128):
    task = get_task(task_id)
    a_in, a_tgt = task(photo_128, np.random.default_rng(7), _level(task))
    b_in, b_tgt = task(photo_128, np.random.default_rng(7), _level(task))
    for img in (a_in, a_tgt):
        assert img.shape == photo_128.shape and img.dtype == np.float32
        assert img.min() >= 0.0 and img.max() <= 1.0 and np.isfinite(img).all()
    assert np.array_equal(a_in, b_in) and np.array_equal(a_tgt, b_tgt)
    assert not np.array_equal(a_in, a_tgt), "a task must change something"


@pytest.mark.parametrize("task_id", ALL)
def test_rebuild_from_json_params(task_id, photo_128):
    """A benchmark sample is rebuilt from its manifest entry alone."""
    task = get_task(task_id)
    params = task.sample_params(np.random.default_rng(1), _level(task))
    replayed = json.loads(json.dumps(params))
    assert np.array_equal(task.transform(photo_128, params), task.transform(photo_128, replayed))


@pytest.mark.parametrize("task_id", ALL)
def test_input_does_not_depend_on_array_memory_layout(task_id, photo_128):
    task = get_task(task_id)
    params = task.sample_params(np.random.default_rng(2), _level(task))
    strided = np.ascontiguousarray(np.pad(photo_128, ((0, 0), (0, 4), (0, 0))))[:, :128]
    assert np.array_equal(task.transform(photo_128, params), task.transform(strided, params))


RESTORATION_WITH_LEVELS = [
    t
    for t in ALL
    if get_task(t).direction == "restore" and get_task(t).levels and get_task(t).category != Category.STYLIZATION
]


@pytest.mark.parametrize("task_id", RESTORATION_WITH_LEVELS)
def test_psnr_falls_as_level_rises(task_id, photo_128, photo_128_b):
    """Mean PSNR(input, target) over two photos and three seeds decreases level by level.

    Each seed's generator is the same at every level, so sub-types, recipes and noise draws are
    held fixed and only the severity changes."""
    task = get_task(task_id)
    means = []
    for level in task.levels:
        scores = [
            psnr(*task(photo, rng_for(seed, task_id), level)) for photo in (photo_128, photo_128_b) for seed in range(3)
        ]
        means.append(np.mean(scores))
    assert all(a > b for a, b in itertools.pairwise(means)), [round(m, 2) for m in means]


@pytest.mark.parametrize("task_id", ALL)
def test_linked_parameters_are_valid_draws(task_id):
    """Prompt/query parameters linked by the pairing policy never mix incompatible draws:
    every linked set transforms an image without numerical warnings."""
    task = get_task(task_id)
    img = np.random.default_rng(0).random((48, 48, 3)).astype(np.float32)
    img[:8] = 0.0  # exact zeros and ones exercise powers, logs and divisions
    img[-8:] = 1.0
    with np.errstate(all="raise"):
        for level in task.levels or (None,):
            for seed in range(4):
                for params in task.sample_linked_params(rng_for(seed, "link", task_id), level, 3):
                    out = task.transform(img, params)
                    assert np.isfinite(out).all()
