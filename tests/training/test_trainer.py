from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from pixtask.core.device import subnormals_flushed
from pixtask.data.multitask import TaskMixture
from pixtask.models import from_pretrained
from pixtask.training.config import TrainConfig, load_config
from pixtask.training.run_folder import RunFolder
from pixtask.training.trainer import NonFiniteLossError, Trainer, warmup_cosine


def _cfg(out, **kw) -> TrainConfig:
    overrides = [
        f"out_dir={out}",
        "steps=4",
        "batch_size=2",
        "device=cpu",
        "precision=fp32",
        "log_every=1",
        "checkpoint_every=2",
        "data.crop=32",
        "data.max_side=160",
        "data.workers=0",
        "data.tasks=[denoise-gaussian, canny]",
        "optim.warmup_steps=2",
        "optim.lr=0.001",
        "optim.ema_decay=0.9",
    ]
    return load_config(None, overrides + [f"{k}={v}" for k, v in kw.items()])


def _weights(model) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_resume_is_exact(tmp_path):
    full = Trainer(_cfg(tmp_path / "full"))
    full.fit()
    reference, reference_ema = _weights(full.model), _weights(full.ema)

    first = Trainer(_cfg(tmp_path / "split"))
    first.fit(stop_at=2)  # "killed" after step 2, where a checkpoint was written
    resumed = Trainer(_cfg(tmp_path / "split"))
    resumed.resume()
    assert resumed.step == 2
    resumed.fit()
    assert resumed.step == 4
    for k, v in _weights(resumed.model).items():
        assert torch.equal(v, reference[k]), k
    for k, v in _weights(resumed.ema).items():
        assert torch.equal(v, reference_ema[k]), k
    assert (tmp_path / "split" / "log.csv").read_text().splitlines()[0] == "step,loss,lr,seconds"
    assert [r.step for r in RunFolder(tmp_path / "split").log()] == [1, 2, 3, 4]
    assert (tmp_path / "split" / "model" / "model.safetensors").is_file()
    assert (tmp_path / "split" / "loss.png").is_file()
    info = json.loads((tmp_path / "split" / "model" / "training.json").read_text())
    assert info["trained_tasks"] == ["canny", "denoise-gaussian"] and info["trained_steps"] == 4


def test_sample_grids_are_written(tmp_path):
    Trainer(_cfg(tmp_path, sample_every=2)).fit()
    grids = sorted(p.name for p in (tmp_path / "samples").iterdir())
    assert grids == ["step0000002.png", "step0000004.png"]
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(tmp_path / "tb"))
    events.Reload()
    assert [e.step for e in events.Scalars("train/loss")] == [1, 2, 3, 4]
    assert [e.step for e in events.Images("samples")] == [2, 4]


@pytest.mark.slow
def test_training_reduces_the_loss(tmp_path):
    cfg = _cfg(tmp_path, steps=30, **{"data.tasks": "[colorization]", "optim.ema_decay": 0})
    losses = []
    Trainer(cfg).fit(on_step=lambda step, loss: losses.append(loss))
    assert sum(losses[-5:]) / 5 < 0.8 * sum(losses[:5]) / 5


def test_non_finite_loss_stops_with_a_clear_message(tmp_path, monkeypatch):
    trainer = Trainer(_cfg(tmp_path))
    monkeypatch.setattr(trainer.model, "forward", lambda q, condition=None, **kw: q * float("nan"))
    with pytest.raises(NonFiniteLossError, match=r"loss is nan at step 0; stopping\. .*Lower optim\.lr"):
        trainer.fit()


