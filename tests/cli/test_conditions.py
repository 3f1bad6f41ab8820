"""Conditions end to end: the dataset draws them, the trainer trains on all three modes, the
pipeline and the CLI tell a model its task by example, in words, or both."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from typer.testing import CliRunner

from pixtask.cli.main import app
from pixtask.core.condition import ConditionError
from pixtask.core.image_io import read_image, write_image
from pixtask.core.seeding import rng_for
from pixtask.data.multitask import MultiTaskDataset, TaskMixture
from pixtask.data.photos import bundled_photos
from pixtask.data.task_instructions import task_violation
from pixtask.models.hub import DEFAULT_TEXT_MODEL, model_info
from pixtask.pipelines import GenLVPipeline
from pixtask.training.config import load_config
from pixtask.training.trainer import Trainer

runner = CliRunner()
WORDS = "the streaks of falling water fade away and the surfaces they covered show through, sharp and dry"
MODES = {"example": 1.0, "instruction": 1.0, "both": 1.0}


def _dataset(modes=MODES) -> MultiTaskDataset:
    photos = [p for p in bundled_photos() if p.split == "train"]
    return MultiTaskDataset(photos, TaskMixture({"derain": 1.0, "white-balance": 1.0}), crop=32, condition_modes=modes)


def test_the_dataset_draws_each_mode_with_explanatory_words():
    data = _dataset()
    samples = [data[i] for i in range(45)]
    modes = Counter(("both" if s["has_prompt"] else "instruction") if s["instruction"] else "example" for s in samples)
    assert set(modes) == {"example", "instruction", "both"} and min(modes.values()) >= 8, modes
    for s in samples:
        assert task_violation(s["task"], s["instruction"]) is None
    again = data[7]
    assert (again["instruction"], again["has_prompt"]) == (samples[7]["instruction"], samples[7]["has_prompt"])
    only_examples = _dataset({"example": 1.0})
    assert all(only_examples[i]["instruction"] == "" for i in range(10))
    # the images do not depend on the condition: same stream with and without words
    assert np.array_equal(only_examples[3]["images"].numpy(), data[3]["images"].numpy())
    with pytest.raises(ValueError, match="condition_modes must weigh"):
        _dataset({"words": 1.0})


def test_a_share_of_worded_samples_is_told_by_words_about_its_own_pair():
    from pixtask.instructions.measured import describe_pair

    photos = [p for p in bundled_photos() if p.split == "train"]
    mixture = TaskMixture({"derain": 1.0, "white-balance": 1.0})
    words = {"instruction": 1.0}
    measured = MultiTaskDataset(photos, mixture, crop=32, condition_modes=words, measured_words=1.0)
    templates = MultiTaskDataset(photos, mixture, crop=32, condition_modes=words)
    for i in range(6):
        images, task, _, _, condition = measured.sample(i)
        query_input, query_target = images[2], images[3]
        # the words describe the very pair the model is asked to produce (same measurement)
        rng = rng_for(0, "condition", i)
        rng.choice(1, p=[1.0])  # the mode draw comes first
        rng.random()  # then the draw for measured words
        assert condition["instruction"] == describe_pair(query_input, query_target, rng)
        assert templates[i]["instruction"] != condition["instruction"]
        assert task_violation(task, condition["instruction"]) is None
    assert np.array_equal(measured[3]["images"].numpy(), templates[3]["images"].numpy())
    with pytest.raises(ValueError, match="measured_words is a share"):
        MultiTaskDataset(photos, mixture, crop=32, measured_words=1.5)


@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    """Two steps of a small text+example model on all three modes."""
    out = tmp_path_factory.mktemp("text-run")
    cfg = load_config(
        None,
        [
            "model=genlv-tiny-text",
            "model_overrides={dim: 8, prompt_nf: 8}",
            "steps=2",
            "batch_size=6",
            "data.workers=0",
            "data.crop=32",
            "data.tasks=[derain, white-balance]",
            f"out_dir={out}",
            "precision=fp32",
        ],
    )
    trainer = Trainer(cfg)
    batch = next(iter(trainer.loader(list(range(6)))))
    folder = trainer.fit()
    return folder, batch


def test_the_trainer_trains_on_all_three_modes(text_run):
    folder, batch = text_run
    told = {
        ("both" if p else "instruction") if t else "example"
        for t, p in zip(batch["instruction"], batch["has_prompt"], strict=True)
    }
    assert told == {"example", "instruction", "both"}
    record = model_info(folder)
    assert record["condition_modes"] == MODES and record["trained_steps"] == 2


def test_the_pipeline_says_how_it_was_told(text_run, photo_128):
    folder, _ = text_run
    pipe = GenLVPipeline.from_pretrained(folder, precision="fp32")
    pair = (photo_128, np.flipud(photo_128))
    outputs = {
        "example": pipe(photo_128, prompt=pair),
        "instruction": pipe(photo_128, instruction=WORDS),
        "both": pipe(photo_128, prompt=pair, instruction=WORDS),
    }
    for mode, out in outputs.items():
        assert out.told == mode and out.array.shape == photo_128.shape
    assert not np.array_equal(outputs["example"].array, outputs["instruction"].array)
    visual = GenLVPipeline.from_pretrained("pixtask-tiny")
    with pytest.raises(ConditionError, match="reads no instructions"):
        visual(photo_128, instruction=WORDS)
    with pytest.raises(ConditionError, match="needs an example pair"):
        pipe(photo_128)


def test_run_and_eval_accept_prompt_instruction_or_both(text_run, photo_128, tmp_path):
    folder, _ = text_run
    write_image(tmp_path / "photo.png", photo_128)
    write_image(tmp_path / "p_in.png", photo_128)
    write_image(tmp_path / "p_out.png", photo_128 * 0.5)
    prompt = ["--prompt", str(tmp_path / "p_in.png"), str(tmp_path / "p_out.png")]
    words = ["--instruction", WORDS]
    for name, flags in {"example": prompt, "instruction": words, "both": prompt + words}.items():
        out = tmp_path / f"{name}.png"
        r = runner.invoke(
            app, ["run", "-i", str(tmp_path / "photo.png"), "-o", str(out), "--model", str(folder), *flags]
        )
        assert r.exit_code == 0, r.output
        assert read_image(out).shape == photo_128.shape
        assert ("example pair" in r.output) == (name != "instruction") and ("instruction" in r.output) == (
            name != "example"
        )
    neither = runner.invoke(app, ["run", "-i", str(tmp_path / "photo.png"), "-o", str(tmp_path / "n.png")])
    assert neither.exit_code == 2 and "--prompt" in neither.output and "--instruction" in neither.output
    assert not (tmp_path / "n.png").exists()

    from pixtask.data.benchmark import BenchmarkConfig, build_benchmark

    bench = tmp_path / "bench"
    build_benchmark(bench, BenchmarkConfig(size=64, tasks="derain", levels=(3,), prompts=2, max_queries=1))
    r = runner.invoke(
        app,
        [
            "eval",
            "--bench",
            str(bench),
            "--model",
            str(folder),
            "--no-prompt",
            "--instruction",
            "--out",
            str(tmp_path / "e"),
        ],
    )
    assert r.exit_code == 0, r.output
    rows = (tmp_path / "e" / "per_query.csv").read_text()
    assert "instruction" in rows.splitlines()[0]
    summary = json.loads((tmp_path / "e" / "summary.json").read_text())
    assert "told by instruction" in summary["title"]
    nothing = runner.invoke(app, ["eval", "--bench", str(bench), "--model", str(folder), "--no-prompt"])
    assert nothing.exit_code == 2 and "--instruction" in nothing.output
    visual = runner.invoke(app, ["eval", "--bench", str(bench), "--model", "pixtask-tiny", "--instruction"])
    assert visual.exit_code == 2 and "reads no instructions" in visual.output


def test_run_with_words_and_no_model_uses_the_shipped_model_that_reads_them(photo_128, tmp_path):
    write_image(tmp_path / "photo.png", photo_128)
    out = tmp_path / "out.png"
    r = runner.invoke(app, ["run", "-i", str(tmp_path / "photo.png"), "-o", str(out), "--instruction", WORDS])
    assert r.exit_code == 0, r.output
    assert f"{DEFAULT_TEXT_MODEL}, told by the instruction" in r.output
    result = read_image(out)
    assert result.shape == photo_128.shape and np.abs(result - photo_128).mean() > 1e-4


def test_a_share_of_template_told_samples_is_told_by_a_request_as_people_type_it():
    from pixtask.instructions.people_requests import people_requests

    photos = [p for p in bundled_photos() if p.split == "train"]
    mixture = TaskMixture({"derain": 1.0, "white-balance": 1.0, "cartoon": 1.0})
    words = {"instruction": 1.0}
    said = MultiTaskDataset(photos, mixture, crop=32, condition_modes=words, people_words=1.0)
    templates = MultiTaskDataset(photos, mixture, crop=32, condition_modes=words)
    tasks = set()
    for i in range(12):
        s, t = said[i], templates[i]
        tasks.add(s["task"])
        if s["task"] == "cartoon":  # no requests written for it: told by its template as before
            assert s["instruction"] == t["instruction"]
        else:
            assert s["instruction"] in people_requests(s["task"])  # the training part only
            assert s["instruction"] not in people_requests(s["task"], split="heldout")
        assert np.array_equal(s["images"].numpy(), t["images"].numpy())
    assert tasks == {"derain", "white-balance", "cartoon"}
    with pytest.raises(ValueError, match="people_words is a share"):
        MultiTaskDataset(photos, mixture, crop=32, people_words=-0.5)
