"""compare_summaries (scripts/compare_evals.py's table): two eval summaries side by side."""

from __future__ import annotations

import pytest

from pixtask.evaluation.report import compare_summaries


def _summary(**gains):
    return {"tasks": {t: {"category": "restoration", "metric": "psnr", "gain": g} for t, g in gains.items()}}


def test_rows_show_both_gains_and_the_change():
    lines = compare_summaries(_summary(a=1.0, b=-0.25), _summary(b=0.5, a=0.75, c=9.0), ("s3", "s4"))
    assert lines[2] == "| a | restoration | psnr | +1.00 | +0.75 | -0.25 |"
    assert lines[3] == "| b | restoration | psnr | -0.25 | +0.50 | +0.75 |"
    assert lines[-1] == "s4 is better than s3 on 1 of 2 tasks."


def test_disjoint_or_mismatched_summaries_are_refused():
    with pytest.raises(ValueError, match="no task in common"):
        compare_summaries(_summary(a=1.0), _summary(b=1.0), ("x", "y"))
    other = _summary(a=1.0)
    other["tasks"]["a"]["metric"] = "mae"
    with pytest.raises(ValueError, match="a: scored with psnr in one run and mae"):
        compare_summaries(_summary(a=1.0), other, ("x", "y"))