def test_resume_after_a_kill_between_checkpoints_logs_each_step_once(tmp_path):
    """A run killed at step 3 (last checkpoint at 2) had logged step 3; the resumed run logs it
    again, so the stale row must go and the wall-time column must keep counting."""
    full = Trainer(_cfg(tmp_path / "full"))
    full.fit()

    def kill_at_3(step: int, loss: float) -> None:
        if step == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Trainer(_cfg(tmp_path / "split")).fit(on_step=kill_at_3)
    resumed = Trainer(_cfg(tmp_path / "split"))
    resumed.resume()
    assert resumed.step == 2
    resumed.fit()
    rows, reference = RunFolder(tmp_path / "split").log(), RunFolder(tmp_path / "full").log()
    assert [r.step for r in rows] == [1, 2, 3, 4]
    assert [r.loss for r in rows] == [r.loss for r in reference]  # same losses as the uninterrupted run
    seconds = [r.seconds for r in rows]
    assert seconds == sorted(seconds)


def test_resume_refuses_another_model(tmp_path):
    Trainer(_cfg(tmp_path)).fit(stop_at=2)
    other = Trainer(_cfg(tmp_path, model="genlv-small"))
    with pytest.raises(ValueError, match="another model configuration"):
        other.resume()


def test_resume_without_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        Trainer(_cfg(tmp_path)).resume()


def test_warmup_then_cosine():
    assert warmup_cosine(0, 10, 100, 0.0) == pytest.approx(0.1)
    assert warmup_cosine(9, 10, 100, 0.0) == pytest.approx(1.0)
    assert warmup_cosine(55, 10, 100, 0.0) == pytest.approx(0.5)
    assert warmup_cosine(100, 10, 100, 0.1) == pytest.approx(0.1)
    assert all(math.isfinite(warmup_cosine(s, 0 + 1, 5, 0.0)) for s in range(10))


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        (["optim.lrr=1"], KeyError, r"unknown config key 'optim\.lrr'; known at this level: .*'lr'"),
        (["steps=many"], TypeError, "steps: expected int, got 'many'"),
        (["data.crop=48"], ValueError, "multiple of 32"),
        (["optim.lr=2"], ValueError, r"optim\.lr must be in \(0, 1\)"),
        (["batch_size"], ValueError, "not of the form key=value"),
        (["precision=fp16"], ValueError, "precision must be auto, fp32 or bf16"),
        (["loss=l2"], ValueError, "loss must be l1 or relative-l1"),
        (["optim.lr=fast"], ValueError, "optim.lr: expected float, got 'fast'"),  # a ValueError for the CLI
    ],
)
def test_config_errors(overrides, error, message):
    with pytest.raises(error, match=message):
        load_config(None, overrides)


def test_yaml_file_and_overrides(tmp_path):
    path = tmp_path / "exp.yaml"
    path.write_text("model: genlv-small\nsteps: 50\noptim:\n  lr: 0.0003\ndata:\n  tasks: ['denoise-*']\n")
    cfg = load_config(path, ["steps=60", "optim.betas=[0.9, 0.95]", "optim.warmup_steps=5"])
    assert (cfg.model, cfg.steps, cfg.optim.lr, cfg.optim.betas, cfg.data.tasks) == (
        "genlv-small",
        60,
        0.0003,
        [0.9, 0.95],
        ["denoise-*"],
    )
    path.write_text("- not a mapping\n")
    with pytest.raises(ValueError, match="top level must be a mapping"):
        load_config(path)


def test_exponent_without_a_dot_is_a_float():
    # YAML 1.1 reads 2e-4 as a string; a learning rate written that way must still work
    assert load_config(None, ["optim.lr=2e-4"]).optim.lr == pytest.approx(2e-4)


