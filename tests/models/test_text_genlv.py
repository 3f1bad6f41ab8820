"""GenLV that reads words: instruction tokens join the prompt cross-attention; the registry
builds models from the architecture config.json names."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

import pytest
import torch
from torch import nn

from pixtask.core.condition import Condition, ConditionError
from pixtask.models import create_model, from_pretrained, save_pretrained
from pixtask.models._registry import ARCHITECTURES, register_architecture
from pixtask.models.condition_encoder import ConditionEncoder, ConditionTensors
from pixtask.models.hub import WeightsError, model_info
from pixtask.models.text_encoder import EncodedText, TextEncoder

WARM = "the colours warm up as if lit by a late afternoon sun"
COOL = "every edge and fine detail dissolves into a soft haze"


@pytest.fixture(scope="module")
def text_model():
    torch.manual_seed(0)
    model = create_model("genlv-tiny-text", text_modulation=True).eval()
    with torch.no_grad():  # the output conv starts at zero (global residual): give it weights
        model.output.weight.normal_(0, 0.05)
        for layer in model.text_scales:
            layer.weight.normal_(0, 0.05)
    return model


@pytest.fixture(scope="module")
def tell(text_model):
    """Conditions as the network reads them (words embedded by MiniLM, outside the network)."""
    return ConditionEncoder(text_model.config)


def _images():
    torch.manual_seed(1)
    return torch.rand(2, 3, 64, 64), torch.rand(2, 3, 32, 32), torch.rand(2, 3, 32, 32)


def test_three_modes_run_and_words_change_the_output(text_model, tell):
    x, a, b = _images()
    with torch.no_grad():
        example = text_model(x, tell(Condition(prompt=(a, b))))
        warm = text_model(x, tell(Condition(instruction=WARM), batch=2))
        cool = text_model(x, tell(Condition(instruction=COOL), batch=2))
        both = text_model(x, tell(Condition(prompt=(a, b), instruction=WARM)))
    assert example.shape == warm.shape == both.shape == x.shape
    assert not torch.allclose(warm, cool, atol=1e-4)
    assert not torch.allclose(both, example, atol=1e-4) and not torch.allclose(both, warm, atol=1e-4)


def test_a_masked_example_is_ignored(text_model, tell):
    """Condition dropout: a sample whose example does not count gives exactly what it gives
    told in words alone (the key mask removes the prompt tokens)."""
    x, a, b = _images()
    mixed = Condition(prompt=(a, b), instruction=[WARM, WARM], has_prompt=torch.tensor([False, True]))
    with torch.no_grad():
        out = text_model(x, tell(mixed))
        words_only = text_model(x[:1], tell(Condition(instruction=WARM)))
        both = text_model(x[1:], tell(Condition(prompt=(a[1:], b[1:]), instruction=WARM)))
    torch.testing.assert_close(out[:1], words_only, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(out[1:], both, atol=1e-5, rtol=1e-4)
    with pytest.raises(ConditionError, match=r"sample\(s\) \[0\] of the batch have neither"):
        empty = Condition(prompt=(a, b), instruction=["", WARM], has_prompt=torch.tensor([False, True]))
        text_model(x, tell(empty))


def test_encoded_condition_is_reused_for_every_tile(text_model, tell):
    x, a, b = _images()
    condition = tell(Condition(prompt=(a[:1], b[:1]), instruction=WARM))
    with torch.no_grad():
        encoded = text_model.encode_condition(condition)
        torch.testing.assert_close(text_model(x, encoded=encoded), text_model(x, condition))


def test_pooled_token_variant_reads_one_token():
    model = create_model("genlv-tiny-text", text_tokens=False).eval()
    with torch.no_grad():
        encoded = model.encode_condition(ConditionEncoder(model.config)(Condition(instruction=WARM)))
    assert encoded.keys.shape[1] == 1


def test_a_network_reads_encoded_words_without_minilm(text_model, monkeypatch):
    """The network takes (query, encoded condition): MiniLM belongs to the condition encoder."""

    def no_minilm(self):
        raise AssertionError("the network loaded MiniLM")

    monkeypatch.setattr(TextEncoder, "model", property(no_minilm))
    x, a, b = _images()
    g = torch.Generator().manual_seed(0)
    tokens = torch.randn(2, 7, 384, generator=g)
    mask = torch.ones(2, 7, dtype=torch.bool)
    words = EncodedText(tokens, mask, torch.nn.functional.normalize(tokens.mean(1), dim=-1))
    with torch.no_grad():
        out = text_model(x, ConditionTensors(prompt=(a, b), text=words))
        other = text_model(x, ConditionTensors(prompt=(a, b), text=EncodedText(-tokens, mask, -words.pooled)))
    assert out.shape == x.shape and not torch.allclose(out, other, atol=1e-4)
    with pytest.raises(ConditionError, match="ConditionEncoder"):  # raw words never reach MiniLM from here
        text_model(x, Condition(instruction=WARM))


def test_a_visual_model_starts_a_text_model(tmp_path):
    """The text layers start fresh; every other weight comes from the visual model."""
    from pixtask.training.config import load_config
    from pixtask.training.trainer import Trainer

    torch.manual_seed(0)
    save_pretrained(create_model("genlv-tiny", global_residual=True), tmp_path / "visual")
    cfg = load_config(None, ["model=genlv-tiny-text", f"init_from={tmp_path / 'visual'}", f"out_dir={tmp_path / 'r'}"])
    trainer = Trainer(cfg)
    visual = from_pretrained(tmp_path / "visual").state_dict()
    own = trainer.model.state_dict()
    assert all(torch.equal(own[k], v) for k, v in visual.items())
    assert any(k.startswith("text_keys") for k in own) and not any(k.startswith("text_") for k in visual)


@dataclass
class _EchoConfig:
    gain: float = 1.0


class _Echo(nn.Module):
    def __init__(self, config: _EchoConfig) -> None:
        super().__init__()
        self.config = config
        self.scale = nn.Parameter(torch.tensor(config.gain))


def test_registry_builds_the_architecture_config_json_names(tmp_path):
    register_architecture("Echo", _Echo, _EchoConfig)
    try:
        save_pretrained(_Echo(_EchoConfig(gain=2.5)), tmp_path / "echo", record={"trained_steps": 7})
        saved = json.loads((tmp_path / "echo" / "config.json").read_text())
        assert saved == {"format": "pixtask-genlv/1", "architecture": "Echo", "gain": 2.5}  # constructor args only
        loaded = from_pretrained(tmp_path / "echo")
        assert type(loaded) is _Echo and loaded.scale.item() == 2.5
        assert model_info(tmp_path / "echo")["trained_steps"] == 7  # the record lives beside it
        save_pretrained(create_model("genlv-tiny-text"), tmp_path / "text")
        assert from_pretrained(tmp_path / "text").config.text_dim == 384
        saved["architecture"] = "Mystery"
        (tmp_path / "echo" / "config.json").write_text(json.dumps(saved))
        with pytest.raises(WeightsError, match="unknown architecture 'Mystery'"):
            from_pretrained(tmp_path / "echo")
    finally:
        ARCHITECTURES.pop("Echo")


def test_checkpoints_rebuild_the_model_from_its_own_config(tmp_path):
    from pixtask.training.checkpoint import model_from_checkpoint, save_checkpoint

    torch.manual_seed(0)
    model = create_model("genlv-tiny", dim=8, prompt_nf=8)
    config = {"format": "pixtask-genlv/1", "architecture": "GenLV", **dataclasses.asdict(model.config)}
    # the variant name says genlv-small: the stored model config wins
    save_checkpoint(
        tmp_path / "c.pt",
        {"model": model.state_dict(), "config": {"model": "genlv-small"}, "step": 3, "model_config": config},
    )
    rebuilt, info = model_from_checkpoint(tmp_path / "c.pt")
    assert rebuilt.config == model.config and info["checkpoint_step"] == 3


def test_example_and_word_tokens_are_balanced_whatever_the_example_size(text_model, tell):
    """Told both ways, a 256 px example's 1,024 keys weigh together as 64 would (crop-64
    training); told one way only, the weighting changes nothing."""
    import math

    g = torch.Generator().manual_seed(1)
    query, example = torch.rand(1, 3, 64, 64, generator=g), torch.rand(1, 3, 256, 256, generator=g)
    both = tell(Condition(prompt=(example, example * 0.5), instruction=WARM))
    encoded = text_model.encode_condition(both)
    n_example = 256 * 256 // 64
    assert torch.allclose(encoded.bias[0, :n_example], torch.tensor(math.log(64 / n_example)))
    assert torch.equal(encoded.bias[0, n_example:], torch.zeros(encoded.bias.shape[1] - n_example))
    small = tell(Condition(prompt=(example[..., :64, :64], example[..., :64, :64] * 0.5), instruction=WARM))
    assert text_model.encode_condition(small).bias is None  # training's own size: nothing to weigh
    only_example = tell(Condition(prompt=(example, example * 0.5)))
    cfg = text_model.config
    try:
        with torch.no_grad():
            weighted_both, weighted_example = text_model(query, both), text_model(query, only_example)
            cfg.prompt_token_balance = 0
            plain_both, plain_example = text_model(query, both), text_model(query, only_example)
    finally:
        cfg.prompt_token_balance = 64
    assert torch.equal(weighted_example, plain_example)
    assert (weighted_both - plain_both).abs().max() > 1e-4


def test_the_alignment_term_pulls_the_words_towards_the_example_only(text_model, tell):
    g = torch.Generator().manual_seed(2)
    example = torch.rand(2, 3, 64, 64, generator=g)
    both = tell(Condition(prompt=(example, example * 0.5), instruction=[WARM, COOL]))
    assert text_model.alignment_loss(tell(Condition(prompt=(example, example * 0.5)))) is None
    words_only = tell(Condition(prompt=(example, example * 0.5), instruction=[WARM, COOL], has_prompt=[False, False]))
    assert text_model.alignment_loss(words_only) is None  # no sample told both ways
    text_model.zero_grad()
    loss = text_model.alignment_loss(both)
    assert 0 <= loss.item() <= 2
    loss.backward()
    assert text_model.text_keys.net[0].weight.grad.abs().sum() > 0  # the words move...
    assert all(p.grad is None for p in text_model.prompt_encoder.parameters())  # ...the example does not
    text_model.zero_grad()
