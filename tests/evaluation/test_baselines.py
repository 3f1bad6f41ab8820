"""Trivial baselines and the metrics that fit feature maps and stylization (hand-made cases)."""

from __future__ import annotations

import numpy as np
import pytest

from pixtask.evaluation.baselines import colour_transfer, trivial_answer
from pixtask.evaluation.evaluator import QueryResult, summarise
from pixtask.evaluation.metrics import colour_stats_distance, edge_f, edge_f_counts, f_from_counts
from pixtask.evaluation.report import _markdown


def rgb(gray: np.ndarray) -> np.ndarray:
    return np.repeat(gray[..., None], 3, axis=2).astype(np.float32)


def line_map(rows=slice(0, 32), col: int = 10) -> np.ndarray:
    img = np.zeros((32, 32), np.float32)
    img[rows, col] = 1.0
    return rgb(img)


def test_an_all_zero_edge_map_is_matched_exactly_by_the_black_constant():
    target, photo = rgb(np.zeros((16, 16))), np.random.default_rng(0).random((16, 16, 3)).astype(np.float32)
    answer = trivial_answer("mae", photo, target)
    assert answer.name == "black" and answer.value == 0.0


def test_a_constant_target_is_matched_exactly_by_its_mean():
    target = np.full((16, 16, 3), 0.5, np.float32)
    answer = trivial_answer("mae", np.zeros_like(target), target)
    assert answer.name == "mean" and answer.value == 0.0
    assert trivial_answer("psnr", target, target) is None  # restoration tasks keep identity only


def test_edge_f_on_hand_computed_cases():
    truth = line_map()
    assert edge_f(line_map(col=11), truth) == pytest.approx(1.0)  # 1 px off: within the 1-px tolerance
    assert edge_f(line_map(col=13), truth) == 0.0  # 3 px off: no match
    extra = line_map() + line_map(col=25)
    assert edge_f(extra, truth) == pytest.approx(2 * 0.5 * 1 / 1.5)  # precision 1/2, recall 1
    half = line_map(rows=slice(0, 16))
    recall = 17 / 32  # rows 0-15, and row 16 within 1 px of row 15
    assert edge_f(half, truth) == pytest.approx(2 * recall / (1 + recall))
    # the best constant draws no edges: F is 0 at every threshold
    assert edge_f(np.zeros_like(truth), truth) == 0.0


def test_set_level_edge_f_uses_one_threshold_for_all_maps():
    truth = line_map()
    faint, strong = line_map() * 0.2, line_map()
    counts = edge_f_counts(faint, truth) + edge_f_counts(strong, truth)
    assert f_from_counts(counts) == pytest.approx(1.0)  # threshold <= 0.2 finds both lines
    noisy = line_map() * 0.2 + rgb(np.full((32, 32), 0.1))  # at 0.2 only the line; below, everything
    assert edge_f(noisy, truth) == pytest.approx(1.0)


def test_colour_transfer_takes_the_reference_palette():
    rng = np.random.default_rng(0)
    source = (0.3 + 0.3 * rng.random((32, 32, 3))).astype(np.float32)
    reference = (0.4 + 0.2 * rng.random((32, 32, 3)) * np.array([1.0, 0.5, 0.2])).astype(np.float32)
    moved = colour_transfer(source, reference)
    assert colour_stats_distance(source, reference) > 5
    assert colour_stats_distance(moved, reference) < 0.5
    assert colour_stats_distance(reference, reference) == 0.0


def result(task, metric, value, identity, trivial=None, category="feature extraction"):
    return QueryResult(
        task,
        3,
        category,
        metric,
        "q",
        "p",
        value,
        identity,
        trivial=trivial,
        trivial_name="black" if trivial is not None else "",
    )


def test_the_headline_gain_is_over_the_stronger_baseline():
    results = [
        result("canny", "mae", 40.0, 120.0, trivial=20.0),  # the dark ghost: beats identity, not black
        result("sobel", "mae", 10.0, 100.0, trivial=16.0),
        result("derain", "psnr", 20.0, 18.0, category="restoration"),
    ]
    summary = summarise(results)
    canny, sobel, derain = (summary["tasks"][t] for t in ("canny", "sobel", "derain"))
    assert (canny["baseline"], canny["gain"], canny["gain_vs_identity"]) == ("best constant", -20.0, 80.0)
    assert (sobel["baseline"], sobel["gain"]) == ("best constant", 6.0)
    assert (derain["baseline"], derain["gain"]) == ("identity", 2.0) and "trivial" not in derain
    features = summary["categories"]["feature extraction (mae)"]
    assert (features["beats_baseline"], features["beats_identity"]) == (1, 2)
    summary["title"] = "t"
    page = _markdown(summary)
    assert "| canny | feature extraction | mae | 40.0 | 120.0 | 20.0 (best constant) | -20.0 | best constant |" in page
