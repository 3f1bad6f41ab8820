"""The zero-shot studies with predictors whose behaviour is known: gains, gaps, the words each
model is told, the latent-space scores and the page."""

from __future__ import annotations

import json

import numpy as np

from pixtask.instructions import terminological
from pixtask.models.text_encoder import shared_encoder
from pixtask.studies.instruction_space import instruction_space, instruction_texts
from pixtask.studies.zero_shot import instruction_level_study, task_level_study, zero_shot_markdown


def test_instruction_level_gap_is_heldout_minus_train(bench, tmp_path):
    told = []

    def predict(query, condition):  # held-out words: a darkened input (worse than identity)
        told.append(condition.instruction)
        return query * 0.5 if condition.instruction in heldout_words else query

    from pixtask.data.benchmark import Benchmark
    from pixtask.evaluation.evaluator import query_instruction

    heldout_words = {query_instruction(q, "heldout") for q in Benchmark.open(bench).queries()}
    from pixtask.studies.instruction_similarity import instruction_sets

    sample = instruction_sets(per_task=2)[1][:40]
    result = instruction_level_study(
        predict, bench, tmp_path, name="fake", trained_tasks={"dejpeg", "white-balance"}, encoder=shared_encoder(),
        train_sample=sample,
    )  # fmt: skip
    assert len(told) == 8 and sum(t in heldout_words for t in told) == 4
    for t in result["tasks"].values():
        assert t["gain_train"] == 0 and t["gain_heldout"] < -1 and t["gap"] == t["gain_heldout"]
        assert 0 < t["similarity_heldout"] <= 1 and 0 < t["similarity_train"] <= 1.0001
    assert result["heldout_beats_identity"] == 0 and result["heldout_within_0p5_of_train"] == 0
    assert json.loads((tmp_path / "instruction_level.json").read_text())["model"] == "fake"
    assert (tmp_path / "instruction_level.png").stat().st_size > 1000


def test_task_level_tells_each_model_its_own_words(bench, tmp_path):
    seen = {"explanatory": set(), "terminological": set()}

    def model(style):
        def predict(query, condition):
            seen[style].add(condition.instruction)
            return query * 0.5 if style == "terminological" and condition.mode == "instruction" else query

        return predict

    models = {
        "explanatory": (model("explanatory"), "heldout"),
        "terminological": (model("terminological"), "terminological"),
    }
    result = task_level_study(models, bench, tmp_path, heldout_tasks={"white-balance"}, trained_tasks={"dejpeg"})
    assert {terminological("white-balance"), terminological("dejpeg")} <= seen["terminological"]
    assert not {terminological("white-balance"), terminological("dejpeg")} & seen["explanatory"]
    wb = result["tasks"]["white-balance"]
    assert wb["heldout"] and wb["terminological/words"] == "white balance" and len(wb["explanatory/words"]) > 30
    assert wb["explanatory/instruction"] == 0 and wb["terminological/instruction"] < -1
    assert result["means"]["trained"]["terminological/example"] == 0
    page = zero_shot_markdown(None, result, None, {"task": "CMD"})
    assert "## Task-level zero-shot" in page and "`CMD`" in page and "white balance" in page


def test_the_latent_space_scores_how_instructions_group_by_task(tmp_path):
    texts = instruction_texts(("derain", "canny"), per_task=4)
    assert len(texts["explanatory"]) == 8 and len(texts["terminological"]) == 10
    assert all("derain" not in t and "canny" not in t.lower() for _, t in texts["explanatory"])
    result = instruction_space(shared_encoder(), tmp_path, tasks=("derain", "canny", "white-balance"), per_task=6)
    assert set(result["silhouette"]) == {"explanatory", "terminological"}
    assert all(-1 <= v <= 1 for v in result["silhouette"].values())
    assert result["silhouette"]["explanatory"] > 0  # the three tasks' descriptions do group
    assert (tmp_path / "instruction_space.png").stat().st_size > 1000
    assert np.isfinite(json.loads((tmp_path / "instruction_space.json").read_text())["silhouette"]["terminological"])
