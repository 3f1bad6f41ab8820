"""The shipped default model: present, small, loadable by name, and useful on a test photo."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pixtask import GenLVPipeline
from pixtask.core.condition import Condition
from pixtask.core.geometry import center_square
from pixtask.core.seeding import rng_for
from pixtask.evaluation.metrics import compute_metric
from pixtask.models import DEFAULT_MODEL, from_pretrained, list_pretrained
from pixtask.models.hub import PRETRAINED_DIR, model_info
from pixtask.tasks import get_task
from tests.conftest import ROOT, bundled


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


# The model's recorded evaluation on the benchmark (23 test photos, levels 1/3/5), written when it shipped.
# (`pixtask eval` writes summary.json; a three-mode study writes its by-example one in example/)
EVAL_DIR = ROOT / "docs" / f"eval-{DEFAULT_MODEL}"
RECORD_PATH = next(p for p in (EVAL_DIR / "summary.json", EVAL_DIR / "example" / "summary.json") if p.is_file())
RECORDED = json.loads(RECORD_PATH.read_text())["tasks"]
CLEAR_DB = 0.5
# trained restoration/enhancement tasks whose recorded mean gain over identity is clear: the
# record, not today's weights, decides which tasks this test holds the model to
CLEARLY_HELPED = sorted(
    t
    for t, r in RECORDED.items()
    if t in model_info(DEFAULT_MODEL)["trained_tasks"]
    and r["category"] in ("restoration", "enhancement")
    and r.get("gain_vs_identity", r["gain"]) > CLEAR_DB
)


# Measured misses on this one photo pair, kept visible (strict: the test fails once they pass)
KNOWN_MISSES: dict[tuple[str, str], str] = {  # (model, task): the measured miss, as a strict xfail
    # since the example's reading was retrained on crops of 128 (stage 15); benchmark mean 22.94 -> 23.03
    ("pixtask-naf-base", "clahe"): "-0.20 dB on this pair (coffee told, astronaut redone), fp32",
}
CASES = [
    pytest.param(t, marks=pytest.mark.xfail(reason=KNOWN_MISSES[DEFAULT_MODEL, t], strict=True))
    if (DEFAULT_MODEL, t) in KNOWN_MISSES
    else t
    for t in CLEARLY_HELPED
]


def test_the_record_names_enough_tasks():
    assert len(CLEARLY_HELPED) >= 10, CLEARLY_HELPED


@pytest.mark.slow
@pytest.mark.parametrize("task_id", CASES)
def test_shipped_model_helps_on_an_unseen_photo_where_its_record_says_it_does(task_id):
    """Test photo (astronaut) as query, another test photo (coffee) as the prompt: a task the
    recorded evaluation says the model clearly helps must beat identity here too."""
    task = get_task(task_id)
    rng = rng_for(0, "shipped-test", task_id)
    prompt_params, query_params = task.sample_pair_params(rng, 3 if task.levels else None)
    q_in, q_tgt = task.apply(center_square(bundled("astronaut").load(), 256), query_params)
    p_in, p_tgt = task.apply(center_square(bundled("coffee").load(), 256), prompt_params)
    out = GenLVPipeline.from_pretrained(precision="fp32").predictor()(q_in, Condition(prompt=(p_in, p_tgt)))
    gain = compute_metric("psnr", out, q_tgt) - compute_metric("psnr", q_in, q_tgt)
    recorded = RECORDED[task_id].get("gain_vs_identity", RECORDED[task_id]["gain"])
    assert gain > 0, f"{task_id}: {gain:+.2f} dB on this photo, recorded mean {recorded:+.2f} dB"
    assert np.isfinite(out).all() and out.shape == q_tgt.shape


def test_models_shipped_cli_lists_the_default():
    from typer.testing import CliRunner

    from pixtask.cli.main import app

    result = CliRunner().invoke(app, ["models", "shipped"])
    assert result.exit_code == 0 and f"{DEFAULT_MODEL} (default)" in result.output
