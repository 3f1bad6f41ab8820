"""Layers against direct, loop-based formulas (slow but obviously right)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from pixtask.models.layers import ChannelLayerNorm, TokenAttention
from pixtask.models.layers.attention import OverlappingWindowAttention, RelativePositionLogits


def test_channel_layer_norm_formula():
    torch.manual_seed(0)
    norm = ChannelLayerNorm(6)
    norm.body.weight.data.uniform_(0.5, 1.5)
    norm.body.bias.data.uniform_(-0.5, 0.5)
    x = torch.randn(2, 6, 5, 7)
    mu = x.mean(1, keepdim=True)
    var = x.var(1, keepdim=True, unbiased=False)
    expected = (x - mu) / torch.sqrt(var + 1e-5) * norm.body.weight[:, None, None] + norm.body.bias[:, None, None]
    torch.testing.assert_close(norm(x), expected, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(norm(x.contiguous(memory_format=torch.channels_last)), expected, atol=1e-5, rtol=1e-5)


def test_relative_position_logits_match_definition():
    torch.manual_seed(0)
    block, size, d = 4, 6, 3
    rel = RelativePositionLogits(block, size, d)
    q = torch.randn(2, block * block, d)
    out = rel(q)
    for n in range(2):
        for x in range(block):
            for y in range(block):
                for i in range(size):
                    for j in range(size):
                        e = rel.rel_height[i - x + size - 1] + rel.rel_width[j - y + size - 1]
                        assert torch.allclose(out[n, x * block + y, i * size + j], q[n, x * block + y] @ e, atol=1e-5)


def test_window_attention_matches_direct_computation():
    """One head, window 4, overlap 0.5: every query pixel attends to its 6x6 zero-padded
    neighbourhood window, with relative logits from the scaled query."""
    torch.manual_seed(0)
    attn = OverlappingWindowAttention(channels=5, heads=1, window=4, overlap=0.5, head_dim=3)
    x = torch.randn(1, 5, 8, 8)
    q, k, v = attn.qkv(x).chunk(3, dim=1)
    kp, vp = (torch.nn.functional.pad(t, (1, 1, 1, 1)) for t in (k, v))
    out = torch.zeros(1, 3, 8, 8)
    for wy in range(2):
        for wx in range(2):
            keys = kp[0, :, wy * 4 : wy * 4 + 6, wx * 4 : wx * 4 + 6].reshape(3, -1).t()
            vals = vp[0, :, wy * 4 : wy * 4 + 6, wx * 4 : wx * 4 + 6].reshape(3, -1).t()
            for py in range(4):
                for px in range(4):
                    qv = q[0, :, wy * 4 + py, wx * 4 + px] * 3**-0.5
                    logits = keys @ qv
                    for i in range(6):
                        for j in range(6):
                            e = attn.rel_pos_emb.rel_height[i - py + 5] + attn.rel_pos_emb.rel_width[j - px + 5]
                            logits[i * 6 + j] += qv @ e
                    out[0, :, wy * 4 + py, wx * 4 + px] = logits.softmax(0) @ vals
    torch.testing.assert_close(attn(x), attn.project_out(out), atol=1e-5, rtol=1e-4)


def test_token_attention_cross_uses_prompt_keys_and_values():
    torch.manual_seed(0)
    att = TokenAttention(8, heads=2)
    x, k, v = torch.randn(1, 5, 8), torch.randn(1, 3, 8), torch.randn(1, 3, 8)
    q, kk, vv = att.to_q(x), att.to_k(k), att.to_v(v)
    heads = []
    for h in range(2):
        s = slice(4 * h, 4 * h + 4)
        heads.append((q[0, :, s] @ kk[0, :, s].t() / 2.0).softmax(-1) @ vv[0, :, s])
    expected = att.to_out(torch.cat(heads, dim=-1)[None])
    torch.testing.assert_close(att(x, k, v), expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("layer", ["token", "window"])
def test_chunked_attention_equals_one_pass(layer, monkeypatch):
    """Large inputs are split into chunks of scores; the output must not change."""
    import pixtask.models.layers.attention as attention

    torch.manual_seed(0)
    if layer == "token":
        module, x = attention.TokenAttention(32, 4), torch.rand(2, 100, 32)
    else:
        module, x = attention.OverlappingWindowAttention(16, 2), torch.rand(1, 16, 32, 32)
    whole = module(x)
    calls = []
    original = F.scaled_dot_product_attention if layer == "token" else attention.OverlappingWindowAttention._attend

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    if layer == "token":
        monkeypatch.setattr(attention.F, "scaled_dot_product_attention", counted)
    else:
        monkeypatch.setattr(attention.OverlappingWindowAttention, "_attend", counted)
    monkeypatch.setattr(attention, "MAX_SCORES", 2 * 4 * 100 * 7 if layer == "token" else 64 * 144 * 5)
    chunked = module(x)
    assert len(calls) == (15 if layer == "token" else 7)  # 100 rows by 7; 32 windows (16 x 2 heads) by 5
    torch.testing.assert_close(chunked, whole, rtol=1e-5, atol=1e-6)
