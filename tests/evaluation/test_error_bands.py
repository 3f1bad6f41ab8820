"""pixtask.evaluation.error_bands: the band split on errors whose answer is known, and the
measurement on a benchmark through the evaluator's loop."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pixtask.core.image_io import read_image
from pixtask.data.benchmark import FORMAT, Benchmark, BenchmarkConfig, build_benchmark
from pixtask.evaluation.error_bands import band_rms, measure, write_error_bands


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    build_benchmark(root, BenchmarkConfig(size=64, tasks="dejpeg,white-balance", levels=(3,), prompts=2, max_queries=2))
    return root


def test_a_uniform_colour_shift_is_all_low_band():
    error = np.full((64, 64, 3), 0.1, np.float32)
    low, high = band_rms(error, 4.0)
    assert low == pytest.approx(25.5, abs=1e-3) and high == pytest.approx(0.0, abs=1e-3)


def test_pixel_noise_is_all_high_band():
    checker = (np.indices((64, 64)).sum(0) % 2 * 2 - 1).astype(np.float32)[..., None] * 0.1
    low, high = band_rms(np.repeat(checker, 3, axis=2), 4.0)
    assert low < 0.1 and high == pytest.approx(25.5, abs=0.1)


def test_tasks_missing_from_the_benchmark_are_refused(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"format": FORMAT, "tasks": {}, "samples": []}))
    with pytest.raises(ValueError, match=r"no samples of tasks \['sr-x3'\]"):
        measure(lambda *a: a[0], tmp_path, {"sr-x3"}, 4.0)


def test_measure_scores_every_query_told_by_its_prompt(bench, tmp_path):
    """By hand: each query's own error bands and those of a predictor that adds its prompt
    pair's mean change (so the prompt the evaluator picks shows in the numbers)."""

    def shift(q, condition):
        p_in, p_tgt = condition.prompt
        return np.clip(q + (p_tgt - p_in).mean(), 0, 1)

    calls = []
    rows = measure(shift, bench, {"white-balance"}, 4.0, progress=lambda *args: calls.append(args))
    queries = Benchmark.open(bench).queries({"white-balance"})
    expected = []
    for q in queries:
        q_in, q_tgt = read_image(q.input), read_image(q.target)
        pred = np.clip(q_in + (read_image(q.prompt.target) - read_image(q.prompt.input)).mean(), 0, 1)
        expected.append([*band_rms(q_in - q_tgt, 4.0), *band_rms(pred - q_tgt, 4.0)])
    mean = np.mean(expected, axis=0)
    assert rows == {
        "white-balance": {
            "identity_low": round(float(mean[0]), 2),
            "identity_high": round(float(mean[1]), 2),
            "model_low": round(float(mean[2]), 2),
            "model_high": round(float(mean[3]), 2),
            "queries": 2,
        }
    }
    assert rows["white-balance"]["model_low"] != rows["white-balance"]["identity_low"]
    assert calls == [(1, 1, "white-balance L3")]
    text = write_error_bands(rows, tmp_path, "fake", 4.0, "bench")
    assert json.loads((tmp_path / "error_bands.json").read_text()) == {"model": "fake", "sigma": 4.0, "tasks": rows}
    assert (tmp_path / "error_bands.md").read_text() == text and "| white-balance | 2 |" in text
