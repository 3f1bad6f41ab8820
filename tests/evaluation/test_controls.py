"""Controls of a words evaluation: a model that reads its words passes them, one that reads only
the image does not, and the opposite words must move the image the other way."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from pixtask.cli.main import app
from pixtask.data.benchmark import Benchmark, BenchmarkConfig, build_benchmark
from pixtask.evaluation.controls import EMPTY_WORDS, control_words, image_statistic, query_instruction, wrong_task
from pixtask.evaluation.evaluator import evaluate, summarise
from pixtask.instructions.user_phrasings import user_phrasings

runner = CliRunner()


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    root = tmp_path_factory.mktemp("controls") / "bench"
    build_benchmark(
        root,
        BenchmarkConfig(size=64, tasks="darken-correction,denoise-gaussian", levels=(3,), prompts=2, max_queries=2),
    )
    return root


def _reads_words(query, condition):
    """Brightens when asked for light, darkens when asked for dark, else does nothing."""
    words = condition.instruction.lower()
    if any(w in words for w in ("dark", "dim", "gloom", "down")):
        return query * 0.5
    if any(w in words for w in ("bright", "light", "lift")):
        return np.clip(query * 1.6 + 0.05, 0, 1)
    return query


def _reads_only_the_image(query, condition):
    return np.clip(query * 1.6 + 0.05, 0, 1)


def test_the_control_words_are_fixed_and_of_the_right_kind(bench):
    q = next(q for q in Benchmark.open(bench).queries() if q.task == "darken-correction")
    words = control_words(q, "user")
    assert words == control_words(q, "user")  # the same for every model and run
    assert words["empty"] == EMPTY_WORDS
    assert words["wrong-task"] in user_phrasings()[wrong_task("darken-correction")].forward
    assert words["opposite"] in user_phrasings()["darken-correction"].backward
    assert query_instruction(q, "user") in user_phrasings()["darken-correction"].forward
    held = control_words(q, "heldout")
    assert held["opposite"] != query_instruction(q, "heldout") and held["wrong-task"] != held["opposite"]
    assert wrong_task("darken-correction") not in ("darken-correction", "brighten-correction", "lowlight-enhancement")


def test_a_model_that_reads_its_words_is_told_in_words_and_moves_the_right_way(bench):
    rows = evaluate(
        _reads_words, bench, mode="instruction", instruction_split="user", controls=True, tasks={"darken-correction"}
    )
    t = summarise(rows)["tasks"]["darken-correction"]["controls"]
    assert set(t) >= {"empty", "wrong-task", "opposite", "over_wrong-task", "told_in_words", "direction"}
    assert t["direction"]["statistic"] == "brightness"
    assert t["direction"]["words_change"] > 0 > t["direction"]["opposite_change"] and t["direction"]["opposed"]


def test_a_model_that_ignores_its_words_is_not_told_in_words(bench):
    rows = evaluate(
        _reads_only_the_image,
        bench,
        mode="instruction",
        instruction_split="user",
        controls=True,
        tasks={"darken-correction"},
    )
    summary = summarise(rows)
    t = summary["tasks"]["darken-correction"]
    assert t["gain_vs_identity"] > 0.3  # it helps, yet...
    assert t["controls"]["over_wrong-task"] == 0.0 and t["controls"]["told_in_words"] is False
    assert t["controls"]["direction"]["opposed"] is False
    assert summary["controls"]["told_in_words"] == 0 and summary["controls"]["direction_pairs_opposed"] == 0


def test_image_statistics_measure_what_they_say():
    rng = np.random.default_rng(0)
    img = rng.random((32, 32, 3)).astype(np.float32) * 0.5 + 0.25
    assert image_statistic("brightness", img * 0.5) < image_statistic("brightness", img)
    assert image_statistic("contrast", 0.5 + (img - 0.5) * 0.3) < image_statistic("contrast", img)
    grey = np.repeat(img.mean(2, keepdims=True), 3, 2)
    assert image_statistic("saturation", grey) < 1e-6 < image_statistic("saturation", img)
    flat = np.full_like(img, 0.5)
    assert image_statistic("detail", flat) == 0.0 < image_statistic("detail", img)


def test_eval_reports_the_controls_and_user_words_cover_only_trained_tasks(bench, tmp_path):
    from pixtask.data.benchmark import BenchmarkConfig, build_benchmark

    r = runner.invoke(
        app,
        [
            "eval",
            "--bench",
            str(bench),
            "--identity",
            "--no-prompt",
            "--instruction",
            "--instructions",
            "user",
            "--out",
            str(tmp_path / "id"),
        ],
    )
    assert r.exit_code == 0, r.output
    other = tmp_path / "glass"
    build_benchmark(other, BenchmarkConfig(size=64, tasks="deblur-glass", levels=(3,), prompts=2, max_queries=1))
    r = runner.invoke(
        app,
        [
            "eval",
            "--bench",
            str(other),
            "--identity",
            "--no-prompt",
            "--instruction",
            "--instructions",
            "user",
            "--out",
            str(tmp_path / "glass-eval"),
        ],
    )
    assert r.exit_code == 2 and "not deblur-glass; evaluate those with the held-out templates" in r.output
    r = runner.invoke(app, ["eval", "--bench", str(bench), "--identity", "--instructions", "users"])
    assert r.exit_code == 2
    assert "--instructions must be one of user, user-blind, heldout, train, terminological" in r.output
