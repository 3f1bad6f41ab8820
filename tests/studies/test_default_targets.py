"""The default model's targets, read off a study's numbers: counts, margins and refusals."""

from __future__ import annotations

import pytest

from pixtask.studies.default_targets import check_targets, targets_markdown


def row(identity, example, words, both, wrong, *, trained=True, category="restoration", metric="psnr"):
    return {
        "category": category,
        "metric": metric,
        "trained": trained,
        "identity": identity,
        "example": example,
        "instruction": words,
        "both": both,
        "controls": {"empty": identity, "wrong-task": wrong, "opposite": wrong},
    }


def study(tasks: dict, split: str = "user") -> dict:
    return {"instruction_split": split, "tasks": tasks}


def good_tasks(n: int = 16) -> dict:
    return {f"task-{i:02d}": row(20.0, 22.0, 21.5, 22.0, 20.5) for i in range(n)}


@pytest.mark.parametrize("split", ["user", "user-blind"])
def test_all_targets_met_on_clear_margins(split):
    result = check_targets(study(good_tasks(), split=split), [])
    assert result["met"] is True and result["words"] == split
    assert f"told in words by the `{split}` phrasings" in targets_markdown(result, model="m", command="c")
    assert [t["passed"] for t in result["targets"]] == [16, 16, 0, 0, 16, 16]  # no classical rows: 0 of 0


def test_each_miss_is_counted_with_its_margin():
    tasks = good_tasks()
    tasks["task-00"] = row(20.0, 20.2, 21.5, 22.0, 20.5)  # example only 0.2 dB over identity
    tasks["task-01"] = row(20.0, 22.0, 21.5, 21.7, 20.5)  # both 0.3 below the better single way
    tasks["task-02"] = row(20.0, 22.0, 21.5, 22.0, 21.4)  # words barely beat the wrong task's
    tasks["edges"] = row(0.5, 0.1, 0.1, 0.1, 0.1, category="feature", metric="f1")  # not aimed
    tasks["held-out"] = row(20.0, 19.0, 19.0, 19.0, 19.0, trained=False)  # not aimed
    classical = [
        {"task": "task-03", "method": "nlm", "identity": 20.0, "classical": 21.8},
        {"task": "task-04", "method": "nlm", "identity": 20.0, "classical": 22.0},  # a tie is no win
    ]
    result = check_targets(study(tasks), classical)
    t = result["targets"]
    assert result["tasks"] == sorted(good_tasks())
    assert t[0]["missed"] == {"task-00": -0.1} and t[0]["met"] is False
    assert t[1]["missed"] == {} and t[1]["met"] is True
    assert t[2]["passed"] == 1 and t[2]["missed"] == {"task-04": 0.0}
    assert t[3]["missed"] == {"task-03": -0.3, "task-04": -0.5}
    assert t[4]["passed"] == 15 and t[4]["met"] is True and t[4]["missed"] == {"task-02": -0.2}
    assert t[5]["missed"] == {"task-01": -0.1}
    assert result["met"] is False
    page = targets_markdown(result, model="m", command="python benchmarks/targets.py")
    assert "| by example: beats identity by 0.3 dB | 15 of 16 (needed 16) | no |" in page
    assert "task-00 -0.10" in page and "| task-03 | 20.00 | 21.80 (nlm) |" in page


def test_fewer_than_fifteen_tasks_told_in_words_misses():
    tasks = good_tasks()
    for i in range(2):
        tasks[f"task-{i:02d}"] = row(20.0, 22.0, 21.5, 22.0, 21.5)
    words = check_targets(study(tasks), [])["targets"][4]
    assert (words["passed"], words["needed"], words["met"]) == (14, 15, False)


def test_refusals_name_the_problem():
    with pytest.raises(ValueError, match=r"told in user phrasings \(user or user-blind\); this study used 'heldout'"):
        check_targets(study(good_tasks(), split="heldout"), [])
    no_controls = good_tasks()
    del no_controls["task-05"]["controls"]
    with pytest.raises(ValueError, match=r"without controls.*task-05"):
        check_targets(study(no_controls), [])
    other_bench = [{"task": "task-03", "method": "nlm", "identity": 18.0, "classical": 19.0}]
    with pytest.raises(ValueError, match=r"task-03: identity is 18\.0 in the classical baselines but 20\.0"):
        check_targets(study(good_tasks()), other_bench)
