"""benchmarks/targets.py: the page it writes names the command that rewrites that same page."""

from __future__ import annotations

import json
import runpy

from tests.conftest import ROOT
from tests.studies.test_default_targets import good_tasks, study


def test_a_page_written_elsewhere_records_its_out(tmp_path):
    main = runpy.run_path(str(ROOT / "benchmarks" / "targets.py"), run_name="targets")["main"]
    modes, classical, out = tmp_path / "modes.json", tmp_path / "classical.json", tmp_path / "t_blind.md"
    modes.write_text(json.dumps(study(good_tasks(), split="user-blind")))
    classical.write_text("[]")
    args = ["--modes", str(modes), "--classical", str(classical), "--model", "m", "--out", str(out)]
    assert main(args) == 0
    page = out.read_text()
    assert f"--model m --out {out}`, told in words by the `user-blind` phrasings" in page
    assert json.loads(out.with_suffix(".json").read_text())["words"] == "user-blind"
