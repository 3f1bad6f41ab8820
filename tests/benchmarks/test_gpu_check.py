"""The GPU check's CPU mode: the same report a CUDA machine writes, at small sizes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_gpu_check_cpu_mode_writes_its_report(tmp_path):
    # run as a user runs it (a script is never imported by a test)
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "gpu_check.py"),
            "--device",
            "cpu",
            "--quick",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((tmp_path / "gpu_check.json").read_text())
    assert report["device"] == "cpu"
    bf16 = report["correctness"]["modes"]["bf16"]
    assert 0 < bf16["max_abs_diff"] < 0.05  # bf16 differs from fp32, but only by rounding
    rows = report["inference"]
    assert [(r["size"], r["batch"], r["precision"]) for r in rows] == [
        (64, 1, "fp32"),
        (64, 1, "bf16"),
        (64, 2, "fp32"),
        (64, 2, "bf16"),
    ]
    assert all(r["ms"] > 0 and r["peak_gib"] > 0 for r in rows)
    (train,) = report["training"]
    assert not train["compiled"] and train["ms_per_step"] > 0 and 0 <= train["data_wait_share"] < 1
    assert any("compiled training" in s for s in report["skipped"])
    page = (tmp_path / "gpu_check.md").read_text()
    assert "| genlv-tiny | 64 | 2 | bf16 |" in page and "## Training" in page