def test_relative_l1_weighs_each_sample_by_its_identity_error():
    from pixtask.training.losses import IDENTITY_FLOOR, reconstruction_loss

    target = torch.zeros(2, 3, 4, 4)
    query = torch.stack([torch.full((3, 4, 4), 0.5), torch.full((3, 4, 4), 0.02)])  # identity L1: 0.5, 0.02
    pred = torch.stack([torch.full((3, 4, 4), 0.25), torch.full((3, 4, 4), 0.01)])  # both halve the error
    assert reconstruction_loss("relative-l1", pred, target, query).item() == pytest.approx(0.5)
    assert reconstruction_loss("l1", pred, target, query).item() == pytest.approx((0.25 + 0.01) / 2)
    # identity input == target: divided by the floor, not by zero
    same = reconstruction_loss("relative-l1", pred[1:], target[1:], target[1:])
    assert same.item() == pytest.approx(0.01 / IDENTITY_FLOOR)
    with pytest.raises(ValueError, match="unknown loss 'l2'"):
        reconstruction_loss("l2", pred, target, query)


def test_init_from_starts_at_the_saved_weights_and_adds_to_its_record(tmp_path):
    first = Trainer(_cfg(tmp_path / "a"))
    folder = first.fit()
    second = Trainer(_cfg(tmp_path / "b", init_from=str(folder), loss="relative-l1", steps=2))
    saved = first.ema.state_dict()  # the saved model is the EMA copy
    assert all(torch.equal(v, saved[k]) for k, v in second.model.state_dict().items())
    info = json.loads((second.fit() / "training.json").read_text())
    assert info["trained_steps"] == 6
    assert info["init_from"] == str(folder)
    assert info["trained_tasks"] == ["canny", "denoise-gaussian"]
    with pytest.raises(ValueError, match=r"init_from .* but this config builds"):
        Trainer(_cfg(tmp_path / "c", init_from=str(folder), model="genlv-small"))


@pytest.mark.parametrize("path", sorted(str(p) for p in (Path(__file__).parents[2] / "configs").rglob("*.yaml")))
def test_committed_configs_validate_and_name_real_tasks(path):
    """Raises on a bad field, an unknown task id, or a weight that matches none of the tasks."""
    cfg = load_config(path)
    TaskMixture.from_patterns(cfg.data.tasks, cfg.data.weights)


def test_a_checkpoint_exports_the_model_the_run_ends_with(tmp_path):
    from pixtask.models import from_pretrained
    from pixtask.training.checkpoint import LATEST, model_from_checkpoint

    trainer = Trainer(_cfg(tmp_path / "run"))
    trainer.fit()  # step 4 writes both the last checkpoint and the final model folder
    final = _weights(from_pretrained(tmp_path / "run" / "model"))
    ema, info = model_from_checkpoint(tmp_path / "run" / LATEST)
    assert info["checkpoint_step"] == 4 and info["weights"] == "ema"
    assert all(torch.equal(v, final[k]) for k, v in _weights(ema).items())
    raw, info = model_from_checkpoint(tmp_path / "run" / LATEST, ema=False)
    assert info["weights"] == "raw"
    assert all(torch.equal(v, trainer.model.state_dict()[k]) for k, v in _weights(raw).items())
    assert not all(torch.equal(v, final[k]) for k, v in _weights(raw).items())


def test_exporting_something_that_is_not_a_checkpoint_says_so(tmp_path):
    from pixtask.training.checkpoint import model_from_checkpoint

    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        model_from_checkpoint(tmp_path / "missing.pt")
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a pixtask training checkpoint"):
        model_from_checkpoint(tmp_path / "other.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a readable pixtask checkpoint"):
        model_from_checkpoint(tmp_path / "junk.pt")


