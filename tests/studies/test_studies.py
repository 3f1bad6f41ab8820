"""The study commands on a minute-scale configuration: tiny benchmark, tiny random model."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from pixtask.cli.main import app
from pixtask.data.benchmark import BenchmarkConfig, build_benchmark
from pixtask.models import create_model, save_pretrained
from pixtask.studies.compare import compare_models, write_comparison
from pixtask.studies.mismatch import CLEAN, mismatch, write_mismatch
from pixtask.studies.prompt_robustness import prompt_robustness, write_prompt_robustness
from pixtask.studies.specialists import plan_specialists
from pixtask.training.config import TrainConfig, load_config, save_config
from pixtask.training.run_folder import RunFolder

runner = CliRunner()
TASKS = "dejpeg,denoise-gaussian,canny"


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    build_benchmark(root, BenchmarkConfig(size=64, tasks=TASKS, levels=(3,), prompts=3, max_queries=2))
    return root


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("model")
    save_pretrained(create_model("genlv-tiny"), folder, record={"trained_tasks": ["dejpeg"]})
    return folder


def identity(q, condition):
    return q


def prompt_shift(q, condition):
    """Output depends on the prompt: adds the prompt pair's mean change."""
    pi, po = condition.prompt
    return np.clip(q + (po - pi).mean(), 0, 1)


def test_prompt_robustness_counts_prompts_and_spreads(bench, tmp_path):
    flat = prompt_robustness(identity, bench, {"dejpeg"})
    r = flat["dejpeg"]
    assert r["prompts"] == 3 and r["std"] == 0.0  # identity ignores the prompt
    assert r["mean"] == pytest.approx(np.mean(list(r["per_prompt"].values())), abs=1e-3)
    shifted = prompt_robustness(prompt_shift, bench, {"canny"})["canny"]
    assert shifted["std"] > 0 and shifted["min"] < shifted["max"]
    write_prompt_robustness(flat, tmp_path, "identity")
    assert "| dejpeg | psnr | 3 |" in (tmp_path / "prompt_robustness.md").read_text()
    assert (tmp_path / "prompt_robustness.png").stat().st_size > 1000


def test_mismatch_measures_change(bench, tmp_path):
    same = mismatch(identity, bench, ["dejpeg", "canny"], ["denoise-gaussian"], max_queries=2)
    assert same["cells"]["denoise-gaussian"]["canny"] == {
        "psnr_to_input": 100.0,
        "mean_abs_change": 0.0,
        "matched": False,
    }
    black = mismatch(lambda q, condition: np.zeros_like(q), bench, ["dejpeg"], ["denoise-gaussian"], max_queries=1)
    clean = black["inputs"][CLEAN]
    assert black["cells"][CLEAN]["dejpeg"]["mean_abs_change"] == pytest.approx(clean.mean() * 255, abs=0.01)
    write_mismatch(black, tmp_path, "black")
    assert "| clean |" in (tmp_path / "mismatch.md").read_text()
    assert (tmp_path / "mismatch_grid.png").is_file() and (tmp_path / "mismatch.png").is_file()


def test_compare_handles_per_task_models_and_missing_ones(bench, tmp_path):
    def load(folder):
        return identity if folder.endswith("id") else (lambda q, condition: np.clip(q * 0.5, 0, 1))

    columns = {"same": "x/id", "half": str(tmp_path / "{task}")}
    (tmp_path / "dejpeg").mkdir()
    table = compare_models(columns, bench, load, {"dejpeg", "canny"})
    assert table["dejpeg"]["same"] == table["dejpeg"]["identity"]
    assert table["dejpeg"]["half"] < table["dejpeg"]["identity"]
    assert table["canny"]["half"] is None  # no model folder for canny
    write_comparison(table, list(columns), tmp_path / "out", "test")
    text = (tmp_path / "out" / "comparison.md").read_text()
    assert "| canny | mae |" in text and " - |" in text


