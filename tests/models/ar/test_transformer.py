"""The AR transformer, its losses and constrained decoding with and without the KV cache."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from pixtask.models.ar.decoding import GenerationConfig, ImageBlockConstraint, generate_block
from pixtask.models.ar.sequence import EOT, IGNORE, TokenLayout
from pixtask.models.ar.transformer import KVCache, TokenTransformer, TransformerConfig
from pixtask.training.losses import next_token_loss

LAYOUT = TokenLayout(codebook_size=32, text_vocab_size=40, max_grid=8)


def small_lm(seed: int = 0, **overrides) -> TokenTransformer:
    torch.manual_seed(seed)
    cfg = TransformerConfig(vocab_size=LAYOUT.vocab_size, dim=32, layers=2, heads=4, max_seq_len=128, **overrides)
    return TokenTransformer(cfg).eval()


def test_no_biases_qk_norm_and_swin_norm_variant():
    lm = small_lm()
    assert not [n for n, _ in lm.named_parameters() if n.endswith("bias")]
    assert any("q_norm" in n for n, _ in lm.named_parameters())
    swin = small_lm(swin_norm=True)
    tokens = torch.randint(0, LAYOUT.vocab_size, (2, 10))
    assert not torch.allclose(swin(tokens), lm(tokens))  # same init, other norm placement


def test_causal_outputs_do_not_see_the_future():
    lm = small_lm()
    a = torch.randint(0, LAYOUT.vocab_size, (1, 12))
    b = a.clone()
    b[0, 8:] = (b[0, 8:] + 1) % LAYOUT.vocab_size
    torch.testing.assert_close(lm(a)[0, :8], lm(b)[0, :8])


def test_z_loss_is_taken_on_shifted_positions_by_hand():
    torch.manual_seed(1)
    logits = torch.randn(2, 5, 7) * 3
    labels = torch.tensor([[IGNORE, IGNORE, IGNORE, 4, 2], [IGNORE, IGNORE, 1, 6, IGNORE]])
    total, ce, z = next_token_loss(logits, labels, z_weight=0.5)
    # position t predicts label t+1: supervised (t, label) = (2,4), (3,2) and (1,1), (2,6)
    pairs = [(0, 2, 4), (0, 3, 2), (1, 1, 1), (1, 2, 6)]
    ce_hand = sum(-torch.log_softmax(logits[b, t], -1)[y] for b, t, y in pairs) / 4
    z_hand = sum(math.log(sum(math.exp(v) for v in logits[b, t].tolist())) ** 2 for b, t, _ in pairs) / 4
    assert ce.item() == pytest.approx(ce_hand.item(), rel=1e-5)
    assert z.item() == pytest.approx(z_hand, rel=1e-5)
    assert total.item() == pytest.approx(ce_hand.item() + 0.5 * z_hand, rel=1e-5)
    # the unshifted mask (the UVT off-by-one) would score other positions
    unshifted = sum(math.log(sum(math.exp(v) for v in logits[b, t + 1].tolist())) ** 2 for b, t, _ in pairs) / 4
    assert z.item() != pytest.approx(unshifted, rel=1e-3)


def test_loss_ignores_everything_but_the_output_block():
    lm = small_lm()
    a, b = np.zeros((2, 2), int), np.full((2, 2), 3)
    tokens, labels = LAYOUT.sequence(a, [1, 2, 3], b)
    x, y = torch.tensor([tokens]), torch.tensor([labels])
    logits = lm(x).detach().requires_grad_(True)
    next_token_loss(logits, y)[0].backward()
    first_supervised = len(LAYOUT.prompt(a, [1, 2, 3])) - 1  # the prompt's <eot> predicts <boi>
    grad_per_position = logits.grad[0].abs().sum(-1)
    assert torch.all(grad_per_position[:first_supervised] == 0)
    assert torch.all(grad_per_position[first_supervised:-1] > 0)
    assert grad_per_position[-1] == 0  # the last position predicts nothing


def test_kv_cache_logits_match_a_full_pass():
    lm = small_lm()
    tokens = torch.randint(0, LAYOUT.vocab_size, (1, 20))
    full = lm(tokens)
    cache = KVCache(lm.config, 1, "cpu", torch.float32)
    parts = [lm(tokens[:, :13], cache)] + [lm(tokens[:, i : i + 1], cache) for i in range(13, 17)]
    parts.append(lm(tokens[:, 17:], cache))  # several new tokens after a cached prefix
    torch.testing.assert_close(torch.cat(parts, 1), full, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "gen", [GenerationConfig(seed=3), GenerationConfig(temperature=0), GenerationConfig(cfg=2.5, seed=1)]
)
def test_cached_decoding_equals_uncached_token_for_token(gen):
    lm = small_lm()
    prompt = LAYOUT.prompt(np.arange(16).reshape(4, 4) % 32, [1, 5, 9])
    uncond = LAYOUT.prompt(np.arange(16).reshape(4, 4) % 32, [])
    cached = generate_block(lm, LAYOUT, prompt, (4, 4), gen, uncond)
    plain = generate_block(lm, LAYOUT, prompt, (4, 4), GenerationConfig(**{**gen.__dict__, "use_cache": False}), uncond)
    assert cached == plain
    assert len(set(cached)) > 6  # sampled codes, not one repeated token


class AdversarialLM(torch.nn.Module):
    """Puts all its mass on tokens that would break the block: text, <eot>, <row> everywhere."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.config = TransformerConfig(vocab_size=LAYOUT.vocab_size, dim=8, layers=1, heads=2, max_seq_len=256)
        self.embed = torch.nn.Embedding(1, 1)
        self.g = torch.Generator().manual_seed(seed)

    def forward(self, tokens, cache=None):
        logits = torch.randn(tokens.shape[0], tokens.shape[1], LAYOUT.vocab_size, generator=self.g)
        logits[..., LAYOUT.text_offset :] += 50
        logits[..., EOT] += 60
        if cache is not None:
            cache.length += tokens.shape[1]
        return logits


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("grid", [(1, 1), (3, 5), (8, 8)])
def test_constrained_decoding_always_yields_a_decodable_image(seed, grid):
    lm = AdversarialLM(seed)
    block = generate_block(lm, LAYOUT, LAYOUT.prompt(np.zeros((2, 2), int), []), grid, GenerationConfig(seed=seed))
    codes, end = LAYOUT.parse_image_block(block)
    assert codes.shape == grid and block[end:] == [EOT]
    assert codes.min() >= 0 and codes.max() < LAYOUT.codebook_size


