"""Evaluation numbers on hand-checkable predictors."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from pixtask.core.image_io import read_image
from pixtask.core.progress import prefixed
from pixtask.data.benchmark import BenchmarkConfig, build_benchmark, load_manifest
from pixtask.evaluation.evaluator import evaluate, summarise
from pixtask.evaluation.report import write_report


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    build_benchmark(
        out, BenchmarkConfig(size=64, tasks="denoise-gaussian,canny", levels=(3,), prompts=2, max_queries=2)
    )
    return out


def test_identity_predictor_equals_identity_baseline(bench):
    results = evaluate(lambda q, condition: q, bench)
    assert len(results) == 4
    assert all(r.value == r.identity for r in results)
    assert all(r.prompt_photo != r.query_photo for r in results)
    tasks = summarise(results)["tasks"]
    assert all(t["gain_vs_identity"] == 0 for t in tasks.values())
    assert tasks["denoise-gaussian"]["gain"] == 0 and tasks["denoise-gaussian"]["baseline"] == "identity"
    # the photo is no answer for an edge map: the best constant beats it, so returning the input loses
    assert tasks["canny"]["baseline"] == "best constant" and tasks["canny"]["gain"] < -50


def test_constant_grey_predictor_by_hand(bench):
    results = evaluate(lambda q, condition: np.full_like(q, 0.5), bench)
    root = bench
    for r in results:
        sample = next(
            s
            for s in load_manifest(root)["samples"]
            if s["task"] == r.task and s["role"] == "query" and s["photo"] == r.query_photo
        )
        target = np.rint(read_image(root / sample["target"]) * 255).astype(np.float64)
        if r.metric == "psnr":
            assert r.value == pytest.approx(10 * math.log10(255**2 / np.mean((target - 128) ** 2)), abs=1e-4)
        else:  # canny: MAE in 8-bit units against a binary edge map
            assert r.value == pytest.approx(np.mean(np.abs(target - 128)), abs=1e-4)


def test_summary_directions_and_report_files(bench, tmp_path):
    results = evaluate(lambda q, condition: np.full_like(q, 0.5), bench)
    summary = write_report(results, bench, tmp_path, "grey")
    canny = summary["tasks"]["canny"]
    # MAE: lower is better, so a gain is baseline - model; for an edge map the constant is the baseline
    assert canny["gain_vs_identity"] == pytest.approx(canny["identity"] - canny["model"], abs=1e-3)
    assert canny["baseline"] == "best constant" and canny["trivial"] < canny["identity"]
    assert canny["gain"] == pytest.approx(canny["trivial"] - canny["model"], abs=1e-3)
    assert set(canny["secondary"]) == {"edge-f", "edge-f-ods"}
    assert {p.name for p in tmp_path.iterdir()} >= {
        "summary.json",
        "per_query.csv",
        "results.md",
        "per_task.png",
        "report.html",
        "images",
    }
    assert json.loads((tmp_path / "summary.json").read_text())["psnr_cap_db"] == 100.0
    # each query's task parameters ride along, so a reader can split a level by sub-type
    rows = list(csv.DictReader((tmp_path / "per_query.csv").open()))
    manifest = load_manifest(bench)
    sigma = {
        s["photo"]: s["params"] for s in manifest["samples"] if s["task"] == "denoise-gaussian" and s["role"] == "query"
    }
    noisy = [r for r in rows if r["task"] == "denoise-gaussian"]
    assert noisy and all(json.loads(r["params"]) == sigma[r["query_photo"]] for r in noisy)
    assert all("sigma" in json.loads(r["params"]) for r in noisy)
    assert (tmp_path / "report.html").read_text().count("<tr>") == 2


def test_wrong_output_shape_is_reported(bench):
    with pytest.raises(ValueError, match="predictor returned"):
        evaluate(lambda q, condition: q[:32], bench)


def test_gain_by_level_shows_what_the_task_mean_hides(tmp_path):
    from pixtask.evaluation.evaluator import QueryResult
    from pixtask.evaluation.report import _markdown

    def row(task, level, metric, value, identity):
        return QueryResult(task, level, "restoration", metric, "a", "b", value, identity)

    results = [
        row("deblur-gaussian", 1, "psnr", 29.0, 30.0),  # harm at the mild level
        row("deblur-gaussian", 1, "psnr", 31.0, 32.0),
        row("deblur-gaussian", 5, "psnr", 23.0, 21.0),  # help at the severe one
        row("canny", None, "mae", 40.0, 130.0),
    ]
    summary = summarise(results)
    blur = summary["tasks"]["deblur-gaussian"]
    assert blur["gain"] == pytest.approx(0.0, abs=1e-9)  # (-1 - 1 + 2) / 3
    keys = ("model", "identity", "gain")
    assert {k: {f: v[f] for f in keys} for k, v in blur["by_level"].items()} == {
        "1": {"model": 30.0, "identity": 31.0, "gain": -1.0},
        "5": {"model": 23.0, "identity": 21.0, "gain": 2.0},
    }
    canny = summary["tasks"]["canny"]["by_level"]["-"]
    assert {f: canny[f] for f in keys} == {"model": 40.0, "identity": 130.0, "gain": 90.0}
    summary["title"] = "t"
    md = _markdown(summary)
    assert "| task | - | L1 | L5 |" in md
    assert "| deblur-gaussian |  | -1.00 | +2.00 |" in md
    assert "| canny | +90.00 |  |  |" in md


def test_resize_scores_every_image_at_the_small_side(bench):
    """--resize: the model, identity and prompts all see centred 32x32 squares of the 64px bench."""
    from pixtask.core.geometry import center_square
    from pixtask.evaluation.evaluator import score

    seen = []

    def predict(q, condition):
        seen.append((q.shape, condition.prompt[0].shape))
        return np.full_like(q, 0.5)

    results = evaluate(predict, bench, tasks={"denoise-gaussian"}, resize=32)
    assert seen and all(s == ((32, 32, 3), (32, 32, 3)) for s in seen)
    manifest = load_manifest(bench)
    query = next(s for s in manifest["samples"] if s["task"] == "denoise-gaussian" and s["role"] == "query")
    target = center_square(read_image(bench / query["target"]), 32)
    q_in = center_square(read_image(bench / query["input"]), 32)
    assert results[0].value == pytest.approx(score("psnr", np.full_like(target, 0.5), target))
    assert results[0].identity == pytest.approx(score("psnr", q_in, target))


def test_progress_is_called_with_done_total_and_label_after_each_group(bench):
    calls = []

    def progress(done: int, total: int | None, label: str = "") -> None:
        calls.append((done, total, label))

    evaluate(lambda q, condition: q, bench, progress=progress)
    assert calls == [(1, 2, "denoise-gaussian L3"), (2, 2, "canny LNone")]
    calls.clear()
    evaluate(lambda q, condition: q, bench, tasks={"canny"}, progress=prefixed(progress, "example"))
    assert calls == [(1, 1, "example: canny LNone")]