def test_resuming_a_run_with_no_checkpoint_says_how_to_start(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no checkpoint at .*; start without --resume"):
        Trainer(_cfg(tmp_path / "fresh")).resume()


def test_compile_on_cpu_is_refused_with_the_reason(tmp_path):
    cfg = _cfg(tmp_path, compile="true")
    with pytest.raises(ValueError, match="compile: true needs a CUDA device"):
        Trainer(cfg)


def test_loader_pins_and_keeps_workers_only_on_cuda(tmp_path):
    trainer = Trainer(_cfg(tmp_path, **{"data.workers": 2}))
    cpu = trainer.loader([0, 1])
    assert not cpu.pin_memory and not cpu.persistent_workers and cpu.prefetch_factor == 4
    assert trainer.dataset.sampler.decodes == len(trainer.dataset.photos)  # decoded before the fork
    trainer.device = torch.device("cuda")  # options only; nothing is moved
    cuda = trainer.loader([0, 1])
    assert cuda.pin_memory and cuda.persistent_workers


def test_resume_accepts_checkpoints_written_before_a_key_existed(tmp_path):
    from pixtask.training.config import result_differences

    cfg = _cfg(tmp_path)
    saved = cfg.to_dict()
    del saved["compile"], saved["channels_last"]  # as a checkpoint from before those keys
    assert result_differences(saved, cfg) == []
    saved["seed"] = 5
    assert result_differences(saved, cfg) == ["seed: 5 -> 0"]


def test_a_decvt_file_trains_beside_synthetic_tasks(tmp_path, photo_128, photo_128_b):
    from pixtask.core.image_io import write_image

    write_image(tmp_path / "a.png", photo_128)
    write_image(tmp_path / "b.png", photo_128_b)
    item = {"id": 1, "x_img_A": "a.png", "y_img_B": "b.png", "Task_Descriptions_from_A_to_B": "the scene changes"}
    (tmp_path / "pairs.json").write_text(json.dumps([item]))
    cfg = _cfg(
        tmp_path / "run",
        model="genlv-tiny-text",
        steps=2,
        **{"data.paired_folders": f"[{tmp_path / 'pairs.json'}]", "data.tasks": "[denoise-gaussian]"},
    )
    trainer = Trainer(cfg)
    assert set(trainer.dataset.mixture.weights) == {"denoise-gaussian", "decvt:pairs"}
    trainer.fit()


def test_time_snapshots_and_a_time_limited_session_resume_to_the_same_run(tmp_path):
    """snapshot_minutes saves the model once per mark; stop_minutes ends a session with a
    checkpoint (no final model), and --resume finishes the same run without re-saving a mark."""
    cfg = _cfg(tmp_path / "run", snapshot_minutes="[1e-9]", stop_minutes=1e-9)
    assert cfg.snapshot_minutes == [1e-9]  # YAML reads 1e-9 as a string; each list item is checked
    first = Trainer(cfg)
    returned = first.fit()
    run = RunFolder(tmp_path / "run")
    assert first.stopped_early and first.step == 1 and returned == run.checkpoint
    assert not run.is_finished() and run.has_checkpoint()
    [snapshot] = run.snapshots()
    record = json.loads((snapshot / "training.json").read_text())
    assert record["step"] == 1 and record["samples"] == 2
    written = (snapshot / "model.safetensors").stat().st_mtime_ns
    past = Trainer(cfg)
    past.resume()
    with pytest.raises(ValueError, match="past stop_minutes"):
        past.fit()
    second = Trainer(_cfg(tmp_path / "run", snapshot_minutes="[1e-9]"))
    second.resume()
    assert second.step == 1
    assert second.fit() == run.model_dir and second.step == 4 and not second.stopped_early
    assert run.snapshots() == [snapshot] and (snapshot / "model.safetensors").stat().st_mtime_ns == written
    assert [r.step for r in run.log()] == [1, 2, 3, 4]  # the stop step logged once


def test_list_items_are_checked():
    assert load_config(None, ["snapshot_minutes=[15, 5e-1]"]).snapshot_minutes == [15.0, 0.5]
    with pytest.raises(ValueError, match=r"snapshot_minutes\[1\]: expected float"):
        load_config(None, ["snapshot_minutes=[15, soon]"])


def test_a_conditioned_nafnet_trains_in_the_same_loop(tmp_path):
    cfg = _cfg(tmp_path, model="naf-tiny", steps=2, **{"data.condition_modes": "{example: 1, instruction: 1}"})
    trainer = Trainer(cfg)
    final = trainer.fit()
    from pixtask.models import from_pretrained
    from pixtask.models.cond_nafnet import CondNAFNet

    assert isinstance(from_pretrained(final), CondNAFNet) and trainer.step == 2


def test_ema_warmup_starts_near_the_model_and_reaches_the_set_decay(tmp_path):
    warm = Trainer(_cfg(tmp_path / "w", **{"optim.ema_decay": 0.999, "optim.ema_warmup": True}))
    assert warm.ema_decay(0) == pytest.approx(0.1) and warm.ema_decay(90) == pytest.approx(0.91)
    assert warm.ema_decay(100_000) == 0.999
    assert Trainer(_cfg(tmp_path / "p", **{"optim.ema_decay": 0.999})).ema_decay(0) == 0.999
    # the loop applies it: after the first step the average is 90% of the way to the new weights
    start = _weights(warm.model)
    warm.fit(stop_at=1)
    name, ema = next((k, v) for k, v in warm.ema.state_dict().items() if v.is_floating_point())
    expected = start[name] + 0.9 * (warm.model.state_dict()[name] - start[name])
    assert not torch.equal(warm.model.state_dict()[name], start[name])
    torch.testing.assert_close(ema, expected, atol=1e-6, rtol=1e-5)


def test_init_from_may_switch_a_weightless_field_but_not_a_size(tmp_path):
    """CondNAFNet's unit_parts changes no weight, so a run may turn it on from saved weights;
    a different width is still refused."""
    folder = Trainer(_cfg(tmp_path / "a", model="naf-tiny", steps=2)).fit()
    on = Trainer(_cfg(tmp_path / "b", model="naf-tiny", init_from=str(folder), **{"model_overrides.unit_parts": True}))
    assert on.model.config.unit_parts
    saved = from_pretrained(folder).state_dict()
    assert all(torch.equal(v, saved[k]) for k, v in on.model.state_dict().items())
    with pytest.raises(ValueError, match=r"init_from .* but this config builds"):
        Trainer(_cfg(tmp_path / "c", model="naf-tiny", init_from=str(folder), **{"model_overrides.width": 8}))


def test_a_cpu_trainer_flushes_subnormals_while_it_trains_and_restores_the_setting(tmp_path):
    """AdamW's second moments decay into subnormals that CPUs handle in microcode; the trainer
    flushes them while it trains, as GPUs do, and leaves the process as it found it."""
    seen = []
    torch.set_flush_denormal(False)
    try:
        Trainer(_cfg(tmp_path)).fit(stop_at=2, on_step=lambda step, loss: seen.append(subnormals_flushed()))
        assert seen == [True, True]
        assert not subnormals_flushed()
    finally:
        torch.set_flush_denormal(False)


def test_the_alignment_term_reads_only_the_chosen_tasks_samples():
    """text_alignment_tasks: the samples of other tasks keep their example and words for the
    reconstruction, but the alignment term (over samples told both ways) no longer sees them."""
    from pixtask.models.condition_encoder import ConditionTensors
    from pixtask.models.text_encoder import EncodedText
    from pixtask.training.objectives import ImageObjective

    pair = (torch.rand(3, 3, 8, 8), torch.rand(3, 3, 8, 8))
    words = EncodedText(torch.rand(3, 2, 384), torch.ones(3, 2, dtype=torch.bool), torch.rand(3, 384))
    batch = {"task": ["darken-correction", "derain", "brighten-correction"]}
    objective = ImageObjective(
        encoder=None, alignment=1.0, alignment_tasks=["darken-correction", "brighten-correction"]
    )
    aligned = objective._aligned(ConditionTensors(pair, None, words), batch)
    assert aligned.told_both("cpu").tolist() == [True, False, True]
    some = objective._aligned(ConditionTensors(pair, torch.tensor([False, True, True]), words), batch)
    assert some.told_both("cpu").tolist() == [False, False, True]  # an example still counts only where given
    assert aligned.prompt is pair and aligned.text is words
    every = ImageObjective(encoder=None, alignment=1.0)._aligned(ConditionTensors(pair, None, words), batch)
    assert every.told_both("cpu").tolist() == [True, True, True]


def test_a_run_passes_its_alignment_tasks_to_the_term(tmp_path, monkeypatch):
    """From the config to the model's alignment term: a trained step with text_alignment_tasks
    shows the term only the chosen task's samples told both ways."""
    from pixtask.models.cond_nafnet import CondNAFNet

    seen = []

    def recording(self, condition):
        both = condition.told_both("cpu")
        seen.append(0 if both is None else int(both.sum()))
        return None

    monkeypatch.setattr(CondNAFNet, "alignment_loss", recording)
    told = {"model": "naf-tiny", "steps": 3, "batch_size": 4, "text_alignment": 1.0}
    told["data.condition_modes"] = "{both: 1}"
    Trainer(_cfg(tmp_path / "all", **told)).fit()
    assert seen == [4, 4, 4]  # every sample is told both ways
    seen.clear()
    Trainer(_cfg(tmp_path / "canny", **told, text_alignment_tasks="[canny]")).fit()
    assert len(seen) == 3 and sum(seen) < 12 and max(seen) <= 4  # denoise-gaussian's samples are left out
    assert sum(seen) > 0  # a mixture of two tasks draws canny in 3 batches of 4


def test_a_router_added_to_trained_weights_starts_from_them_with_anchors_from_examples(tmp_path):
    """init_from weights without a words' router into a config with word_anchors: every saved
    weight is kept, and each anchor starts at its task's mean example embedding (not zero)."""
    folder = Trainer(_cfg(tmp_path / "a", model="naf-tiny", steps=2)).fit()
    routed = Trainer(
        _cfg(
            tmp_path / "b",
            model="naf-tiny",
            init_from=str(folder),
            freeze="words",
            word_routing=0.1,
            **{"model_overrides.word_anchors": "[denoise-gaussian, canny]", "data.max_side": 256},
        )
    )
    saved = from_pretrained(folder).state_dict()
    state = routed.model.state_dict()
    assert set(state) - set(saved) == {
        "text_router.route.weight",
        "text_router.route.bias",
        "text_router.anchors",
        "text_router.gate.weight",
        "text_router.gate.bias",
    }
    assert all(torch.equal(state[k], v) for k, v in saved.items())
    anchors = state["text_router.anchors"]
    assert anchors.shape == (2, routed.model.config.cond_dim)
    assert anchors.pow(2).mean(1).tolist() == pytest.approx([1.0, 1.0], rel=1e-4)  # unit RMS, not zero
    assert not torch.allclose(anchors[0], anchors[1])
    trainable = {n for n, p in routed.model.named_parameters() if p.requires_grad}
    assert trainable and all(n.startswith(("text_encoder", "text_router")) for n in trainable)


def test_a_run_teaches_the_router_the_task_of_each_sample_told_in_words(tmp_path, monkeypatch):
    from pixtask.models.cond_nafnet import CondNAFNet

    seen = []
    real = CondNAFNet.routing_loss

    def recording(self, condition, tasks):
        seen.append(list(tasks))
        return real(self, condition, tasks)

    monkeypatch.setattr(CondNAFNet, "routing_loss", recording)
    told = {"model": "naf-tiny", "steps": 2, "batch_size": 4, "word_routing": 0.5}
    trainer = Trainer(_cfg(tmp_path, **told, **{"model_overrides.word_anchors": "[denoise-gaussian, canny]"}))
    trainer.fit()
    assert len(seen) == 2 and all(set(s) <= {"denoise-gaussian", "canny"} and len(s) == 4 for s in seen)
    # the term reaches the loss: the router's scores (zero at the start) were trained
    assert trainer.model.text_router.route.weight.abs().max() > 0
    monkeypatch.setattr(CondNAFNet, "routing_loss", real)
    with pytest.raises(ValueError, match=r"word_routing: the model has no words' router"):
        Trainer(_cfg(tmp_path / "none", **told))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"word_routing": -1}, "word_routing must be 0 or more"),
        ({"model_overrides.word_anchors": "[derain]"}, r"model_overrides.word_anchors: \['derain'\] not among"),
    ],
)
def test_router_config_errors(tmp_path, overrides, message):
    with pytest.raises(ValueError, match=message):
        _cfg(tmp_path, model="naf-tiny", **overrides)


