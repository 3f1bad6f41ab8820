"""scripts/ship_model.py: a shipped model records its stages well enough to be extended by a new one."""

from __future__ import annotations

import pytest
import yaml

from pixtask.models import DEFAULT_MODEL
from pixtask.models.hub import model_info
from tests.conftest import ROOT, load_script


def _ship_module():
    return load_script("scripts/ship_model.py")


def test_the_shipped_models_stages_can_be_read_back():
    ship = _ship_module()
    config = model_info(DEFAULT_MODEL)
    stages = [ship.Stage.from_record(r) for r in config["training"]["stages"]]
    assert sum(st.steps for st in stages) == config["trained_steps"] == config["training"]["steps"]
    # the committed configs still describe the recorded runs
    for st, rec in zip(stages, config["training"]["stages"], strict=True):
        assert (st.cfg["seed"], st.cfg["batch_size"], st.cfg["loss"]) == (rec["seed"], rec["batch_size"], rec["loss"])
    assert ship.trained_tasks(stages) == config["trained_tasks"]


def test_a_run_round_trips_through_its_record(tmp_path):
    ship = _ship_module()
    run = tmp_path / "run"
    run.mkdir()
    cfg = yaml.safe_load((ROOT / "configs" / "shipped-tiny-stage2.yaml").read_text())
    (run / "config.yaml").write_text(yaml.safe_dump(cfg))
    rows = ["step,loss,lr,seconds"] + [f"{s},{0.5 + s / 1000},1e-4,{s * 1.8}" for s in range(10, 210, 10)]
    (run / "log.csv").write_text("\n".join(rows) + "\n")
    st = ship.Stage.from_run(run, "configs/shipped-tiny-stage2.yaml")
    assert st.steps == 200 and st.hours == pytest.approx(0.1)
    assert st.tail_loss == pytest.approx(0.5 + 0.155)  # mean of steps 110..200
    back = ship.Stage.from_record(st.record())
    assert (back.steps, back.hours, back.tail_loss) == (200, 0.1, pytest.approx(0.655))
    assert "Stage 2 (`configs/shipped-tiny-stage2.yaml`, from the previous stage's weights): 200 steps" in (
        ship.stage_line(2, back)
    )


def test_a_record_without_timings_is_refused():
    ship = _ship_module()
    with pytest.raises(ValueError, match=r"lacks \['hours', 'tail_loss'\]"):
        ship.Stage.from_record({"config": "configs/shipped-tiny.yaml", "steps": 10})


def test_extending_with_a_stage_already_recorded_replaces_it():
    ship = _ship_module()
    config = model_info(DEFAULT_MODEL)
    recorded = [r["config"] for r in config["training"]["stages"]]
    kept = ship.earlier_stages(config, [recorded[-1]])
    assert [st.config_path for st in kept] == recorded[:-1]
    assert len(ship.earlier_stages(config, ["configs/a-new-stage.yaml"])) == len(recorded)