def test_constraint_forces_structure_and_allows_only_codes_inside_rows():
    c = ImageBlockConstraint(LAYOUT, 2, 3)
    forced = [c.forced(i) for i in range(c.length)]
    assert forced[:3] == [3, LAYOUT.size_token(2), LAYOUT.size_token(3)]
    assert forced[3:] == [None, None, None, 5, None, None, None, 5, 4, EOT]
    allowed = c.mask(3)
    assert allowed.sum() == LAYOUT.codebook_size and allowed[LAYOUT.code_offset : LAYOUT.text_offset].all()


def test_guidance_zero_is_the_unconditional_prompt():
    lm = small_lm()
    codes = np.arange(9).reshape(3, 3)
    prompt, uncond = LAYOUT.prompt(codes, [4, 4]), LAYOUT.prompt(codes, [])
    mixed = generate_block(lm, LAYOUT, prompt, (3, 3), GenerationConfig(cfg=0, seed=2), uncond)
    plain = generate_block(lm, LAYOUT, uncond, (3, 3), GenerationConfig(seed=2))
    assert mixed == plain
    with pytest.raises(ValueError, match="needs the prompt without the instruction"):
        generate_block(lm, LAYOUT, prompt, (3, 3), GenerationConfig(cfg=2))


def test_too_long_a_generation_is_refused_before_it_starts():
    lm = small_lm()
    with pytest.raises(ValueError, match=r"need .* positions; the model has 128"):
        generate_block(lm, LAYOUT, LAYOUT.prompt(np.zeros((8, 8), int), []), (8, 8))
