"""The conditioned NAFNet: sizes, how it reads each way of being told, and that it plugs into
the same weights I/O and pipeline as GenLV (no MiniLM needed: words are given as tensors)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pixtask.core.condition import Condition, ConditionError
from pixtask.models import create_model, from_pretrained, save_pretrained
from pixtask.models.cond_nafnet import CondNAFNet, CondNAFNetConfig
from pixtask.models.condition_encoder import ConditionTensors
from pixtask.models.counting import count
from pixtask.models.text_encoder import EncodedText
from pixtask.pipelines.genlv_pipeline import GenLVPipeline


@pytest.mark.parametrize(
    ("name", "params"), [("naf-tiny", 1_133_767), ("naf-small", 2_360_275), ("naf-base", 4_987_307)]
)
def test_variant_sizes(name, params):
    model = create_model(name)
    assert sum(p.numel() for p in model.parameters()) == params
    assert model.config.size_multiple == 16 and model.config.modes == ("example", "instruction", "both")


def _words(batch: int, seed: int, present: list[bool] | None = None) -> EncodedText:
    g = torch.Generator().manual_seed(seed)
    pooled = torch.nn.functional.normalize(torch.randn(batch, 384, generator=g), dim=-1)
    mask = torch.tensor(present or [True] * batch)[:, None].expand(batch, 3).clone()
    return EncodedText(torch.randn(batch, 3, 384, generator=g), mask, pooled * mask[:, :1])


def _trained_like(seed: int = 0) -> CondNAFNet:
    """A small model whose zero-initialised modulation and layer scales are set at random, so
    the condition changes the output as a trained one's does."""
    torch.manual_seed(seed)
    model = CondNAFNet(CondNAFNetConfig(width=8, enc_blocks=[1, 1], middle_blocks=1, dec_blocks=[1, 1], cond_dim=16))
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "modulation" in name or name.endswith(("beta", "gamma")):
                p.normal_(0, 0.5)
    return model.eval()


def test_each_way_of_being_told_changes_the_output_and_both_is_their_mean():
    model = _trained_like()
    q, p_in, p_out = (torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(i)) for i in range(3))
    example = ConditionTensors((p_in, p_out))
    words = ConditionTensors(text=_words(2, 1))
    both = ConditionTensors((p_in, p_out), text=_words(2, 1))
    other_words = ConditionTensors(text=_words(2, 2))
    with torch.no_grad():
        outs = {k: model(q, c) for k, c in [("ex", example), ("w", words), ("both", both), ("w2", other_words)]}
        e = model.example_encoder(p_in, p_out)
        t = model.text_encoder(_words(2, 1).pooled)
        assert torch.allclose(model.encode_condition(both).vector, model.fuse((e + t) / 2), atol=1e-6)
    assert outs["ex"].shape == q.shape
    for a, b in [("ex", "w"), ("ex", "both"), ("w", "both"), ("w", "w2")]:
        assert (outs[a] - outs[b]).abs().max() > 1e-3, (a, b)


def test_unit_parts_keeps_one_way_and_lets_words_count_when_told_both():
    """An example embedding a million times the words' drowns them in the plain mean; with
    unit_parts each part is scaled to unit RMS first, which changes nothing told one way (the
    fusing LayerNorm is scale-invariant, up to its eps) and gives the words a say told both ways."""
    model = _trained_like()
    q, p_in, p_out = (torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(i)) for i in range(3))
    with torch.no_grad():
        model.example_encoder.head[-1].weight.mul_(1e6)  # as trained: the example's norm dwarfs the words'
        model.example_encoder.head[-1].bias.mul_(1e6)
        e = model.example_encoder(p_in, p_out)
        t = model.text_encoder(_words(2, 1).pooled)
        assert e.norm() > 1e3 * t.norm()
        ways = {
            "ex": ConditionTensors((p_in, p_out)),
            "w": ConditionTensors(text=_words(2, 1)),
            "both": ConditionTensors((p_in, p_out), text=_words(2, 1)),
        }
        plain = {k: model(q, c) for k, c in ways.items()}
        model.config.unit_parts = True
        unit = {k: model(q, c) for k, c in ways.items()}
    assert (plain["both"] - plain["ex"]).abs().max() < 1e-4  # the bug: both is the example
    for k in ("ex", "w"):  # the same up to the LayerNorm's eps (words: small vectors, so ~1e-4)
        assert torch.allclose(unit[k], plain[k], atol=1e-3), k
    assert (unit["both"] - unit["ex"]).abs().max() > 1e-3 and (unit["both"] - unit["w"]).abs().max() > 1e-3


def test_a_sample_without_words_or_example_is_told_by_what_it_has():
    """Condition dropout in one batch: sample 0 has both, sample 1 only its example, sample 2
    only words; each is what it would be alone."""
    model = _trained_like()
    g = torch.Generator().manual_seed(3)
    p_in, p_out = torch.rand(3, 3, 32, 32, generator=g), torch.rand(3, 3, 32, 32, generator=g)
    words = _words(3, 4, present=[True, False, True])
    mixed = model.encode_condition(ConditionTensors((p_in, p_out), torch.tensor([True, True, False]), words)).vector
    alone_example = model.encode_condition(ConditionTensors((p_in[1:2], p_out[1:2]))).vector
    alone_words = model.encode_condition(
        ConditionTensors(text=EncodedText(words.tokens[2:], words.mask[2:], words.pooled[2:]))
    ).vector
    assert torch.allclose(mixed[1], alone_example[0], atol=1e-5)
    assert torch.allclose(mixed[2], alone_words[0], atol=1e-5)
    with pytest.raises(ConditionError, match=r"sample\(s\) \[1\] of the batch have neither"):
        model.encode_condition(ConditionTensors((p_in, p_out), torch.tensor([True, False, True]), words))


