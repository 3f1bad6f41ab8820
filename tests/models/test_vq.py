"""The VQ image tokenizer: codebook initialisation, losses, restarts and save/load."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from pixtask.models import create_model, from_pretrained, save_pretrained
from pixtask.models.vq import VQConfig, VQTokenizer, codebook_usage


def small(**kw) -> VQTokenizer:
    torch.manual_seed(0)
    return VQTokenizer(VQConfig(channels=[8, 16], codebook_size=16, code_dim=4, **kw))


def test_shapes_and_downsampling(photo_128):
    vq = small().eval()
    x = torch.from_numpy(photo_128[:64, :48].transpose(2, 0, 1).copy())[None]
    codes = vq.encode(x)
    assert codes.shape == (1, 16, 12) and vq.downsample == 4
    assert vq.decode(codes).shape == (1, 3, 64, 48)
    with pytest.raises(ValueError, match="multiples of 4"):
        vq.encode(torch.rand(1, 3, 30, 32))


def test_kmeans_initialisation_leaves_no_code_dead():
    """k-means on the first batch's latents: every code is used, and it quantises that batch
    far better than the random codebook it replaces."""
    vq = small().train()
    x = torch.rand(8, 3, 32, 32)
    _, random_init = small(restart_after=0).eval()(x)  # eval: no initialisation
    _, losses = vq(x)
    assert bool(vq.initialised)
    assert codebook_usage(losses["codes"], 16)["used_fraction"] == 1.0
    assert losses["codebook"] < 0.5 * random_init["codebook"]


def test_losses_by_hand():
    vq = small(beta=0.25).train()
    x = torch.rand(2, 3, 16, 16)
    recon, losses = vq(x)
    z = vq._latents(x).permute(0, 2, 3, 1).reshape(-1, 4)
    e = vq.codebook(losses["codes"].flatten())
    commitment = F.mse_loss(z, e)
    torch.testing.assert_close(losses["commitment"], commitment)
    torch.testing.assert_close(losses["reconstruction"], F.l1_loss(recon, x))
    torch.testing.assert_close(losses["loss"], losses["reconstruction"] + losses["codebook"] + 0.25 * commitment)


def test_dead_codes_are_reseeded_on_encoder_outputs():
    vq = small(restart_after=2).train()
    x = torch.rand(2, 3, 16, 16)
    vq(x)
    with torch.no_grad():
        vq.codebook.weight[3] = 1e6  # far from every latent: never chosen again
    vq(x)
    vq(x)
    assert vq.codebook.weight[3].abs().max() < 1e3


def test_usage_statistics():
    assert codebook_usage(torch.arange(8), 8) == {"used_fraction": 1.0, "perplexity": pytest.approx(8.0)}
    assert codebook_usage(torch.zeros(10, dtype=torch.long), 4)["perplexity"] == pytest.approx(1.0)


def test_save_and_load_round_trip(tmp_path):
    vq = create_model("vq-tiny", channels=[8, 8, 8], codebook_size=32, code_dim=4).train()
    vq(torch.rand(2, 3, 16, 16))
    save_pretrained(vq, tmp_path / "vq")
    back = from_pretrained(tmp_path / "vq")
    assert isinstance(back, VQTokenizer) and back.config == vq.config and bool(back.initialised)
    x = torch.rand(1, 3, 16, 16)
    torch.testing.assert_close(back.encode(x), vq.eval().encode(x))
