"""The token-AR model through the one training loop, and its pipeline and CLI afterwards."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from pixtask.cli.main import app
from pixtask.core.condition import ConditionError
from pixtask.models import from_pretrained
from pixtask.models.ar.decoding import GenerationConfig
from pixtask.models.hub import WeightsError
from pixtask.pipelines import ARPipeline, load_pipeline
from pixtask.training.config import load_config
from pixtask.training.run_folder import RunFolder
from pixtask.training.trainer import Trainer

SMALL = "{dim: 32, layers: 2, heads: 4, max_seq_len: 384, text_vocab_size: 300}"


pytestmark = pytest.mark.slow  # heavy: `make test-fast` leaves it out


def config(ar_tokens, out, steps=12, extra=()):
    return load_config(
        None,
        [
            "model=ar-tiny-lm",
            f"model_overrides={SMALL}",
            f"data.tokens={ar_tokens / 'tok'}",
            "data.workers=0",
            f"steps={steps}",
            "batch_size=4",
            "optim.lr=3e-3",
            "optim.warmup_steps=2",
            "log_every=1",
            "checkpoint_every=3",
            "precision=fp32",
            f"out_dir={out}",
            *extra,
        ],
    )


@pytest.fixture(scope="module")
def trained(ar_tokens, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "ar"
    trainer = Trainer(config(ar_tokens, out))
    vq_before = {k: v.clone() for k, v in trainer.model.vq.state_dict().items()}
    trainer.fit()
    return out, trainer, vq_before


def test_loss_falls_and_the_tokenizer_stays_fixed(trained):
    out, trainer, vq_before = trained
    rows = [r.loss for r in RunFolder(out).log()]
    assert len(rows) == 12 and np.mean(rows[-3:]) < 0.9 * np.mean(rows[:3])
    for k, v in trainer.model.vq.state_dict().items():
        torch.testing.assert_close(v, vq_before[k])
    assert not any(p.requires_grad for p in trainer.model.vq.parameters())


def test_saved_model_holds_tokenizers_and_record(trained, ar_tokens):
    out, _trainer, _ = trained
    model = from_pretrained(out / "model")
    assert model.text_tokenizer is not None and (out / "model" / "tokenizer.json").is_file()
    assert model.config.image_size == 32 and model.config.vq["codebook_size"] == 16
    record = json.loads((out / "model" / "training.json").read_text())
    assert record["trained_tasks"] == ["clahe", "denoise-gaussian"] and record["trained_steps"] == 12
    assert record["tokens"] == str(ar_tokens / "tok") and record["condition_modes"] == {"instruction": 1.0}


def test_resumed_run_ends_with_the_same_weights(ar_tokens, tmp_path, trained):
    first = Trainer(config(ar_tokens, tmp_path / "r"))
    first.fit(stop_at=6)
    again = Trainer(config(ar_tokens, tmp_path / "r"))
    again.resume()
    again.fit()
    for k, v in again.model.state_dict().items():
        torch.testing.assert_close(v, trained[1].model.state_dict()[k], msg=k)


def test_pipeline_keeps_size_and_is_seeded(trained, photo_128):
    pipe = load_pipeline(trained[0] / "model", device="cpu")
    assert isinstance(pipe, ARPipeline)
    photo = photo_128[:96]
    a = pipe(photo, instruction="make the shadows clearer").array
    b = pipe(photo, instruction="make the shadows clearer").array
    c = pipe(photo, instruction="make the shadows clearer", generation=GenerationConfig(seed=5)).array
    assert a.shape == photo.shape and np.array_equal(a, b) and not np.array_equal(a, c)
    with pytest.raises(ConditionError, match="told in words only"):
        pipe(photo, prompt=(photo, photo))
    with pytest.raises(ConditionError, match="needs an instruction"):
        pipe(photo)


def test_cli_runs_it_and_refuses_examples(trained, tmp_path, photo_128):
    from pixtask.core.image_io import read_image, write_image

    src = write_image(tmp_path / "in.png", photo_128)
    runner = CliRunner()
    args = ["run", "-i", str(src), "-o", str(tmp_path / "out.png"), "--model", str(trained[0] / "model")]
    result = runner.invoke(app, [*args, "--instruction", "remove the grain", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert read_image(tmp_path / "out.png").shape == photo_128.shape
    refused = runner.invoke(app, [*args, "--prompt", str(src), str(src), "--overwrite"])
    assert refused.exit_code == 2 and "told in words only" in refused.output


def test_a_vq_folder_is_not_a_pipeline(ar_tokens):
    with pytest.raises(WeightsError, match="not an image-to-image model"):
        load_pipeline(ar_tokens / "vq")


def test_ar_models_need_tokens(tmp_path):
    cfg = load_config(None, ["model=ar-tiny-lm", f"out_dir={tmp_path}"])
    with pytest.raises(ValueError, match=r"set data\.tokens"):
        Trainer(cfg)


def test_eval_cli_scores_it_at_its_resolution(trained, tmp_path):
    from pixtask.data.benchmark import BenchmarkConfig, build_benchmark

    bench = tmp_path / "bench"
    build_benchmark(bench, BenchmarkConfig(size=64, tasks="dejpeg", levels=(3,), prompts=2, max_queries=1))
    runner = CliRunner()
    args = ["eval", "--bench", str(bench), "--model", str(trained[0] / "model"), "--out", str(tmp_path / "ev")]
    result = runner.invoke(app, [*args, "--no-prompt", "--instruction", "--resize", "32"])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "ev" / "summary.json").read_text())
    assert set(summary["tasks"]) == {"dejpeg"}
    refused = runner.invoke(app, args)  # told by example (the default)
    assert refused.exit_code == 2 and "told in words only" in refused.output