def test_specialist_plan_budgets():
    base = TrainConfig(steps=600)
    runs = plan_specialists(base, ["dejpeg", "derain", "canny"], "runs/x")
    assert sorted(runs) == sorted(
        ["reference", *(f"{b}/{t}" for b in ("split", "same") for t in ("dejpeg", "derain", "canny"))]
    )
    assert runs["split/derain"].steps == 200 and runs["same/derain"].steps == 600
    assert runs["reference"].data.tasks == ["dejpeg", "derain", "canny"]
    assert all(r.model_overrides["use_prompt"] is False for r in runs.values())
    assert runs["same/canny"].out_dir == "runs/x/same/canny"
    assert base.model_overrides == {}  # the generalist's config is untouched
    assert sorted(plan_specialists(base, ["dejpeg", "canny"], "r", ("split",))) == [
        "reference",
        "split/canny",
        "split/dejpeg",
    ]
    with pytest.raises(ValueError, match="unknown budget"):
        plan_specialists(base, ["dejpeg", "canny"], "r", ("half",))
    with pytest.raises(ValueError, match="at least 2 tasks"):
        plan_specialists(base, ["dejpeg"], "runs/x")


def test_study_cli_commands(bench, model_dir, tmp_path):
    common = ["--bench", str(bench), "--model", str(model_dir)]
    r = runner.invoke(app, ["study", "prompts", *common, "--tasks", "dejpeg", "--out", str(tmp_path / "p")])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "p" / "prompt_robustness.json").read_text())["dejpeg"]["prompts"] == 3
    r = runner.invoke(
        app,
        [
            "study",
            "mismatch",
            *common,
            "--prompt-tasks",
            "dejpeg,canny",
            "--input-tasks",
            "denoise-gaussian",
            "--out",
            str(tmp_path / "m"),
            "--max-queries",
            "1",
        ],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["study", "zero-shot", *common, "--out", str(tmp_path / "z")])
    assert r.exit_code == 0, r.output
    held = json.loads((tmp_path / "z" / "summary.json").read_text())["tasks"]
    assert sorted(held) == ["canny", "denoise-gaussian"]  # dejpeg was trained on
    r = runner.invoke(
        app, ["study", "compare", "--bench", str(bench), "--model", f"a={model_dir}", "--out", str(tmp_path / "c")]
    )
    assert r.exit_code == 0, r.output
    bad = runner.invoke(app, ["study", "compare", "--bench", str(bench), "--model", "nofolder"])
    assert bad.exit_code == 2 and "NAME=FOLDER" in bad.output


def test_zero_shot_needs_a_record_of_trained_tasks(bench, tmp_path):
    torch.manual_seed(0)
    save_pretrained(create_model("genlv-tiny"), tmp_path / "m")
    r = runner.invoke(app, ["study", "zero-shot", "--bench", str(bench), "--model", str(tmp_path / "m")])
    assert r.exit_code == 2 and "pass --held-out" in r.output


def test_specialists_cli_trains_and_skips_finished_runs(tmp_path):
    args = ["study", "specialists", "--config", "configs/studies/restoration6.yaml", "--tasks", "dejpeg,derain"]
    args += ["--out", str(tmp_path), "--budget", "split"]
    planned = runner.invoke(app, args)
    assert planned.exit_code == 0, planned.output
    assert sorted(p.name for p in (tmp_path / "configs").iterdir()) == [
        "reference.yaml",
        "split--dejpeg.yaml",
        "split--derain.yaml",
    ]
    # shrunk through the config API, so a changed key cannot silently leave the runs full size
    small = tmp_path / "small.yaml"
    shrunk = load_config(tmp_path / "configs" / "reference.yaml", ["steps=2", "data.crop=32", "data.workers=0"])
    save_config(shrunk, small)
    args[3] = str(small)
    first = runner.invoke(app, [*args, "--train"])
    assert first.exit_code == 0, first.output
    assert (tmp_path / "split" / "dejpeg" / "model" / "model.safetensors").is_file()
    for run, steps in {"split/dejpeg": 1, "split/derain": 1, "reference": 2}.items():  # split: 2 steps / 2 tasks
        logged = [row.step for row in RunFolder(tmp_path / run).log()]
        assert logged[-1] == steps, (run, logged)
    again = runner.invoke(app, [*args, "--train"])
    assert again.output.count("done already") == 3
