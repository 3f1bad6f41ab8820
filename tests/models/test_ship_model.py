"""`pixtask models ship` (pixtask.training.ship): finished runs become a shipped model folder and card,
nothing is replaced unasked, and a shipped model records its stages well enough to be extended."""

from __future__ import annotations

import json

import pytest
import torch
import yaml
from safetensors import safe_open
from typer.testing import CliRunner

from pixtask.cli.main import app
from pixtask.models import DEFAULT_MODEL, from_pretrained
from pixtask.models.hub import model_info
from pixtask.training import ship
from pixtask.training.config import load_config
from pixtask.training.run_folder import RunFolder
from pixtask.training.trainer import Trainer
from tests.conftest import ROOT

runner = CliRunner()


def fails_cleanly(args: list, *needles: str) -> None:
    """The command exits 2 with one error line holding every needle."""
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in result.output, result.output
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])


def snapshot(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_shipped_models_stages_can_be_read_back():
    config = model_info(DEFAULT_MODEL)
    stages = [ship.Stage.from_record(r, ROOT) for r in config["training"]["stages"]]
    assert sum(st.steps for st in stages) == config["trained_steps"] == config["training"]["steps"]
    # the committed configs still describe the recorded runs
    for st, rec in zip(stages, config["training"]["stages"], strict=True):
        assert (st.cfg["seed"], st.cfg["batch_size"], st.cfg["loss"]) == (rec["seed"], rec["batch_size"], rec["loss"])
    assert ship.trained_tasks(stages) == config["trained_tasks"]
    # a stage's freeze policy and condition dropout are recorded with it, not as the model's
    assert "freeze" not in config and "condition_modes" not in config
    assert [r.get("freeze") for r in config["training"]["stages"]][-3:] == ["words", "example", "words"]


def test_a_run_round_trips_through_its_record(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    cfg = yaml.safe_load((ROOT / "configs" / "shipped-tiny-stage2.yaml").read_text())
    (run / "config.yaml").write_text(yaml.safe_dump(cfg))
    rows = ["step,loss,lr,seconds"] + [f"{s},{0.5 + s / 1000},1e-4,{s * 1.8}" for s in range(10, 210, 10)]
    (run / "log.csv").write_text("\n".join(rows) + "\n")
    st = ship.Stage.from_run(run, "configs/shipped-tiny-stage2.yaml")
    assert st.steps == 200 and st.hours == pytest.approx(0.1)
    assert st.tail_loss == pytest.approx(0.5 + 0.155)  # mean of steps 110..200
    back = ship.Stage.from_record(st.record(), ROOT)
    assert (back.steps, back.hours, back.tail_loss) == (200, 0.1, pytest.approx(0.655))
    line = ship.stage_line(2, back, back)
    assert "Stage 2 (`configs/shipped-tiny-stage2.yaml`, run `runs/shipped-tiny-stage2`, from the previous" in line
    assert "stage's weights): 200 steps" in line
    # a stage that changes the network says its new layers start fresh; the same network does not
    first = ship.Stage("configs/shipped-tiny.yaml", {**back.cfg, "model": "genlv-tiny"}, 10, 0.1, 0.5)
    grown = ship.Stage("configs/x.yaml", {**back.cfg, "model": "genlv-tiny-text"}, 10, 0.1, 0.5)
    assert "as genlv-tiny-text (its new layers start fresh)" in ship.stage_line(2, grown, first)
    assert "new layers" not in ship.stage_line(2, grown, grown)
    # a stage under a freeze policy says what trained
    assert "freeze" not in line
    words = ship.Stage("configs/y.yaml", {**back.cfg, "freeze": "words"}, 10, 0.1, 0.5)
    assert "only the `words` parameters trained (freeze policy" in ship.stage_line(3, words, back)
    assert words.record()["freeze"] == "words" and "freeze" not in back.record()
    # and where its words came from, beside the templates
    assert "requests as people" not in line and "turned round" not in line
    data = {**back.cfg["data"], "measured_words": 0.25, "people_words": 0.5, "backward": 0.3}
    said = ship.stage_line(3, ship.Stage("configs/z.yaml", {**back.cfg, "data": data}, 10, 0.1, 0.5), back)
    assert "of the samples told in words, 0.25 words about its own pair and 0.5 requests as people type them" in said
    assert "0.3 of restoration samples turned round" in said
    # and a words' router it added, with the weight of the term that teaches it the task
    assert "router" not in said
    routed_cfg = {**back.cfg, "model_overrides": {"word_anchors": ["derain", "canny"]}, "word_routing": 0.1}
    routed_cfg["init_from"] = None  # trained from random weights
    routed = ship.stage_line(3, ship.Stage("configs/r.yaml", routed_cfg, 10, 0.1, 0.5), back)
    assert "a words' router over 2 task anchors" in routed and "cross-entropy weighted 0.1" in routed
    assert "added here" not in routed  # no init_from: a fresh router, its anchors learnt from zero
    added_cfg = {**routed_cfg, "init_from": "stages/x/model"}
    added = ship.stage_line(3, ship.Stage("configs/r.yaml", added_cfg, 10, 0.1, 0.5), back)
    assert "added here, each anchor started" in added
    assert "run `runs/shipped-tiny-stage2`, from the previous stage's weights): " in added
    kept = ship.Stage("configs/s.yaml", added_cfg, 10, 0.1, 0.5)
    assert "added here" not in ship.stage_line(4, kept, ship.Stage("configs/r.yaml", added_cfg, 10, 0.1, 0.5))
    # a later stage that leaves the router as it was (not taught) says nothing of it, nor of
    # words when every sample is told by example
    example_cfg = {**added_cfg, "word_routing": 0.1, "freeze": "example"}  # inherited, but frozen
    example_cfg["data"] = {**back.cfg["data"], "condition_modes": {"example": 1}}
    later = ship.stage_line(5, ship.Stage("configs/e.yaml", example_cfg, 10, 0.1, 0.5), kept)
    assert "router" not in later and "words" not in later
    assert "condition dropout (each sample told by example x1), only the `example` parameters trained" in later
    # a router the stage trains by the image loss alone is said, without a cross-entropy
    words_cfg = {**added_cfg, "word_routing": 0, "freeze": "words"}
    words_said = ship.stage_line(5, ship.Stage("configs/w.yaml", words_cfg, 10, 0.1, 0.5), kept)
    assert "a words' router over 2 task anchors, only the `words` parameters" in words_said
    assert "refit" not in words_said
    # a stage that refits the router before its first step says so
    refit = ship.Stage("configs/f.yaml", {**words_cfg, "word_router_fit": True, "word_router_gate": 0.98}, 10, 0.1, 0.5)
    assert "first refit to the training instructions (templates and requests) and its gate restarted at 0.98" in (
        ship.stage_line(6, refit, kept)
    )


def test_a_record_without_timings_is_refused():
    with pytest.raises(ValueError, match=r"lacks \['hours', 'tail_loss'\]"):
        ship.Stage.from_record({"config": "configs/shipped-tiny.yaml", "steps": 10}, ROOT)


def test_extending_with_a_stage_already_recorded_replaces_it():
    config = model_info(DEFAULT_MODEL)
    recorded = [r["config"] for r in config["training"]["stages"]]
    kept = ship.earlier_stages(config, [recorded[-1]], ROOT)
    assert [st.config_path for st in kept] == recorded[:-1]
    assert len(ship.earlier_stages(config, ["configs/a-new-stage.yaml"], ROOT)) == len(recorded)


# --- a tiny finished GenLV run, shipped through the CLI ---------------------------------------
@pytest.fixture(scope="module")
def genlv_run(tmp_path_factory):
    """A checkout-like root (a committed config) and the 2-step run that config trains."""
    root = tmp_path_factory.mktemp("checkout")
    out = root / "runs" / "tiny"
    config = {
        "model": "genlv-tiny",
        "model_overrides": {"dim": 8, "prompt_nf": 8},
        "steps": 3,
        "batch_size": 2,
        "device": "cpu",
        "precision": "fp32",
        "log_every": 1,
        "checkpoint_every": 3,
        "out_dir": str(out),
        "data": {"crop": 32, "max_side": 160, "workers": 0, "tasks": ["denoise-gaussian", "canny"]},
        "optim": {"warmup_steps": 1, "ema_decay": 0.9},
    }
    (root / "configs").mkdir()
    (root / "configs" / "tiny.yaml").write_text(yaml.safe_dump(config))
    Trainer(load_config(root / "configs" / "tiny.yaml")).fit()
    return root, out


def _ship_args(root, out, *extra):
    args = ["models", "ship", "--run", out, "--config-path", "configs/tiny.yaml", "--name", "tiny"]
    return [*args, "--root", root, "--into", root / "pretrained", *extra]


def test_a_finished_run_ships_with_its_card_and_record(genlv_run):
    root, out = genlv_run
    result = runner.invoke(app, [str(a) for a in _ship_args(root, out)])
    assert result.exit_code == 0, result.output
    dest = root / "pretrained" / "tiny"
    assert "shipped tiny:" in result.output and str(dest / "README.md") in result.output
    # GenLV weights ship as trained (fp32), byte for byte, and the folder loads strictly
    assert (dest / "model.safetensors").read_bytes() == (out / "model" / "model.safetensors").read_bytes()
    assert from_pretrained(dest).config == from_pretrained(out / "model").config
    record = json.loads((dest / "training.json").read_text())
    stage = record["training"]["stages"][0]
    assert record["trained_steps"] == record["training"]["steps"] == stage["steps"] == 3
    assert stage["config"] == "configs/tiny.yaml" and "init_from" not in record
    assert stage["tail_loss"] == round(RunFolder(out).tail_loss(), 4)
    assert record["trained_tasks"] == ["denoise-gaussian", "canny"]
    card = (dest / "README.md").read_text()
    assert card == (root / "docs" / "models" / "tiny.md").read_text()
    assert card.startswith("# tiny\n\nA GenLV visual-prompt generalist (genlv-tiny, ")
    assert "each told by one example pair" in card  # from the config's modes: told by example only
    assert "(mean of the last 10 logged batches)" in card
    assert f"`pixtask models ship --run {out} --config-path configs/tiny.yaml --name tiny ...`" in card


def test_an_existing_model_or_card_is_replaced_only_with_overwrite(genlv_run):
    root, out = genlv_run
    dest = root / "pretrained" / "tiny"
    if not dest.is_dir():
        assert runner.invoke(app, [str(a) for a in _ship_args(root, out)]).exit_code == 0
    before, card = snapshot(dest), (root / "docs" / "models" / "tiny.md").read_bytes()
    fails_cleanly(_ship_args(root, out), "tiny", "not empty", "--overwrite")
    assert snapshot(dest) == before and (root / "docs" / "models" / "tiny.md").read_bytes() == card
    other = ["models", "ship", "--run", out, "--config-path", "configs/tiny.yaml", "--name", "other"]
    (root / "docs" / "models" / "other.md").write_text("someone's notes")  # a card alone is not replaced either
    fails_cleanly([*other, "--root", root, "--into", root / "pretrained"], "other.md", "already exists")
    assert not (root / "pretrained" / "other").exists()
    again = runner.invoke(app, [str(a) for a in _ship_args(root, out, "--overwrite")])
    assert again.exit_code == 0, again.output
    assert snapshot(dest) == before  # the same run ships to the same files
    fails_cleanly(_ship_args(root, out, "--vq-run", out), "GenLV model", "token-AR")


def _summary(path, gain: float):
    task = {"category": "restoration", "metric": "psnr", "model": 25.0, "identity": 24.0, "gain": gain}
    path.mkdir(parents=True, exist_ok=True)
    (path / "summary.json").write_text(json.dumps({"title": "tiny on test photos", "tasks": {"canny": task}}))
    return path


def _shipped_cards(root, out, name: str, *extra) -> tuple[list, str]:
    """Ship the run as ``name`` with ``extra`` options; its two cards and the first one's text."""
    assert runner.invoke(app, [str(a) for a in _ship_args(root, out, "--name", name, *extra)]).exit_code == 0
    cards = [root / "pretrained" / name / "README.md", root / "docs" / "models" / f"{name}.md"]
    return cards, cards[0].read_text()


def test_the_results_section_is_refreshed_in_both_cards(genlv_run):
    root, out = genlv_run
    cards, before = _shipped_cards(root, out, "evaluated", "--eval", _summary(root / "eval1", 1.0))
    assert "| canny | restoration | yes | psnr | 25.0 | 24.0 | - | +1.0 | identity |" in before
    refresh = ["models", "ship", "--refresh-results", "--name", "evaluated", "--eval", _summary(root / "eval2", -2.5)]
    result = runner.invoke(app, [str(a) for a in [*refresh, "--root", root, "--into", root / "pretrained"]])
    assert result.exit_code == 0, result.output
    for card in cards:
        text = card.read_text()
        assert "| -2.5 | identity |" in text and "**Not better than leaving the input alone**" in text
        assert text.split("## Results")[0] == before.split("## Results")[0]
        assert text.split("## Limitations")[1] == before.split("## Limitations")[1]
    fails_cleanly([*refresh[:-2], "--root", root, "--into", root / "pretrained"], "needs --eval or --modes")


def test_a_run_without_a_final_model_is_refused(tmp_path):
    (tmp_path / "run").mkdir()
    args = ["models", "ship", "--run", tmp_path / "run", "--config-path", "c.yaml", "--name", "x"]
    fails_cleanly([*args, "--root", tmp_path, "--into", tmp_path / "into"], "no final model")


# --- a tiny token-AR run: fp16 on disk, fp32 when read ----------------------------------------
def test_a_token_ar_run_ships_in_fp16(ar_tokens, tmp_path):
    out = tmp_path / "ar"
    overrides = [
        "model=ar-tiny-lm",
        "model_overrides={dim: 32, layers: 2, heads: 4, max_seq_len: 384, text_vocab_size: 300}",
        f"data.tokens={ar_tokens / 'tok'}",
        "data.workers=0",
        "steps=2",
        "batch_size=2",
        "log_every=1",
        "precision=fp32",
        f"out_dir={out}",
    ]
    Trainer(load_config(None, overrides)).fit()
    vq = RunFolder(tmp_path / "vq")  # the tokenizer's run: only its config and log are read
    vq.write_config(load_config(None, ["model=vq-tiny", f"out_dir={vq.path}"]))
    with vq.open_log(0) as log:
        log.write(1, 0.5, 1e-3, 36.0)
    args = ["models", "ship", "--run", out, "--vq-run", vq.path, "--tokens", ar_tokens / "tok", "--name", "ar"]
    result = runner.invoke(app, [str(a) for a in [*args, "--root", tmp_path, "--into", tmp_path / "into"]])
    assert result.exit_code == 0, result.output
    dest = tmp_path / "into" / "ar"
    with safe_open(str(dest / "model.safetensors"), "pt") as f:
        names = list(f.keys())
        assert {f.get_tensor(k).dtype for k in names} == {torch.float16}  # every tensor, as the model was shipped
    trained, shipped = from_pretrained(out / "model").state_dict(), from_pretrained(dest).state_dict()
    assert sorted(names) == sorted(trained)
    for k, v in trained.items():
        assert shipped[k].dtype == v.dtype, k  # read back as the model's own dtypes: fp32 weights
        if not v.is_floating_point():
            assert torch.equal(shipped[k], v), k
            continue
        torch.testing.assert_close(shipped[k], v.half().float(), rtol=0, atol=0, msg=k)  # fp16-rounded, no more
        torch.testing.assert_close(shipped[k], v, rtol=1e-3, atol=1e-4, msg=k)
    record = json.loads((dest / "training.json").read_text())
    assert record["weights_dtype"] == "float16 (read back as float32)"
    assert record["training"]["vq"] == {"steps": 1, "hours": 0.01, "tail_loss": 0.5}
    assert record["training"]["ar"]["steps"] == 2 and record["triplets"]["pairs"] == 12
    card = (dest / "README.md").read_text()
    assert card == (tmp_path / "docs" / "models" / "ar.md").read_text()
    assert "told its task **in words only**" in card and "fp16 safetensors, read back as fp32" in card
    assert (dest / "tokenizer.json").is_file()
    fails_cleanly([*args, "--root", tmp_path, "--into", tmp_path / "into"], "not empty", "--overwrite")


def _modes(path, within: int):
    """A condition-mode study's modes.json, as much of it as a card renders (told both ways, the
    category mean is 23.0 + ``within`` / 100)."""
    both = 23.0 + within / 100
    means = {"tasks": 20, "identity": 18.0, "example": 23.0, "instruction": 21.0, "both": both, "visual": 21.0}
    targets = {"tasks": 20, "instruction_beats_identity": 19, "both_at_least_either": 11, "both_slack_db": 0.2}
    result = {
        "visual_model": "pixtask-tiny",
        "instruction_split": "user",
        "categories": {"restoration (psnr)": means},
        "targets": targets | {"both_within_slack": within},
    }
    path.write_text(json.dumps(result))
    return path


def test_the_told_three_ways_section_is_refreshed_from_a_new_study(genlv_run):
    """After the pipeline's told-both check changed, a new study re-renders that section of both
    cards and leaves every other line as it was."""
    root, out = genlv_run
    cards, before = _shipped_cards(root, out, "told", "--modes", _modes(root / "modes1.json", 17))
    assert "and within 0.2 dB of it on 17." in before
    refresh = ["models", "ship", "--refresh-results", "--name", "told", "--modes", _modes(root / "modes2.json", 18)]
    result = runner.invoke(app, [str(a) for a in [*refresh, "--root", root, "--into", root / "pretrained"]])
    assert result.exit_code == 0, result.output
    for card in cards:
        text = card.read_text()
        assert "and within 0.2 dB of it on 18." in text and "on 17." not in text
        assert "| 23.18 |" in text and "| 23.17 |" not in text  # the table too
        old = text.replace("on 18.", "on 17.").replace("modes2.json", "modes1.json").replace("| 23.18 |", "| 23.17 |")
        assert old == before
    fails_cleanly([*refresh[:3], "--name", "told", "--root", root, "--into", root / "pretrained"], "--eval or --modes")
