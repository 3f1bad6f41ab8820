from __future__ import annotations

import json

import numpy as np
import pytest

from pixtask.tasks import LEVELS, Category, Metric, Operator, Task, get_task, list_tasks
from pixtask.tasks._registry import register


def test_at_least_60_tasks_in_four_categories():
    tasks = [get_task(t) for t in list_tasks()]
    assert len(tasks) >= 60
    counts = {c: sum(t.category == c for t in tasks) for c in Category}
    assert all(n >= 5 for n in counts.values()), counts


def test_every_task_has_metric_and_valid_levels():
    for t in map(get_task, list_tasks()):
        assert isinstance(t.metric, Metric)
        assert t.levels in ((), LEVELS), (t.id, t.levels)
        assert t.description and t.name


def test_metrics_follow_category():
    for t in map(get_task, list_tasks()):
        if t.category == Category.FEATURE_EXTRACTION and t.direction == "apply":
            assert t.metric == Metric.MAE, t.id
        if t.category == Category.STYLIZATION and t.direction == "apply":
            assert t.metric == Metric.PERCEPTUAL, t.id
        if t.direction == "restore":
            assert t.metric == Metric.PSNR, t.id


def test_unknown_task_suggests_close_ids():
    with pytest.raises(KeyError, match="did you mean 'denoise-gaussian'"):
        get_task("denoise-gausian")


def test_duplicate_registration_fails():
    existing = get_task("canny")
    with pytest.raises(KeyError, match="already registered"):
        register(existing)


def test_invalid_level_is_rejected():
    with pytest.raises(ValueError, match=r"has levels \[1, 2, 3, 4, 5\]; got level=7"):
        get_task("denoise-gaussian").sample_params(np.random.default_rng(0), 7)
    with pytest.raises(ValueError, match="has no severity levels"):
        get_task("canny").sample_params(np.random.default_rng(0), 2)


def test_inverse_tasks_round_trip(photo_128):
    inverses = [t for t in map(get_task, list_tasks()) if t.inverse_id]
    assert len(inverses) >= 20
    for task in inverses:
        inv = get_task(task.inverse_id)
        assert inv.inverse_id == task.id
        assert inv.operator is task.operator
        assert {task.direction, inv.direction} == {"apply", "restore"}
        assert inv.category == task.category and inv.levels == task.levels
    # same params -> the pair is swapped
    task, inv = get_task("canny"), get_task("canny-to-photo")
    params = task.sample_params(np.random.default_rng(0))
    a_in, a_tgt = task.apply(photo_128, params)
    b_in, b_tgt = inv.apply(photo_128, params)
    assert np.array_equal(a_in, b_tgt) and np.array_equal(a_tgt, b_in)


def test_summary_is_json_and_complete():
    for tid in list_tasks():
        s = get_task(tid).summary()
        json.dumps(s)
        assert {"id", "category", "metric", "levels", "pairing", "inverse", "cached"} <= s.keys()


def test_pairing_shares_declared_parameters():
    rng = np.random.default_rng(3)
    for tid, key in [("photographic-style", "look"), ("brighten-correction", "kind"), ("inpainting", "thickness")]:
        prompt, query = get_task(tid).sample_pair_params(rng, get_task(tid).levels[0] if get_task(tid).levels else None)
        assert prompt[key] == query[key], tid
    prompt, query = get_task("denoise-gaussian").sample_pair_params(rng, 3)
    assert prompt["sigma"] == query["sigma"] == 0.15
    assert prompt["seed"] != query["seed"]  # same level, independent noise


def test_operator_output_is_clipped_float32():
    op = Operator("test-out-of-range", lambda img: img * 3 - 1, lambda rng, level: {})
    task = Task("x", "x", Category.RESTORATION, op, "restore", Metric.PSNR, "x")
    out = task.transform(np.full((4, 4, 3), 0.5, np.float32), {})
    assert out.dtype == np.float32 and out.min() >= 0 and out.max() <= 1


def test_transform_checks_the_image():
    with pytest.raises(ValueError, match=r"shape \(H, W, 3\)"):
        get_task("denoise-gaussian").transform(np.zeros((4, 4), np.float32), {"sigma": 0.1, "seed": 0})
    with pytest.raises(TypeError, match="must be float32"):
        get_task("denoise-gaussian").transform(np.zeros((4, 4, 3), np.uint8), {"sigma": 0.1, "seed": 0})
