"""A decoder-only transformer in the Chameleon / Lumina-mGPT style, small enough for a CPU.

Pre-RMSNorm blocks with rotary positions, QK-norm (a LayerNorm without bias on each head's
queries and keys, which Chameleon added to keep mixed text/image training stable), SwiGLU and
no biases anywhere; the head is untied from the embedding. ``swin_norm`` moves the norms after
the attention and MLP outputs, before the residual add (Chameleon-7B's choice).

:class:`KVCache` keeps each layer's keys and values, so generation feeds one token per step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class TransformerConfig:
    vocab_size: int
    dim: int = 256
    layers: int = 6
    heads: int = 8
    ffn_hidden: int = 0  # 0: 8/3 * dim rounded up to a multiple of 32 (SwiGLU at the FLOPs of a 4x MLP)
    max_seq_len: int = 256
    rope_theta: float = 10000.0
    qk_norm: bool = True
    swin_norm: bool = False
    dropout: float = 0.0
    norm_eps: float = 1e-5

    def __post_init__(self) -> None:
        if self.dim % self.heads or (self.dim // self.heads) % 2:
            raise ValueError(f"dim {self.dim} must split into {self.heads} heads of an even width")
        if self.vocab_size < 1 or self.layers < 1 or self.max_seq_len < 2:
            raise ValueError("vocab_size and layers must be positive and max_seq_len at least 2")

    @property
    def hidden(self) -> int:
        return self.ffn_hidden or 32 * math.ceil(8 * self.dim / 3 / 32)


class KVCache:
    """Keys and values of every layer for positions 0..length-1, preallocated to ``max_len``."""

    def __init__(self, cfg: TransformerConfig, batch: int, device, dtype, max_len: int | None = None) -> None:
        n = max_len or cfg.max_seq_len
        hd = cfg.dim // cfg.heads
        self.k = [torch.zeros(batch, cfg.heads, n, hd, device=device, dtype=dtype) for _ in range(cfg.layers)]
        self.v = [torch.zeros_like(k) for k in self.k]
        self.length = 0


def rope_tables(cfg: TransformerConfig, device=None) -> tuple[torch.Tensor, torch.Tensor]:
    hd = cfg.dim // cfg.heads
    inv = 1.0 / cfg.rope_theta ** (torch.arange(0, hd, 2, device=device, dtype=torch.float32) / hd)
    angles = torch.outer(torch.arange(cfg.max_seq_len, device=device, dtype=torch.float32), inv)
    return angles.cos(), angles.sin()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate pairs (x[..., :d/2], x[..., d/2:]) of (B, H, T, D) by the positions' angles."""
    a, b = x.float().chunk(2, dim=-1)
    cos, sin = cos[None, None], sin[None, None]
    return torch.cat([a * cos - b * sin, a * sin + b * cos], dim=-1).to(x.dtype)


class Attention(nn.Module):
    def __init__(self, cfg: TransformerConfig) -> None:
        super().__init__()
        self.heads, self.hd = cfg.heads, cfg.dim // cfg.heads
        self.qkv = nn.Linear(cfg.dim, 3 * cfg.dim, bias=False)
        self.out = nn.Linear(cfg.dim, cfg.dim, bias=False)
        self.q_norm = nn.LayerNorm(self.hd, eps=cfg.norm_eps, bias=False) if cfg.qk_norm else nn.Identity()
        self.k_norm = nn.LayerNorm(self.hd, eps=cfg.norm_eps, bias=False) if cfg.qk_norm else nn.Identity()
        self.dropout = cfg.dropout

    def forward(self, x, cos, sin, cache: KVCache | None, layer: int) -> torch.Tensor:
        b, t, _ = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, self.hd).permute(2, 0, 3, 1, 4)
        q, k = apply_rope(self.q_norm(q), cos, sin), apply_rope(self.k_norm(k), cos, sin)
        start = 0
        if cache is not None:
            start = cache.length
            cache.k[layer][:, :, start : start + t] = k
            cache.v[layer][:, :, start : start + t] = v
            k, v = cache.k[layer][:, :, : start + t], cache.v[layer][:, :, : start + t]
        if start == 0:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=self.dropout if self.training else 0)
        else:  # new queries see every cached position and the new ones up to themselves
            mask = torch.ones(t, start + t, dtype=torch.bool, device=x.device).tril(start)
            y = F.scaled_dot_product_attention(q, k.to(q.dtype), v.to(q.dtype), attn_mask=mask)
        return self.out(y.transpose(1, 2).reshape(b, t, -1))


class SwiGLU(nn.Module):
    def __init__(self, cfg: TransformerConfig) -> None:
        super().__init__()
        self.gate_up = nn.Linear(cfg.dim, 2 * cfg.hidden, bias=False)
        self.down = nn.Linear(cfg.hidden, cfg.dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate, up = self.gate_up(x).chunk(2, dim=-1)
        return self.down(F.silu(gate) * up)


class Block(nn.Module):
    def __init__(self, cfg: TransformerConfig) -> None:
        super().__init__()
        self.swin_norm = cfg.swin_norm
        self.attn_norm = nn.RMSNorm(cfg.dim, eps=cfg.norm_eps)
        self.mlp_norm = nn.RMSNorm(cfg.dim, eps=cfg.norm_eps)
        self.attn = Attention(cfg)
        self.mlp = SwiGLU(cfg)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, cos, sin, cache: KVCache | None, layer: int) -> torch.Tensor:
        if self.swin_norm:  # normalise each branch's output before the residual add
            x = x + self.drop(self.attn_norm(self.attn(x, cos, sin, cache, layer)))
            return x + self.drop(self.mlp_norm(self.mlp(x)))
        x = x + self.drop(self.attn(self.attn_norm(x), cos, sin, cache, layer))
        return x + self.drop(self.mlp(self.mlp_norm(x)))


class TokenTransformer(nn.Module):
    """Token ids (B, T) -> next-token logits (B, T, vocab)."""

    def __init__(self, cfg: TransformerConfig) -> None:
        super().__init__()
        self.config = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.layers))
        self.norm = nn.RMSNorm(cfg.dim, eps=cfg.norm_eps)
        self.head = nn.Linear(cfg.dim, cfg.vocab_size, bias=False)
        cos, sin = rope_tables(cfg)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)
        self.apply(self._init)
        for name, p in self.named_parameters():  # GPT-2's scaled init of the residual projections
            if name.endswith(("out.weight", "down.weight")):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * cfg.layers))

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, nn.Linear | nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def forward(self, tokens: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        t = tokens.shape[1]
        start = cache.length if cache is not None else 0
        if start + t > self.config.max_seq_len:
            raise ValueError(f"{start + t} tokens exceed max_seq_len {self.config.max_seq_len}")
        cos, sin = self.rope_cos[start : start + t], self.rope_sin[start : start + t]
        x = self.embed(tokens)
        for i, block in enumerate(self.blocks):
            x = block(x, cos, sin, cache, i)
        if cache is not None:
            cache.length += t
        return self.head(self.norm(x))

    def non_embedding_parameters(self) -> int:
        return sum(p.numel() for n, p in self.named_parameters() if not n.startswith(("embed", "head")))
