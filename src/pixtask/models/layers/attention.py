"""The three attentions of GenLV.

* :class:`ChannelAttention` (MDTA, Restormer): attention across channels, linear in pixels.
* :class:`OverlappingWindowAttention` (OCAB, X-Restormer): 8x8 query windows attend to
  overlapping 12x12 key/value windows, with HaloNet-style relative-position logits.
* :class:`TokenAttention`: plain multi-head attention over tokens, used for self-attention
  and for prompt cross-attention in the bottleneck.

All windows and heads are batched tensor operations. At large inputs the work is split into
chunks of at most :data:`MAX_SCORES` attention scores (rows of queries or groups of windows;
softmax is per row, so the result is the same), so no backend materialises a full attention
matrix: genlv-base at 1024x1024 has 16,384 bottleneck tokens, an 8.6 GB fp32 score matrix per
attention if a kernel falls back to the plain math path.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

MAX_SCORES = 2**27  # attention scores one chunk may hold (512 MiB in fp32)


def chunked_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, key_mask: torch.Tensor | None = None
) -> torch.Tensor:
    """``scaled_dot_product_attention`` on (B, heads, N, d), over chunks of query rows when the
    full score matrix would exceed :data:`MAX_SCORES`. ``key_mask`` (B, N_keys): True where a
    key may be attended to, or float log-weights added to the scores (-inf: not at all); each
    row needs at least one key."""
    b, h, n_q, _ = q.shape
    mask = None if key_mask is None else key_mask[:, None, None, :]
    if mask is not None and mask.is_floating_point():
        mask = mask.to(q.dtype)
    rows = max(1, MAX_SCORES // (b * h * k.shape[2]))
    if rows >= n_q:
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    chunks = [F.scaled_dot_product_attention(q[:, :, i : i + rows], k, v, attn_mask=mask) for i in range(0, n_q, rows)]
    return torch.cat(chunks, 2)


class ChannelAttention(nn.Module):
    """Transposed self-attention: a (C/h x C/h) map per head, from L2-normalised q and k."""

    def __init__(self, channels: int, heads: int, bias: bool = False) -> None:
        super().__init__()
        self.heads = heads
        self.temperature = nn.Parameter(torch.ones(heads, 1, 1))
        self.qkv = nn.Conv2d(channels, channels * 3, 1, bias=bias)
        self.qkv_dwconv = nn.Conv2d(channels * 3, channels * 3, 3, padding=1, groups=channels * 3, bias=bias)
        self.project_out = nn.Conv2d(channels, channels, 1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        q, k, v = self.qkv_dwconv(self.qkv(x)).chunk(3, dim=1)
        q, k, v = (t.reshape(b, self.heads, c // self.heads, h * w) for t in (q, k, v))  # (B, nh, C/nh, HW)
        q = F.normalize(q, dim=-1)
        k = F.normalize(k, dim=-1)
        attn = (q @ k.transpose(-2, -1)) * self.temperature  # (B, nh, C/nh, C/nh)
        out = attn.softmax(dim=-1) @ v
        return self.project_out(out.reshape(b, c, h, w))


class RelativePositionLogits(nn.Module):
    """HaloNet relative-position logits for ``block`` x ``block`` queries against
    ``size`` x ``size`` keys: q . (rel_height[i - x + size - 1] + rel_width[j - y + size - 1])
    for query (x, y) and key (i, j), both in window coordinates.

    The height term depends only on (x, i) and the width term only on (y, j). Each table is
    first gathered into a (block, size, d) grid of embeddings (a few KB), and the queries are
    multiplied with it: the same sums as gathering from the (N, block, block, 2 size - 1) logits,
    but the backward pass is a matmul instead of a scatter into a large tensor (the step's
    costliest indexing on CPU; docs/training_speed.md).
    """

    def __init__(self, block: int, size: int, head_dim: int) -> None:
        super().__init__()
        scale = head_dim**-0.5
        self.block, self.size = block, size
        self.rel_height = nn.Parameter(torch.randn(2 * size - 1, head_dim) * scale)
        self.rel_width = nn.Parameter(torch.randn(2 * size - 1, head_dim) * scale)
        offset = torch.arange(size).reshape(1, -1) - torch.arange(block).reshape(-1, 1) + size - 1  # (block, size)
        self.register_buffer("offset", offset, persistent=False)

    def forward(self, q: torch.Tensor) -> torch.Tensor:
        """(N, block^2, d) scaled queries -> (N, block^2, size^2) additive logits."""
        n, b, s = q.shape[0], self.block, self.size
        q = q.reshape(n, b, b, -1)  # (N, x, y, d)
        h = torch.einsum("nxyd,xid->nxyi", q, self.rel_height[self.offset].to(q.dtype))
        w = torch.einsum("nxyd,yjd->nxyj", q, self.rel_width[self.offset].to(q.dtype))
        return (h[..., :, None] + w[..., None, :]).reshape(n, b * b, s * s)


class OverlappingWindowAttention(nn.Module):
    """Overlapping cross-window attention (OCAB) on (B, C, H, W); H and W multiples of ``window``.

    Queries come from non-overlapping ``window``-sized windows, keys and values from windows
    enlarged by ``int(window * overlap)`` (zero-padded at the border). The attention width is
    ``head_dim * heads``, independent of C.
    """

    def __init__(
        self, channels: int, heads: int, window: int = 8, overlap: float = 0.5, head_dim: int = 16, bias: bool = False
    ) -> None:
        super().__init__()
        self.heads, self.window, self.head_dim = heads, window, head_dim
        self.key_window = window + int(window * overlap)
        self.inner = head_dim * heads
        self.qkv = nn.Conv2d(channels, self.inner * 3, 1, bias=bias)
        self.project_out = nn.Conv2d(self.inner, channels, 1, bias=bias)
        self.rel_pos_emb = RelativePositionLogits(window, self.key_window, head_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, _, h, w = x.shape
        ws, kw, nh, d = self.window, self.key_window, self.heads, self.head_dim
        gh, gw = h // ws, w // ws
        q, k, v = self.qkv(x).chunk(3, dim=1)  # each (B, nh*d, H, W)
        # queries: (B*gh*gw*nh, ws*ws, d), windows in raster order, heads innermost
        q = q.reshape(b, nh, d, gh, ws, gw, ws).permute(0, 3, 5, 1, 4, 6, 2).reshape(-1, ws * ws, d)
        pad = (kw - ws) // 2

        def key_windows(t: torch.Tensor) -> torch.Tensor:
            t = F.pad(t, (pad, pad, pad, pad)).unfold(2, kw, ws).unfold(3, kw, ws)  # (B, nh*d, gh, gw, kw, kw)
            t = t.reshape(b, nh, d, gh, gw, kw * kw)
            return t.permute(0, 3, 4, 1, 5, 2).reshape(-1, kw * kw, d)  # (B*gh*gw*nh, kw*kw, d)

        k, v = key_windows(k), key_windows(v)
        q = q * d**-0.5
        windows = max(1, MAX_SCORES // (ws * ws * kw * kw))
        if windows >= q.shape[0]:
            out = self._attend(q, k, v)
        else:
            out = torch.cat([self._attend(*(t[i : i + windows] for t in (q, k, v))) for i in range(0, len(q), windows)])
        out = out.reshape(b, gh, gw, nh, ws, ws, d).permute(0, 3, 6, 1, 4, 2, 5).reshape(b, nh * d, h, w)
        return self.project_out(out)

    def _attend(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Windowed attention of (N, ws^2, d) scaled queries to (N, kw^2, d) keys and values."""
        bias = self.rel_pos_emb(q)  # computed from the scaled query, as the official model does
        attn = torch.baddbmm(bias.to(q.dtype), q, k.transpose(1, 2)).softmax(dim=-1)  # (N, ws^2, kw^2)
        return attn @ v


class TokenAttention(nn.Module):
    """Multi-head attention over (B, N, D) tokens; keys and values may come from other tokens
    (prompt cross-attention: queries from the image, keys from the prompt input, values from
    the prompt target). No positional encoding."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(dim, dim, bias=False)
        self.to_v = nn.Linear(dim, dim, bias=False)
        self.to_out = nn.Sequential(nn.Linear(dim, dim), nn.Dropout(0.0))

    def forward(
        self,
        x: torch.Tensor,
        keys: torch.Tensor | None = None,
        values: torch.Tensor | None = None,
        key_mask: torch.Tensor | None = None,
    ):
        keys = x if keys is None else keys
        values = keys if values is None else values

        def split(t: torch.Tensor) -> torch.Tensor:  # (B, N, D) -> (B, heads, N, D/heads)
            return t.reshape(t.shape[0], t.shape[1], self.heads, -1).transpose(1, 2)

        out = chunked_attention(split(self.to_q(x)), split(self.to_k(keys)), split(self.to_v(values)), key_mask)
        return self.to_out(out.transpose(1, 2).reshape(x.shape))