def test_a_turned_round_sample_is_not_taught_its_forward_task():
    """data.backward: the words of a turned sample ask for the opposite change, which has no anchor."""
    from pixtask.training.objectives import ImageObjective

    batch = {"task": ["derain", "derain", "canny"], "backward": torch.tensor([False, True, False])}
    assert ImageObjective._routed_tasks(batch) == ["derain", None, "canny"]
    assert ImageObjective._routed_tasks({"task": ["derain"]}) == ["derain"]


def test_a_stage_that_refits_the_router_starts_from_a_classifier_of_its_training_words(tmp_path):
    """word_router_fit: before the first step the router names the task of its training
    sentences (templates and requests as people type them, never a user phrasing); its gate
    starts at word_router_gate (default 0.5); the fitted accuracy is recorded with the model."""
    from pixtask.data.task_instructions import task_sentences
    from pixtask.instructions.user_phrasings import SETS, user_phrasings
    from pixtask.models.text_encoder import shared_encoder

    anchors = ["denoise-gaussian", "brighten-correction", "darken-correction"]
    texts, tasks = task_sentences(anchors, seed=0)
    assert len(texts) == len(tasks) and set(tasks) == set(anchors)
    assert texts == task_sentences(anchors, seed=0)[0]  # seeded
    held_out = {w for s in SETS for t in anchors for w in user_phrasings(s)[t].forward}
    # one user phrasing is also a template sentence the asks write ("raise the brightness", the
    # request when darkening goes away); any other shared sentence would be a leak
    assert held_out & set(texts) == {"Raise the brightness."}
    told = {"model": "naf-tiny", "steps": 1, "batch_size": 2, "word_router_fit": True, "freeze": "words"}
    listed = f"[{', '.join(anchors)}]"
    trainer = Trainer(_cfg(tmp_path, **told, **{"model_overrides.word_anchors": listed, "data.tasks": listed}))
    assert trainer.init_info["word_router_accuracy"] > 0.95
    router = trainer.model.text_router
    assert torch.equal(trainer.ema.text_router.route.weight, router.route.weight)  # the EMA starts refit
    assert torch.sigmoid(router.gate.bias).item() == pytest.approx(0.5)
    asks = shared_encoder().pooled(["make the picture darker", "make the picture lighter"])
    with torch.no_grad():
        assert [anchors[i] for i in router.route(asks).argmax(1).tolist()] == anchors[1:]
    folder = trainer.fit()
    record = json.loads((folder / "training.json").read_text())
    assert record["word_router_accuracy"] == trainer.init_info["word_router_accuracy"]
    with pytest.raises(ValueError, match=r"word_router_fit: the model has no words' router"):
        Trainer(_cfg(tmp_path / "none", model="naf-tiny", word_router_fit=True))
    nearly_open = {**told, "word_router_gate": 0.9, "model_overrides.word_anchors": listed, "data.tasks": listed}
    gate = Trainer(_cfg(tmp_path / "open", **nearly_open)).model.text_router.gate
    assert torch.sigmoid(gate.bias).item() == pytest.approx(0.9) and not gate.weight.any()
    with pytest.raises(ValueError, match="word_router_gate: set word_router_fit"):
        _cfg(tmp_path / "gate", model="naf-tiny", word_router_gate=0.9)
