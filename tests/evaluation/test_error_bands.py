"""benchmarks/error_bands.py: the band split on errors whose answer is known."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pixtask.data.benchmark import FORMAT
from tests.conftest import load_script


def test_a_uniform_colour_shift_is_all_low_band():
    bands = load_script("benchmarks/error_bands.py")
    error = np.full((64, 64, 3), 0.1, np.float32)
    low, high = bands.band_rms(error, 4.0)
    assert low == pytest.approx(25.5, abs=1e-3) and high == pytest.approx(0.0, abs=1e-3)


def test_pixel_noise_is_all_high_band():
    bands = load_script("benchmarks/error_bands.py")
    checker = (np.indices((64, 64)).sum(0) % 2 * 2 - 1).astype(np.float32)[..., None] * 0.1
    low, high = bands.band_rms(np.repeat(checker, 3, axis=2), 4.0)
    assert low < 0.1 and high == pytest.approx(25.5, abs=0.1)


def test_tasks_missing_from_the_benchmark_are_refused(tmp_path):
    bands = load_script("benchmarks/error_bands.py")
    (tmp_path / "manifest.json").write_text(json.dumps({"format": FORMAT, "tasks": {}, "samples": []}))
    with pytest.raises(ValueError, match=r"no samples of tasks \['sr-x3'\]"):
        bands.measure(lambda *a: a[0], tmp_path, {"sr-x3"}, 4.0)
