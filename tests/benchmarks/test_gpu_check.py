"""The GPU check's CPU mode: the same report a CUDA machine writes, at small sizes."""

from __future__ import annotations

import json
import runpy

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_gpu_check_cpu_mode_writes_its_report(tmp_path):
    # the script's own main(), run in this process: as a subprocess the same run took 302 s instead of ~70
    main = runpy.run_path(str(ROOT / "benchmarks" / "gpu_check.py"), run_name="gpu_check")["main"]
    assert main(["--device", "cpu", "--quick", "--out", str(tmp_path)]) == 0
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
