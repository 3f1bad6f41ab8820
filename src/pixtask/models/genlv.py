"""GenLV: a visual-prompt low-level vision generalist (Chen et al., "Exploring Scalable Unified
Modeling for General Low-Level Vision").

An X-Restormer U-Net predicts the query's target directly (no global residual). Its
bottleneck holds only prompt cross-attention blocks (PCAB): image tokens attend to themselves,
then to the prompt pair, with keys from the prompt input and values from the prompt target,
both encoded by one shared :class:`~pixtask.models.prompt_encoder.PromptEncoder`.

Images are RGB in [0, 1], any size (padded to a multiple of 32 by the pipeline). Layout and
sizes follow shared/reference/genlv-architecture.md; parameter names follow the official
checkpoints so that :mod:`pixtask.models.official` only renames a prefix and swaps BGR.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from pixtask.models.layers import (
    ChannelAttention,
    ChannelLayerNorm,
    Downsample,
    GatedDconvFeedForward,
    OverlappingWindowAttention,
    TokenAttention,
    Upsample,
)
from pixtask.models.prompt_encoder import PromptEncoder


@dataclass
class GenLVConfig:
    """Every size and choice of a GenLV network; saved as config.json beside the weights."""

    dim: int = 48  # channels at full resolution; levels use dim, 2dim, 4dim, 8dim
    num_blocks: list[int] = field(default_factory=lambda: [2, 4, 4, 4])  # levels 1-3; PCABs at the bottleneck
    num_refinement: int = 4
    heads: list[int] = field(default_factory=lambda: [1, 2, 4, 8])  # fixed in every official variant
    prompt_nf: int = 64  # prompt-encoder width: 64 in the paper's Table I, 32 in the GenLV-101 code
    window: int = 8
    overlap: float = 0.5
    ocab_head_dim: int = 16
    ffn_factor: float = 2.66
    use_prompt: bool = True  # False: the paper's no-prompt X-Restormer baseline at the bottleneck
    # True adds the query to the output (x + f(x)) and zero-inits the output conv, so training
    # starts from the identity; official GenLV is "wores" (False), which suits cross-domain tasks.
    global_residual: bool = False

    def __post_init__(self) -> None:
        if len(self.num_blocks) != 4 or len(self.heads) != 4:
            raise ValueError("num_blocks and heads need four entries (levels 1-3 and the bottleneck)")
        if any(n < 1 for n in self.num_blocks) or self.num_refinement < 0:
            raise ValueError(f"block counts must be positive: {self.num_blocks}, refinement {self.num_refinement}")
        if self.dim < 1 or self.dim % self.heads[0] or (8 * self.dim) % self.heads[3]:
            raise ValueError(f"dim {self.dim} must be divisible by the head counts {self.heads}")
        if self.window < 1 or not 0 <= self.overlap < 1 or self.prompt_nf < 1:
            raise ValueError("window, overlap and prompt_nf are out of range")

    @property
    def size_multiple(self) -> int:
        """Input height and width must be multiples of this (8x8 windows at 1/4 resolution)."""
        return 4 * self.window


class TransformerBlock(nn.Module):
    """TSAB + SSAB: channel attention, FFN, overlapping window attention, FFN; all pre-norm."""

    def __init__(self, channels: int, heads: int, cfg: GenLVConfig) -> None:
        super().__init__()
        self.norm1, self.norm2, self.norm3, self.norm4 = (ChannelLayerNorm(channels) for _ in range(4))
        self.channel_attn = ChannelAttention(channels, heads)
        self.channel_ffn = GatedDconvFeedForward(channels, cfg.ffn_factor)
        self.spatial_attn = OverlappingWindowAttention(channels, heads, cfg.window, cfg.overlap, cfg.ocab_head_dim)
        self.spatial_ffn = GatedDconvFeedForward(channels, cfg.ffn_factor)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.channel_attn(self.norm1(x))
        x = x + self.channel_ffn(self.norm2(x))
        x = x + self.spatial_attn(self.norm3(x))
        return x + self.spatial_ffn(self.norm4(x))


class PromptCrossAttentionBlock(nn.Module):
    """PCAB (bottleneck): channel attention and FFN on the map, then global token
    self-attention and prompt cross-attention, a post-norm, and an FFN without pre-norm.
    With ``use_prompt=False`` the cross-attention and its norm are absent (the baseline)."""

    def __init__(self, channels: int, heads: int, cfg: GenLVConfig) -> None:
        super().__init__()
        self.norm1, self.norm2 = ChannelLayerNorm(channels), ChannelLayerNorm(channels)
        self.channel_attn = ChannelAttention(channels, heads)
        self.channel_ffn = GatedDconvFeedForward(channels, cfg.ffn_factor)
        self.norm3 = nn.LayerNorm(channels)
        self.spatial_attn = TokenAttention(channels, heads)
        if cfg.use_prompt:
            self.norm4 = nn.LayerNorm(channels)
            self.cross_attn = TokenAttention(channels, heads)
        self.norm5 = nn.LayerNorm(channels)
        self.spatial_ffn = GatedDconvFeedForward(channels, cfg.ffn_factor)

    def forward(self, x: torch.Tensor, prompt_in: torch.Tensor | None, prompt_out: torch.Tensor | None):
        x = x + self.channel_attn(self.norm1(x))
        x = x + self.channel_ffn(self.norm2(x))
        b, c, h, w = x.shape
        t = x.flatten(2).transpose(1, 2)  # (B, HW, C) tokens
        t = t + self.spatial_attn(self.norm3(t))
        if prompt_in is not None:
            t = t + self.cross_attn(self.norm4(t), prompt_in, prompt_out)
        t = self.norm5(t)  # post-norm, not residual
        x = t.transpose(1, 2).reshape(b, c, h, w)
        return x + self.spatial_ffn(x)


def _level(channels: int, heads: int, n: int, cfg: GenLVConfig) -> nn.Sequential:
    return nn.Sequential(*[TransformerBlock(channels, heads, cfg) for _ in range(n)])


class GenLV(nn.Module):
    """``model(query, prompt_in, prompt_out) -> prediction`` on (B, 3, H, W) RGB in [0, 1].

    H and W must be multiples of ``config.size_multiple`` (32 by default); prompts may have a
    different size (also a multiple of 32). The model computes no loss.
    """

    def __init__(self, config: GenLVConfig | None = None) -> None:
        super().__init__()
        self.config = cfg = config or GenLVConfig()
        d, nb, hd = cfg.dim, cfg.num_blocks, cfg.heads
        if cfg.use_prompt:
            self.prompt_encoder = PromptEncoder(cfg.prompt_nf, 8 * d)
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(3, d, 3, padding=1, bias=False)
        self.encoder_level1 = _level(d, hd[0], nb[0], cfg)
        self.down1_2 = Downsample(d)
        self.encoder_level2 = _level(2 * d, hd[1], nb[1], cfg)
        self.down2_3 = Downsample(2 * d)
        self.encoder_level3 = _level(4 * d, hd[2], nb[2], cfg)
        self.down3_4 = Downsample(4 * d)
        self.latent_blocks = nn.ModuleList([PromptCrossAttentionBlock(8 * d, hd[3], cfg) for _ in range(nb[3])])
        self.up4_3 = Upsample(8 * d)
        self.reduce_chan_level3 = nn.Conv2d(8 * d, 4 * d, 1, bias=False)
        self.decoder_level3 = _level(4 * d, hd[2], nb[2], cfg)
        self.up3_2 = Upsample(4 * d)
        self.reduce_chan_level2 = nn.Conv2d(4 * d, 2 * d, 1, bias=False)
        self.decoder_level2 = _level(2 * d, hd[1], nb[1], cfg)
        self.up2_1 = Upsample(2 * d)
        self.decoder_level1 = _level(2 * d, hd[0], nb[0], cfg)
        self.refinement = _level(2 * d, hd[0], cfg.num_refinement, cfg)
        self.output = nn.Conv2d(2 * d, 3, 3, padding=1, bias=False)
        if cfg.global_residual:
            nn.init.zeros_(self.output.weight)  # start as the identity map

    def encode_prompt(self, prompt_in: torch.Tensor, prompt_out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Both prompt images through the shared encoder in one batch (same result as two calls)."""
        tokens = self.prompt_encoder(torch.cat([prompt_in, prompt_out], dim=0))
        return tokens.chunk(2, dim=0)

    def forward(
        self,
        query: torch.Tensor,
        prompt_in: torch.Tensor | None = None,
        prompt_out: torch.Tensor | None = None,
        *,
        prompt_tokens: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """Predict the query's target. Give the prompt pair as images, or as the tokens of
        :meth:`encode_prompt` (tiled inference encodes the prompt once for all tiles)."""
        m = self.config.size_multiple
        if query.ndim != 4 or query.shape[1] != 3 or query.shape[-2] % m or query.shape[-1] % m:
            raise ValueError(f"query must be (B, 3, H, W) with H, W multiples of {m}; got {tuple(query.shape)}")
        keys = values = None
        if self.config.use_prompt:
            if prompt_tokens is None:
                if prompt_in is None or prompt_out is None:
                    raise ValueError("this GenLV model needs a prompt pair (prompt_in, prompt_out)")
                if prompt_in.shape != prompt_out.shape:
                    raise ValueError(
                        f"prompt images differ in shape: {tuple(prompt_in.shape)} vs {tuple(prompt_out.shape)}"
                    )
                if prompt_in.shape[-2] % m or prompt_in.shape[-1] % m:
                    raise ValueError(f"prompt height and width must be multiples of {m}; got {tuple(prompt_in.shape)}")
                prompt_tokens = self.encode_prompt(prompt_in, prompt_out)
            keys, values = prompt_tokens
            if keys.shape[0] != query.shape[0]:
                keys, values = keys.expand(query.shape[0], -1, -1), values.expand(query.shape[0], -1, -1)
        e1 = self.encoder_level1(self.patch_embed.proj(query))
        e2 = self.encoder_level2(self.down1_2(e1))
        e3 = self.encoder_level3(self.down2_3(e2))
        z = self.down3_4(e3)
        for block in self.latent_blocks:
            z = block(z, keys, values)
        d3 = self.decoder_level3(self.reduce_chan_level3(torch.cat([self.up4_3(z), e3], 1)))
        d2 = self.decoder_level2(self.reduce_chan_level2(torch.cat([self.up3_2(d3), e2], 1)))
        d1 = self.decoder_level1(torch.cat([self.up2_1(d2), e1], 1))
        out = self.output(self.refinement(d1))
        return out + query if self.config.global_residual else out
