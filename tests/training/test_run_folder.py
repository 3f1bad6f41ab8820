"""run_folder: a training run's layout and the one reader of its config, log, checkpoint and record."""

from __future__ import annotations

import json

import pytest

from pixtask.training.checkpoint import LATEST
from pixtask.training.config import load_config
from pixtask.training.run_folder import TAIL, RunFolder


def _log(folder, text: str) -> RunFolder:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "log.csv").write_text(text)
    return RunFolder(folder)


def test_the_log_is_read_by_column_name_with_quoted_commas(tmp_path):
    # a column the trainer does not write, quoted because it holds a comma, before loss:
    # splitting lines on commas would read "b" as the loss
    run = _log(
        tmp_path,
        'step,note,loss,lr,seconds\n10,"a, b",0.5,1.000e-03,3.50\n20,"x, y, z",0.25,9.000e-04,7.25\n',
    )
    rows = run.log()
    assert [(r.step, r.loss, r.lr, r.seconds) for r in rows] == [(10, 0.5, 1e-3, 3.5), (20, 0.25, 9e-4, 7.25)]
    summary = run.summary()
    assert (summary.steps, summary.seconds, summary.hours) == (20, 7.25, pytest.approx(7.25 / 3600))


def test_the_tail_loss_is_the_mean_of_the_last_logged_losses(tmp_path):
    rows = [f"{s},{s / 100},1e-4,{s}" for s in range(1, 26)]
    run = _log(tmp_path, "step,loss,lr,seconds\n" + "\n".join(rows) + "\n")
    assert TAIL == 10
    assert run.tail_loss() == pytest.approx(sum(s / 100 for s in range(16, 26)) / 10)
    assert run.tail_loss(3) == pytest.approx(0.24)
    short = _log(tmp_path / "short", "step,loss,lr,seconds\n1,0.5,1e-4,1\n2,0.25,1e-4,2\n")
    assert short.tail_loss() == pytest.approx(0.375)  # fewer rows than TAIL: all of them


def test_a_log_that_is_not_a_training_log_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match=r"log\.csv: no lr, seconds column"):
        _log(tmp_path / "a", "step,loss\n1,0.5\n").log()
    with pytest.raises(ValueError, match=r"log\.csv: line 3 is not a logged step"):
        _log(tmp_path / "b", "step,loss,lr,seconds\n1,0.5,1e-4,1\nx,0.5,1e-4,2\n").log()
    with pytest.raises(ValueError, match="no logged steps"):
        _log(tmp_path / "c", "step,loss,lr,seconds\n").summary()
    with pytest.raises(FileNotFoundError, match="no training log"):
        RunFolder(tmp_path / "none").log()


def test_the_layout_names_the_checkpoint_checkpoint_py_writes(tmp_path):
    run = RunFolder(tmp_path)
    assert run.checkpoint == tmp_path / LATEST == tmp_path / "checkpoint-latest.pt"
    assert run.model_dir == tmp_path / "model" and run.record_file == tmp_path / "model" / "training.json"
    assert run.sample_path(12) == tmp_path / "samples" / "step0000012.png"
    assert run.run_files() == [] and not run.has_checkpoint() and not run.is_finished()
    run.checkpoint.write_bytes(b"")
    (tmp_path / "model").mkdir()
    assert run.run_files() == [LATEST, "model"] and run.has_checkpoint() and run.is_finished()
    assert run.record() == {}
    run.record_file.write_text(json.dumps({"trained_steps": 4}))
    assert run.record() == {"trained_steps": 4}


def test_config_round_trips_and_resumed_logs_keep_counting(tmp_path):
    run = RunFolder(tmp_path / "run")
    cfg = load_config(None, ["steps=7", f"out_dir={run.path}"])
    run.write_config(cfg)
    assert run.config()["steps"] == 7 and run.config()["out_dir"] == str(run.path)
    with run.open_log(0) as log:
        for step in (1, 2, 3):
            log.write(step, 0.5, 1e-3, step * 1.5)
    with run.open_log(2) as log:  # resumed at step 2: step 3's row goes, seconds continue from 3.0
        assert log.elapsed == 3.0
        log.write(3, 0.25, 1e-3, 4.0)
    assert run.log_file.read_text().splitlines() == [
        "step,loss,lr,seconds",
        "1,0.500000,1.000e-03,1.50",
        "2,0.500000,1.000e-03,3.00",
        "3,0.250000,1.000e-03,4.00",
    ]
