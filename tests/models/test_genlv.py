from __future__ import annotations

import json

import pytest
import torch

from pixtask.core.condition import Condition
from pixtask.models import GenLVConfig, WeightsError, create_model, from_pretrained, list_models, save_pretrained


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return create_model("genlv-tiny").eval()


def _inputs(h=64, w=96, ph=32, pw=64):
    g = torch.Generator().manual_seed(1)
    return (
        torch.rand(2, 3, h, w, generator=g),
        torch.rand(2, 3, ph, pw, generator=g),
        torch.rand(2, 3, ph, pw, generator=g),
    )


def test_variants_listed():
    assert list_models() == [
        "genlv-base",
        "genlv-large",
        "genlv-huge",
        "genlv-giant",
        "genlv-tiny",
        "genlv-small",
        "genlv-tiny-text",
        "naf-tiny",
        "naf-small",
        "naf-base",
        "vq-tiny",
        "ar-tiny-lm",
    ]
    assert list_models("genlv-*")[-1] == "genlv-tiny-text"


def test_forward_shapes_and_prompt_of_another_size(tiny):
    x, a, b = _inputs()
    with torch.no_grad():
        assert tiny(x, Condition(prompt=(a, b))).shape == x.shape


def test_prompt_changes_the_output(tiny):
    x, a, b = _inputs()
    with torch.no_grad():
        assert not torch.allclose(tiny(x, Condition(prompt=(a, b))), tiny(x, Condition(prompt=(b, a))))


def test_batched_prompt_encoding_equals_two_calls(tiny):
    _, a, b = _inputs()
    with torch.no_grad():
        ka, kb = tiny.encode_prompt(a, b)
        torch.testing.assert_close(ka, tiny.prompt_encoder(a))
        torch.testing.assert_close(kb, tiny.prompt_encoder(b))


def test_channels_last_gives_the_same_result(tiny):
    x, a, b = _inputs()
    cl = [t.contiguous(memory_format=torch.channels_last) for t in (x, a, b)]
    with torch.no_grad():
        torch.testing.assert_close(
            tiny(cl[0], Condition(prompt=tuple(cl[1:]))), tiny(x, Condition(prompt=(a, b))), atol=1e-5, rtol=1e-4
        )


def test_shape_errors(tiny):
    x, a, b = _inputs()
    with pytest.raises(ValueError, match="multiples of 32"):
        tiny(x[..., :60], Condition(prompt=(a, b)))
    with pytest.raises(ValueError, match="needs a condition"):
        tiny(x)
    with pytest.raises(ValueError, match="prompt images differ in shape"):
        tiny(x, Condition(prompt=(a, b[..., :32])))
    with pytest.raises(ValueError, match="reads no instructions"):
        tiny(x, Condition(instruction="the colours warm up"))
    with pytest.raises(ValueError, match="needs an example pair"):
        Condition()


def test_no_prompt_baseline_runs_without_prompt():
    m = create_model("genlv-tiny", use_prompt=False).eval()
    x, _, _ = _inputs()
    with torch.no_grad():
        assert m(x).shape == x.shape
    assert not hasattr(m, "prompt_encoder")


def test_config_validation():
    with pytest.raises(ValueError, match="four entries"):
        GenLVConfig(num_blocks=[1, 1, 1])
    with pytest.raises(TypeError, match=r"unknown config field\(s\) \['depth'\]"):
        create_model("genlv-tiny", depth=3)
    with pytest.raises(KeyError, match="did you mean 'genlv-tiny'"):
        create_model("genlv-tyny")


def test_save_and_load_round_trip(tiny, tmp_path):
    save_pretrained(tiny, tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"config.json", "model.safetensors"}
    cfg = json.loads((tmp_path / "config.json").read_text())
    assert cfg["dim"] == 16 and cfg["format"] == "pixtask-genlv/1"
    loaded = from_pretrained(tmp_path)
    x, a, b = _inputs()
    with torch.no_grad():
        assert torch.equal(loaded(x, Condition(prompt=(a, b))), tiny(x, Condition(prompt=(a, b))))


def test_mismatched_weights_are_reported(tiny, tmp_path):
    save_pretrained(tiny, tmp_path)
    cfg = json.loads((tmp_path / "config.json").read_text())
    cfg["dim"] = 24
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(WeightsError, match=r"does not fit this model config: .*with another shape"):
        from_pretrained(tmp_path)


def test_missing_and_corrupt_files(tmp_path):
    with pytest.raises(WeightsError, match=r"no config\.json"):
        from_pretrained(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(WeightsError, match="not valid JSON"):
        from_pretrained(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"format": "pixtask-genlv/1", "dim": 16}))
    with pytest.raises(WeightsError, match=r"no model\.safetensors"):
        from_pretrained(tmp_path)


def test_global_residual_starts_as_the_identity():
    torch.manual_seed(0)
    model = create_model("genlv-tiny", global_residual=True)
    x = torch.rand(2, 3, 64, 64)
    assert torch.equal(model(x, Condition(prompt=(x, x))), x)
    assert model.config.global_residual and not create_model("genlv-tiny").config.global_residual
    out = model(x, Condition(prompt=(x, x)))
    out.sum().backward()
    assert model.output.weight.grad.abs().sum() > 0  # the zero-initialised conv still learns
