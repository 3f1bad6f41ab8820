"""benchmarks/targets.py: the page it writes names the command that rewrites that same page."""

from __future__ import annotations

import json
import runpy

import pytest

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


def test_a_missing_or_unfit_study_is_a_one_line_error(tmp_path, capsys):
    main = runpy.run_path(str(ROOT / "benchmarks" / "targets.py"), run_name="targets")["main"]
    with pytest.raises(SystemExit) as stop:
        main(["--modes", str(tmp_path / "none.json"), "--model", "m"])
    assert stop.value.code == 2 and f"error: {tmp_path / 'none.json'}: no such file" in capsys.readouterr().err
    heldout = tmp_path / "modes.json"
    heldout.write_text(json.dumps(study(good_tasks(), split="heldout")))
    with pytest.raises(SystemExit):
        main(["--modes", str(heldout), "--model", "m", "--out", str(tmp_path / "t.md")])
    assert "this study used 'heldout'" in capsys.readouterr().err and not (tmp_path / "t.md").exists()
