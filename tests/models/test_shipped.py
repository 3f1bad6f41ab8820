"""The shipped default model: present, small, loadable by name, and useful on a test photo."""

from __future__ import annotations

import numpy as np
import pytest

from pixtask import GenLVPipeline
from pixtask.core.geometry import center_square
from pixtask.core.seeding import rng_for
from pixtask.evaluation.metrics import compute_metric
from pixtask.models import DEFAULT_MODEL, from_pretrained, list_pretrained
from pixtask.models.hub import PRETRAINED_DIR, model_info
from pixtask.tasks import get_task
from tests.conftest import bundled


def test_default_model_ships_with_the_package():
    assert DEFAULT_MODEL in list_pretrained()
    folder = PRETRAINED_DIR / DEFAULT_MODEL
    assert (folder / "model.safetensors").stat().st_size < 25 * 2**20
    assert "## Results on the benchmark's test photos" in (folder / "README.md").read_text()
    info = model_info(DEFAULT_MODEL)
    trained = info["trained_tasks"]
    assert len(trained) >= 24
    assert {get_task(t).category.value for t in trained} == {
        "restoration",
        "enhancement",
        "stylization",
        "feature extraction",
    }
    assert from_pretrained().config == from_pretrained(folder).config


@pytest.mark.parametrize(
    "task_id",
    [
        # deraining is the most prompt-sensitive task: on this pair stage 3 gained only +0.54 dB
        # (a strict xfail until stage 4), stage 4 +1.10
        "derain",
        "dehaze",
        "brighten-correction",
        "demosaic",
        "denoise-gaussian",
        "lowlight-enhancement",
        "darken-correction",
        # known defect (docs/models/pixtask-tiny.md): on x2 super-resolution the model is still
        # worse than leaving the input alone; strict, so the day it is fixed this test says so
        pytest.param("sr-x2", marks=pytest.mark.xfail(strict=True, reason="pixtask-tiny is worse than identity")),
    ],
)
def test_shipped_model_beats_identity_on_an_unseen_photo(task_id):
    """Test photo (astronaut) as query, another test photo (coffee) as the prompt."""
    task = get_task(task_id)
    rng = rng_for(0, "shipped-test", task_id)
    prompt_params, query_params = task.sample_pair_params(rng, 3 if task.levels else None)
    q_in, q_tgt = task.apply(center_square(bundled("astronaut").load(), 256), query_params)
    p_in, p_tgt = task.apply(center_square(bundled("coffee").load(), 256), prompt_params)
    out = GenLVPipeline.from_pretrained(precision="fp32").predictor()(q_in, p_in, p_tgt)
    gain = compute_metric("psnr", out, q_tgt) - compute_metric("psnr", q_in, q_tgt)
    assert gain > 1.0, f"{task_id}: {gain:.2f} dB over identity"
    assert np.isfinite(out).all() and out.shape == q_tgt.shape


def test_models_shipped_cli_lists_the_default():
    from typer.testing import CliRunner

    from pixtask.cli.main import app

    result = CliRunner().invoke(app, ["models", "shipped"])
    assert result.exit_code == 0 and f"{DEFAULT_MODEL} (default)" in result.output
