"""The words' router of a CondNAFNet (``word_anchors``): what it blends, what it is taught, how
its anchors start, and that weights without one load into a model with one."""

from __future__ import annotations

import math

import pytest
import torch

from pixtask.models import from_pretrained, save_pretrained
from pixtask.models.cond_nafnet import CondNAFNet, CondNAFNetConfig, unit_rms
from pixtask.models.condition_encoder import ConditionTensors
from pixtask.models.text_encoder import EncodedText

TASKS = ["denoise-gaussian", "derain", "canny"]


def _model(anchors: list[str] | None = None) -> CondNAFNet:
    torch.manual_seed(0)
    cfg = CondNAFNetConfig(width=8, enc_blocks=[1, 1], middle_blocks=1, dec_blocks=[1, 1], cond_dim=16)
    cfg.word_anchors = list(anchors or [])
    return CondNAFNet(cfg).eval()


def _words(batch: int, present: list[bool] | None = None) -> EncodedText:
    g = torch.Generator().manual_seed(1)
    pooled = torch.nn.functional.normalize(torch.randn(batch, 384, generator=g), dim=-1)
    mask = torch.tensor(present or [True] * batch)[:, None].expand(batch, 2).clone()
    return EncodedText(torch.randn(batch, 2, 384, generator=g), mask, pooled)


def test_the_gate_blends_the_readers_vector_with_the_routed_anchor():
    model = _model(TASKS)
    router = model.text_router
    pooled = _words(2).pooled
    with torch.no_grad():
        router.anchors.copy_(torch.randn(3, 16))
        router.gate.bias.fill_(-1e4)  # shut: the MLP's reading, at unit RMS
        torch.testing.assert_close(model.read_words(pooled), unit_rms(model.text_encoder(pooled)))
        router.gate.bias.fill_(1e4)  # open, routed all to the second anchor
        router.route.bias.copy_(torch.tensor([0.0, 1e4, 0.0]))
        torch.testing.assert_close(model.read_words(pooled), unit_rms(router.anchors[1]).expand(2, 16))
        router.gate.bias.fill_(0.0)  # half way
        half = (unit_rms(model.text_encoder(pooled)) + unit_rms(router.anchors[1])) / 2
        torch.testing.assert_close(model.read_words(pooled), half)


def test_a_fresh_router_starts_nearly_shut_and_its_zero_anchors_give_finite_gradients():
    model = _model(TASKS)
    assert torch.sigmoid(model.text_router.gate.bias).item() == pytest.approx(0.0474, abs=1e-4)
    assert not model.text_router.route.weight.any() and not model.text_router.anchors.any()
    model.read_words(_words(2).pooled).sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.text_router.parameters())


def test_the_routing_loss_is_the_cross_entropy_of_the_anchored_tasks_told_in_words():
    model = _model(TASKS)
    with torch.no_grad():
        model.text_router.route.bias.copy_(torch.tensor([2.0, 0.0, -1.0]))
    words = _words(4, present=[True, True, False, True])
    condition = ConditionTensors(None, None, words)
    # sample 1's task has no anchor, sample 2 has no words: only samples 0 and 3 count
    loss = model.routing_loss(condition, ["derain", "dehaze", "canny", "denoise-gaussian"])
    log_z = math.log(math.exp(2.0) + 1 + math.exp(-1.0))
    assert loss.item() == pytest.approx(((log_z - 0.0) + (log_z - 2.0)) / 2, rel=1e-5)
    assert model.routing_loss(condition, ["dehaze"] * 4) is None
    assert _model().routing_loss(condition, [*TASKS, "derain"]) is None  # no router


def test_anchors_start_at_the_unit_scaled_mean_of_their_tasks_examples():
    model = _model(TASKS[:2])
    examples = {t: (torch.rand(3, 3, 32, 32), torch.rand(3, 3, 32, 32)) for t in TASKS[:2]}
    model.init_word_anchors(examples)
    with torch.no_grad():
        expected = unit_rms(model.example_encoder(*examples["derain"]).mean(0))
    torch.testing.assert_close(model.text_router.anchors[1], expected)
    with pytest.raises(ValueError, match=r"no example pairs for the word anchors \['derain'\]"):
        model.init_word_anchors({"denoise-gaussian": examples["denoise-gaussian"]})


def test_a_router_round_trips_through_save_and_load(tmp_path):
    model = _model(TASKS)
    with torch.no_grad():
        model.text_router.anchors.copy_(torch.randn(3, 16))
    save_pretrained(model, tmp_path / "m")
    loaded = from_pretrained(tmp_path / "m")
    assert loaded.config.word_anchors == TASKS
    pooled = _words(2).pooled
    torch.testing.assert_close(loaded.read_words(pooled), model.read_words(pooled))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text_dim": 0, "word_anchors": ["derain"]}, "need a model that reads words"),
        ({"word_anchors": ["derain", "derain"]}, "name a task twice"),
    ],
)
def test_config_errors(fields, message):
    with pytest.raises(ValueError, match=message):
        CondNAFNetConfig(**fields)


def test_a_refit_router_names_the_task_of_its_sentences_and_restarts_its_gate_half_open():
    """Three clusters of sentence embeddings: the fitted classifier routes each to its task, and
    the gate restarts at 0.5 for every sentence."""
    model = _model(TASKS)
    g = torch.Generator().manual_seed(3)
    centres = torch.nn.functional.normalize(torch.randn(3, 384, generator=g), dim=-1)
    labels = torch.arange(3).repeat_interleave(20)
    pooled = torch.nn.functional.normalize(centres[labels] + 0.05 * torch.randn(60, 384, generator=g), dim=-1)
    tasks = [TASKS[i] for i in labels]
    with torch.no_grad():
        model.text_router.gate.bias.fill_(-3.0)
        model.text_router.gate.weight.normal_()
    assert model.fit_word_router(pooled, tasks) == 1.0
    with torch.no_grad():
        assert model.text_router.route(centres).argmax(1).tolist() == [0, 1, 2]
        assert torch.sigmoid(model.text_router.gate(pooled)).flatten().tolist() == pytest.approx([0.5] * 60)
        confidence = torch.softmax(model.text_router.route(pooled), -1).max(1).values
    assert confidence.min() > 0.9  # fitted, not merely nudged
    model.fit_word_router(pooled, tasks, gate=0.98)  # restarted nearly open
    with torch.no_grad():
        assert torch.sigmoid(model.text_router.gate(pooled)).flatten().tolist() == pytest.approx([0.98] * 60)
    with pytest.raises(ValueError, match="strictly between 0 and 1, got 1"):
        model.fit_word_router(pooled, tasks, gate=1.0)
    with pytest.raises(ValueError, match=r"not anchors: \['dehaze'\]"):
        model.fit_word_router(pooled[:2], ["dehaze", "derain"])
    with pytest.raises(ValueError, match="has no words' router"):
        _model().fit_word_router(pooled, tasks)
