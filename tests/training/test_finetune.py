"""Few-shot fine-tuning: which parameters each strategy moves, early stopping, the CLI, the study."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from pixtask.cli.main import app
from pixtask.core.image_io import write_image
from pixtask.data.paired_folder import PairedFolder
from pixtask.models import create_model, from_pretrained, save_pretrained
from pixtask.training.finetune import FewShotConfig, finetune, select_trainable

runner = CliRunner()


@pytest.fixture(scope="module")
def pairs(tmp_path_factory, photo_128, photo_128_b):
    """Darkening pairs (target = input * 0.6): 2 for training, 1 for validation."""
    root = tmp_path_factory.mktemp("pairs")
    for split, images in {"train": [photo_128, photo_128_b], "val": [np.flipud(photo_128)]}.items():
        for i, img in enumerate(images):
            write_image(root / split / "input" / f"{i}.png", img)
            write_image(root / split / "target" / f"{i}.png", img * 0.6)
    return root


def _model():
    torch.manual_seed(0)
    return create_model("genlv-tiny")


def test_strategies_select_the_papers_parameter_groups():
    model = _model()
    total = sum(p.numel() for p in model.parameters())
    prompt = sum(p.numel() for p in model.prompt_encoder.parameters())
    latent = sum(p.numel() for p in model.latent_blocks.parameters())
    assert select_trainable(model, "prompt-encoder") == prompt
    assert select_trainable(model, "prompt-and-latent") == prompt + latent
    assert select_trainable(model, "full") == total
    assert select_trainable(model, "backbone") == total - prompt
    encoder = sum(
        p.numel() for n, p in model.named_parameters() if n.startswith(("patch_embed", "encoder_level", "down"))
    )
    assert encoder > 0 and select_trainable(model, "prompt-latent-encoder") == prompt + latent + encoder
    assert select_trainable(model, "scratch") == total


def test_prompt_encoder_strategy_leaves_the_backbone_alone(pairs):
    base = _model()
    cfg = FewShotConfig(strategy="prompt-encoder", steps=4, eval_every=1, patience=10, crop=32, precision="fp32")
    result = finetune(base, PairedFolder.open(pairs / "train"), PairedFolder.open(pairs / "val"), cfg)
    new, old = result.model.state_dict(), base.state_dict()
    frozen = [k for k in old if not k.startswith("prompt_encoder")]
    assert len(frozen) > 50 and all(torch.equal(new[k], old[k]) for k in frozen)
    moved = [k for k in old if k.startswith("prompt_encoder") and not torch.equal(new[k], old[k])]
    # seeded: on these pairs a later step validates better than the start, so the returned weights moved
    assert result.best_step > 0 and result.best_val_psnr > result.initial_val_psnr and moved
    assert result.history[0]["step"] == 0 and len(result.history) == 5


def test_early_stopping_and_bad_strategy(pairs):
    cfg = FewShotConfig(strategy="full", steps=50, eval_every=1, patience=1, crop=32, lr=0.5, precision="fp32")
    result = finetune(_model(), PairedFolder.open(pairs / "train"), PairedFolder.open(pairs / "val"), cfg)
    # lr 0.5 diverges: training stops exactly `patience` validations after the best one
    assert len(result.history) < 51
    assert result.history[-1]["step"] == result.best_step + cfg.patience
    assert result.best_val_psnr == pytest.approx(max(h["val_psnr"] for h in result.history), abs=1e-4)
    with pytest.raises(ValueError, match="unknown strategy 'all'"):
        FewShotConfig(strategy="all").validate()


@pytest.mark.slow
def test_finetune_learns_an_easy_task(pairs):
    """Darkening is learnable in a few dozen full-model steps: validation PSNR must rise."""
    cfg = FewShotConfig(strategy="full", steps=40, eval_every=10, patience=4, crop=32, lr=1e-3, precision="fp32")
    torch.manual_seed(0)
    small = create_model(
        "genlv-tiny", num_blocks=[1, 1, 1, 1], num_refinement=1
    )  # the same layers, a third of the time
    result = finetune(small, PairedFolder.open(pairs / "train"), PairedFolder.open(pairs / "val"), cfg)
    assert result.best_val_psnr > result.initial_val_psnr + 1.0, result.history


def test_finetune_cli(pairs, tmp_path):
    save_pretrained(_model(), tmp_path / "base")
    r = runner.invoke(
        app,
        [
            "finetune",
            "--pairs",
            str(pairs / "train"),
            "--val",
            str(pairs / "val"),
            "--out",
            str(tmp_path / "ft"),
            "--model",
            str(tmp_path / "base"),
            "--steps",
            "2",
            "--eval-every",
            "1",
            "--crop",
            "32",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "val PSNR" in r.output and from_pretrained(tmp_path / "ft" / "model") is not None
    record = json.loads((tmp_path / "ft" / "model" / "training.json").read_text())
    assert record["freeze"] == "backbone" and record["best_step"] in (0, 1, 2)
    assert (tmp_path / "ft" / "validation.csv").read_text().startswith("step,loss,val_psnr")
    # one training loop: the run folder is a training run's
    assert (tmp_path / "ft" / "log.csv").is_file() and (tmp_path / "ft" / "config.yaml").is_file()
    bad = runner.invoke(
        app, ["finetune", "--pairs", str(tmp_path), "--val", str(pairs / "val"), "--out", str(tmp_path / "x")]
    )
    assert bad.exit_code == 2 and "input/" in bad.output


@pytest.mark.slow
def test_few_shot_study_end_to_end(tmp_path):
    from pixtask.data.benchmark import BenchmarkConfig, build_benchmark
    from pixtask.studies.few_shot import few_shot_study

    bench = tmp_path / "bench"
    build_benchmark(bench, BenchmarkConfig(size=64, tasks="darken-correction", levels=(3,), prompts=2, max_queries=2))
    cfg = FewShotConfig(steps=2, eval_every=1, crop=32, precision="fp32")
    summary = few_shot_study(_model(), "darken-correction", bench, tmp_path / "fs", cfg, ["prompt-encoder", "scratch"])
    assert list(summary["rows"]) == ["zero-shot", "prompt-encoder", "scratch"]
    assert len(list((tmp_path / "fs" / "pairs" / "train" / "input").iterdir())) == 5
    assert (tmp_path / "fs" / "few_shot.png").is_file() and "| scratch |" in (
        tmp_path / "fs" / "few_shot.md"
    ).read_text()
    assert summary["curves"]["scratch"][-1]["step"] == 4  # scratch gets twice the steps