def test_an_example_only_model_refuses_words_and_sizes_are_checked():
    model = CondNAFNet(CondNAFNetConfig(width=8, enc_blocks=[1], dec_blocks=[1], middle_blocks=1, text_dim=0))
    assert model.config.modes == ("example",)
    with pytest.raises(ConditionError, match="reads no instructions"):
        model.encode_condition(ConditionTensors(text=_words(1, 0)))
    with pytest.raises(ValueError, match="multiples of 2"):
        model(torch.rand(1, 3, 33, 32), Condition(prompt=(torch.rand(1, 3, 8, 8),) * 2))
    with pytest.raises(ValueError, match="one entry per level"):
        CondNAFNetConfig(enc_blocks=[1, 1], dec_blocks=[1])


def test_one_encoded_condition_serves_every_tile():
    model = _trained_like()
    prompt = (torch.rand(1, 3, 48, 48), torch.rand(1, 3, 48, 48))
    queries = torch.rand(3, 3, 32, 32)
    with torch.no_grad():
        encoded = model.encode_condition(ConditionTensors(prompt))
        together = model(queries, encoded=encoded)
        one_by_one = torch.cat([model(q[None], Condition(prompt=prompt)) for q in queries])
    torch.testing.assert_close(together, one_by_one, atol=1e-5, rtol=1e-5)


def test_saved_folder_round_trip_and_pipeline(tmp_path):
    model = _trained_like()
    folder = save_pretrained(model, tmp_path / "naf")
    loaded = from_pretrained(folder)
    assert isinstance(loaded, CondNAFNet) and loaded.config == model.config
    for k, v in model.state_dict().items():
        assert torch.equal(v, loaded.state_dict()[k]), k
    pipe = GenLVPipeline(loaded, device="cpu", precision="fp32", tile=32, overlap=8)
    rng = np.random.default_rng(0)
    photo, p_in, p_out = (rng.random((40, 56, 3)).astype(np.float32) for _ in range(3))
    tiled = pipe(photo, prompt=(p_in, p_out)).array
    whole = pipe(photo, prompt=(p_in, p_out), tile=None).array
    assert tiled.shape == (40, 56, 3) and whole.shape == (40, 56, 3)
    assert np.abs(tiled - whole).mean() < 0.02  # tiles blend where the whole image sees more context


def test_counted_macs_grow_with_the_image():
    config = create_model("naf-small").config
    small, large = count(config, 64, 64), count(config, 128, 128)
    assert small.params_plain == 2_360_275
    # the example encoder runs on the prompt pair, the U-Net on the query: both scale with pixels
    assert 3.9 < large.macs_thop / small.macs_thop < 4.1


def test_fine_tuning_policies_name_this_networks_parts():
    from pixtask.training.policy import apply_freeze

    model = create_model("naf-tiny")
    apply_freeze(model, "prompt-encoder")
    trained = {n.split(".")[0] for n, p in model.named_parameters() if p.requires_grad}
    assert trained == {"example_encoder", "text_encoder", "fuse"}
    apply_freeze(model, "backbone")
    frozen = {n.split(".")[0] for n, p in model.named_parameters() if not p.requires_grad}
    assert frozen == {"example_encoder", "text_encoder", "fuse"}
    apply_freeze(model, "words")  # the words' reading alone: told by example, nothing can move
    trained = {n.split(".")[0] for n, p in model.named_parameters() if p.requires_grad}
    assert trained == {"text_encoder"}
    apply_freeze(model, "example")  # the example's reading alone: told in words, nothing can move
    trained = {n.split(".")[0] for n, p in model.named_parameters() if p.requires_grad}
    assert trained == {"example_encoder"}


def test_the_alignment_term_pulls_only_the_words_towards_the_examples_vector():
    """On samples told both ways: the words' fused vector against the example's, over the
    example's squared length; the example's side gets no gradient, and a few steps on the term
    alone bring the words' vector to the example's."""
    model = _trained_like(3).train()
    p_in, p_out = (torch.rand(3, 3, 32, 32, generator=torch.Generator().manual_seed(i)) for i in range(2))
    words = _words(3, 5, present=[True, True, False])
    told = torch.tensor([True, False, True])
    no_both = _words(3, 5, present=[False, True, False])
    assert model.alignment_loss(ConditionTensors((p_in, p_out), told, no_both)) is None
    assert model.alignment_loss(ConditionTensors(text=words)) is None
    term = model.alignment_loss(ConditionTensors((p_in, p_out), told, words))  # sample 0 alone has both
    with torch.no_grad():
        example = model.encode_condition(ConditionTensors((p_in[:1], p_out[:1]))).vector
        first = EncodedText(words.tokens[:1], words.mask[:1], words.pooled[:1])
        said = model.encode_condition(ConditionTensors(text=first)).vector
    assert term.item() == pytest.approx(((said - example).pow(2).sum() / example.pow(2).sum()).item(), rel=1e-5)
    term.backward()
    assert model.text_encoder[0].weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.example_encoder.parameters())
    optimizer = torch.optim.Adam(model.text_encoder.parameters(), lr=1e-2)
    for _ in range(200):
        optimizer.zero_grad()
        loss = model.alignment_loss(ConditionTensors((p_in, p_out), told, words))
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.05 * term.item()
