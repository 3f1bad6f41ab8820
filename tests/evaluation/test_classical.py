from __future__ import annotations

import numpy as np
import pytest

from pixtask.core.condition import Condition
from pixtask.evaluation.classical import auto_exposure, classical_predictor
from pixtask.evaluation.metrics import psnr
from pixtask.tasks import get_task


def test_non_local_means_beats_identity_on_gaussian_noise(photo_128):
    inp, tgt = get_task("denoise-gaussian")(photo_128, np.random.default_rng(0), 2)
    out = classical_predictor("denoise-gaussian")(inp, Condition(prompt=(inp, inp)))
    assert psnr(out, tgt) > psnr(inp, tgt) + 2


def test_auto_exposure_maps_mean_luma_to_half(photo_128):
    dark = (photo_128 * 0.3).astype(np.float32)
    import cv2

    assert abs(float(cv2.cvtColor(auto_exposure(dark), cv2.COLOR_RGB2GRAY).mean()) - 0.5) < 0.08


def test_unknown_task_has_no_classical_method():
    with pytest.raises(KeyError, match="no classical method registered for 'canny'"):
        classical_predictor("canny")
