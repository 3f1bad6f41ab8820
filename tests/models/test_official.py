from __future__ import annotations

import pickle

import pytest
import torch

from pixtask.core.condition import Condition
from pixtask.models import WeightsError, create_model
from pixtask.models.official import OFFICIAL_PROMPT_PREFIX, import_official, to_official_state_dict


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return create_model("genlv-tiny").eval()


def _data():
    g = torch.Generator().manual_seed(2)
    return (
        torch.rand(1, 3, 64, 64, generator=g),
        torch.rand(1, 3, 64, 64, generator=g),
        torch.rand(1, 3, 64, 64, generator=g),
    )


def test_official_layout_keys(model):
    keys = to_official_state_dict(model).keys()
    assert f"{OFFICIAL_PROMPT_PREFIX}conv_first.weight" in keys
    assert "latent_blocks.0.cross_attn.to_out.0.bias" in keys
    assert "encoder_level1.0.spatial_attn.rel_pos_emb.rel_height" in keys
    assert "encoder_level1.0.norm1.body.weight" in keys
    assert not any(k.startswith("prompt_encoder.") for k in keys)


def test_import_gives_identical_outputs(model, tmp_path):
    torch.save({"model": to_official_state_dict(model), "epoch": 49}, tmp_path / "checkpoint-49.pth")
    imported = import_official(tmp_path / "checkpoint-49.pth", "genlv-tiny")
    x, a, b = _data()
    with torch.no_grad():
        assert torch.equal(imported(x, Condition(prompt=(a, b))), model(x, Condition(prompt=(a, b))))


def test_official_weights_compute_in_bgr(model):
    """Loaded without the colour conversion, the official tensors run a BGR network: on the
    channel-swapped images it returns the channel-swapped prediction of the imported model."""
    raw = {k.replace(OFFICIAL_PROMPT_PREFIX, "prompt_encoder."): v for k, v in to_official_state_dict(model).items()}
    bgr_net = create_model("genlv-tiny").eval()
    bgr_net.load_state_dict(raw)
    x, a, b = _data()
    with torch.no_grad():
        torch.testing.assert_close(
            bgr_net(x.flip(1), Condition(prompt=(a.flip(1), b.flip(1)))).flip(1),
            model(x, Condition(prompt=(a, b))),
            atol=1e-5,
            rtol=1e-4,
        )


def test_prompt_width_is_read_from_the_checkpoint(tmp_path):
    torch.manual_seed(0)
    nf8 = create_model("genlv-tiny", prompt_nf=8)
    torch.save(to_official_state_dict(nf8), tmp_path / "w.pth")
    assert import_official(tmp_path / "w.pth", "genlv-tiny").config.prompt_nf == 8


def test_wrong_variant_is_reported(model, tmp_path):
    torch.save(to_official_state_dict(model), tmp_path / "w.pth")
    with pytest.raises(WeightsError, match="does not fit this model config"):
        import_official(tmp_path / "w.pth", "genlv-small")


class _Evil:
    def __reduce__(self):
        return (print, ("this would have run",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_pickled_code_is_refused(tmp_path):
    with open(tmp_path / "evil.pth", "wb") as fh:
        pickle.dump({"model": _Evil()}, fh)
    with pytest.raises(WeightsError, match="cannot be read as a tensor-only checkpoint"):
        import_official(tmp_path / "evil.pth")


def test_missing_file(tmp_path):
    with pytest.raises(WeightsError, match="no such checkpoint file"):
        import_official(tmp_path / "none.pth")
