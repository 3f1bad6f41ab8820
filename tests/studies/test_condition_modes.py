"""The three-mode study: each mode is scored on the same queries and the targets are counted."""

from __future__ import annotations

import json

import numpy as np

from pixtask.studies.condition_modes import condition_mode_study


def test_modes_are_scored_apart_and_targets_counted(bench, tmp_path):
    told = []

    def predict(query, condition):
        told.append(condition.mode)
        # by example: the input back (identity); in words: a darkened input (worse); both: identity
        return query * 0.5 if condition.mode == "instruction" else query

    visual = {"tasks": {"dejpeg": {"model": 99.0}}}
    result = condition_mode_study(
        predict, bench, tmp_path, name="fake", trained_tasks={"dejpeg", "white-balance"}, visual=visual
    )
    # in words, each query is also told the three controls (empty, wrong-task, opposite words)
    assert told.count("example") == told.count("both") == 4 and told.count("instruction") == 4 * 4
    assert result["controls"]["judged"] == 2 and result["controls"]["told_in_words"] == 0
    assert "## Are the words read? (controls)" in (tmp_path / "modes.md").read_text()
    dejpeg = result["tasks"]["dejpeg"]
    assert dejpeg["example"] == dejpeg["both"] == dejpeg["identity"] and dejpeg["instruction"] < dejpeg["identity"]
    assert dejpeg["visual"] == 99.0 and "visual" not in result["tasks"]["white-balance"]
    t = result["targets"]
    assert t["tasks"] == 2 and t["instruction_beats_identity"] == 0 and t["both_at_least_either"] == 2
    assert t["instruction_fails_identity"] == ["dejpeg", "white-balance"]
    assert t["mean_gain_over_identity"]["example"] == 0 and t["mean_gain_over_identity"]["instruction"] < -1
    assert all(text for text in result["instruction_examples"].values())
    assert json.loads((tmp_path / "modes.json").read_text())["targets"] == t
    assert "beats identity on **0 of 2**" in (tmp_path / "modes.md").read_text()
    assert (tmp_path / "modes.png").is_file() and (tmp_path / "instruction" / "report.html").is_file()
    assert np.isfinite(result["categories"]["restoration (psnr)"]["instruction"])


def test_both_is_counted_within_the_slack_and_the_policy_is_named(bench, tmp_path):
    def predict(query, condition):
        # by example: identity; in words: 0.9x; both: a little worse than identity (about 0.1 dB)
        return {"example": query, "instruction": query * 0.9, "both": query * 0.995}[condition.mode]

    result = condition_mode_study(
        predict, bench, tmp_path, name="fake", trained_tasks={"dejpeg", "white-balance"}, both_policy="check"
    )
    t = result["targets"]
    assert t["both_at_least_either"] == 0 and t["both_within_slack"] == 2
    page = (tmp_path / "modes.md").read_text()
    assert "within 0.2 dB of it on **2**" in page and "the pipeline checks which way alone" in page
    assert json.loads((tmp_path / "modes.json").read_text())["both_policy"] == "check"
