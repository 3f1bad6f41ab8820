"""GenLV: a visual-prompt low-level vision generalist (Chen et al., "Exploring Scalable Unified
Modeling for General Low-Level Vision"), extended to read explanatory instructions.

An X-Restormer U-Net predicts the query's target directly (no global residual). Its
bottleneck holds only prompt cross-attention blocks (PCAB): image tokens attend to themselves,
then to the prompt pair, with keys from the prompt input and values from the prompt target,
both encoded by one shared :class:`~pixtask.models.prompt_encoder.PromptEncoder`.

With ``text_dim > 0`` the model also reads words: the instruction's MiniLM token embeddings,
projected to the bottleneck width, join the prompt tokens as keys and values of the same
cross-attention, so the prompt interaction reads examples and words alike; a key mask drops
whichever part a sample lacks. ``text_modulation`` adds InstructIR-style per-level channel
scaling from the pooled sentence embedding.

Images are RGB in [0, 1], any size (padded to a multiple of 32 by the pipeline). Layout and
sizes follow shared/reference/genlv-architecture.md; parameter names follow the official
checkpoints so that :mod:`pixtask.models.official` only renames a prefix and swaps BGR.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from pixtask.core.condition import MODES, Condition, ConditionError, Mode, check_accepted
from pixtask.models.condition_encoder import ConditionTensors
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
    text_dim: int = 0  # width of the instruction embeddings read (384: MiniLM); 0 reads no words
    text_tokens: bool = True  # False: one pooled-sentence token instead of the token sequence
    text_modulation: bool = False  # per-level channel scaling from the pooled embedding
    # Told both ways, the example's keys weigh together as much as this many tokens would (what
    # training at crop 64 gave: 64), whatever the example's size, so a 256-pixel example's 1,024
    # tokens do not drown the words' ~20. 0: no weighting. Told one way only it changes nothing.
    prompt_token_balance: int = 64

    def __post_init__(self) -> None:
        if len(self.num_blocks) != 4 or len(self.heads) != 4:
            raise ValueError("num_blocks and heads need four entries (levels 1-3 and the bottleneck)")
        if any(n < 1 for n in self.num_blocks) or self.num_refinement < 0:
            raise ValueError(f"block counts must be positive: {self.num_blocks}, refinement {self.num_refinement}")
        if self.dim < 1 or self.dim % self.heads[0] or (8 * self.dim) % self.heads[3]:
            raise ValueError(f"dim {self.dim} must be divisible by the head counts {self.heads}")
        if self.window < 1 or not 0 <= self.overlap < 1 or self.prompt_nf < 1:
            raise ValueError("window, overlap and prompt_nf are out of range")
        if self.text_dim < 0 or (self.text_dim and not self.use_prompt):
            raise ValueError("text_dim must be 0, or positive with use_prompt (words join the prompt attention)")
        if self.text_modulation and not self.text_dim:
            raise ValueError("text_modulation needs text_dim > 0")
        if self.prompt_token_balance < 0:
            raise ValueError(f"prompt_token_balance must be 0 or positive, got {self.prompt_token_balance}")

    @property
    def reads_text(self) -> bool:
        return self.text_dim > 0

    @property
    def modes(self) -> tuple[Mode, ...]:
        """How this network can be told its task: by example, and in words or both when it reads them."""
        return MODES if self.reads_text else ("example",)

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

    def forward(self, x: torch.Tensor, condition: EncodedCondition | None):
        x = x + self.channel_attn(self.norm1(x))
        x = x + self.channel_ffn(self.norm2(x))
        b, c, h, w = x.shape
        t = x.flatten(2).transpose(1, 2)  # (B, HW, C) tokens
        t = t + self.spatial_attn(self.norm3(t))
        if condition is not None:
            t = t + self.cross_attn(self.norm4(t), condition.keys, condition.values, condition.attention_mask)
        t = self.norm5(t)  # post-norm, not residual
        x = t.transpose(1, 2).reshape(b, c, h, w)
        return x + self.spatial_ffn(x)


@dataclass
class EncodedCondition:
    """A condition as the prompt cross-attention reads it: ``keys``/``values`` (B, N, C) from
    the example and/or the words, ``mask`` (B, N) True where a key counts (None: all count),
    and the pooled instruction (B, text_dim) for modulation (None without words)."""

    keys: torch.Tensor
    values: torch.Tensor
    mask: torch.Tensor | None = None
    pooled: torch.Tensor | None = None
    # (B, N) log-weights added to the attention logits (the example/words balance); None: none
    bias: torch.Tensor | None = None

    @property
    def attention_mask(self) -> torch.Tensor | None:
        """What the cross-attention is given: the boolean mask, or the log-weights with -inf
        where a key does not count."""
        if self.bias is None:
            return self.mask
        bias = self.bias.to(self.keys.dtype)
        return bias if self.mask is None else bias.masked_fill(~self.mask, float("-inf"))

    def expand(self, batch: int) -> EncodedCondition:
        """One condition for a batch of queries (tiles of one image, a sweep)."""
        if self.keys.shape[0] == batch:
            return self
        if self.keys.shape[0] != 1:
            raise ConditionError(f"a condition for {self.keys.shape[0]} samples given with {batch} queries")

        def grow(t: torch.Tensor | None) -> torch.Tensor | None:
            return None if t is None else t.expand(batch, *t.shape[1:])

        return EncodedCondition(grow(self.keys), grow(self.values), grow(self.mask), grow(self.pooled), grow(self.bias))


class TextProjection(nn.Module):
    """Instruction embeddings -> tokens of the prompt width (two-layer MLP and LayerNorm, the
    same normalisation the prompt encoder's tokens end with)."""

    def __init__(self, text_dim: int, width: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(text_dim, width), nn.GELU(), nn.Linear(width, width))
        self.norm = nn.LayerNorm(width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.net(x))


def _level(channels: int, heads: int, n: int, cfg: GenLVConfig) -> nn.Sequential:
    return nn.Sequential(*[TransformerBlock(channels, heads, cfg) for _ in range(n)])


class GenLV(nn.Module):
    """``model(query, condition) -> prediction`` on (B, 3, H, W) RGB in [0, 1]; the condition
    holds the example pair as (B or 1, 3, h, w) tensors and/or the instruction text.

    H and W must be multiples of ``config.size_multiple`` (32 by default); prompts may have a
    different size (also a multiple of 32). The model computes no loss.
    """

    def __init__(self, config: GenLVConfig | None = None) -> None:
        super().__init__()
        self.config = cfg = config or GenLVConfig()
        d, nb, hd = cfg.dim, cfg.num_blocks, cfg.heads
        if cfg.use_prompt:
            self.prompt_encoder = PromptEncoder(cfg.prompt_nf, 8 * d)
        if cfg.text_dim:
            self.text_keys = TextProjection(cfg.text_dim, 8 * d)
            self.text_values = TextProjection(cfg.text_dim, 8 * d)
        if cfg.text_modulation:  # zero-init: words change nothing until trained to
            self.text_scales = nn.ModuleList([nn.Linear(cfg.text_dim, c) for c in (d, 2 * d, 4 * d, 8 * d)])
            for layer in self.text_scales:
                nn.init.zeros_(layer.weight)
                nn.init.zeros_(layer.bias)
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
        m = self.config.size_multiple
        if prompt_in.shape != prompt_out.shape:
            raise ConditionError(
                f"prompt images differ in shape: {tuple(prompt_in.shape)} vs {tuple(prompt_out.shape)}"
            )
        if prompt_in.ndim != 4 or prompt_in.shape[-2] % m or prompt_in.shape[-1] % m:
            raise ConditionError(
                f"prompt images must be (B, 3, h, w) with h, w multiples of {m}; got {tuple(prompt_in.shape)}"
            )
        tokens = self.prompt_encoder(torch.cat([prompt_in, prompt_out], dim=0))
        return tokens.chunk(2, dim=0)

    def encode_condition(self, condition: ConditionTensors | Condition) -> EncodedCondition:
        """The cross-attention's keys and values for ``condition`` (compute once, reuse for
        every tile): what a :class:`~pixtask.models.condition_encoder.ConditionEncoder` made of
        a :class:`Condition`, or a Condition told by example with tensors (no words)."""
        if isinstance(condition, Condition):
            check_accepted(condition, self.config.modes)
            condition = ConditionTensors.from_condition(condition)
        if not isinstance(condition, ConditionTensors):
            raise ConditionError(f"a model is told its task by a condition, got {type(condition).__name__}")
        keys, values, masks = [], [], []
        batch = None
        if condition.prompt is not None:
            k, v = self.encode_prompt(*condition.prompt)
            batch = k.shape[0]
            keys.append(k)
            values.append(v)
            has = condition.has_prompt  # None: every sample's example counts (no mask needed)
            masks.append(None if has is None else has.to(k.device).bool()[:, None].expand(batch, k.shape[1]))
        pooled = None
        if condition.text is not None:
            if "instruction" not in self.config.modes:  # no text layers to read them with
                raise ConditionError("this model is told by example only and reads no instructions")
            text = condition.text.to(self.output.weight.device)
            tokens, mask = text.tokens, text.mask
            if not self.config.text_tokens:  # the simpler design: one pooled-sentence token
                tokens, mask = text.pooled[:, None], mask.any(1, keepdim=True)
            dtype = self.text_keys.net[0].weight.dtype
            keys.append(self.text_keys(tokens.to(dtype)))
            values.append(self.text_values(tokens.to(dtype)))
            masks.append(mask)
            pooled = text.pooled
        if not keys:
            raise ConditionError("a condition needs an example pair, an instruction, or both")
        if len(keys) == 2 and keys[0].shape[0] != keys[1].shape[0]:
            raise ConditionError(f"{keys[0].shape[0]} example pairs but {keys[1].shape[0]} instructions")
        k = torch.cat([t.to(keys[-1].dtype) for t in keys], 1)
        v = torch.cat([t.to(values[-1].dtype) for t in values], 1)
        bias = self._balance(keys) if len(keys) == 2 else None
        if all(m is None for m in masks):  # static: exporters and meta tensors never test data
            return EncodedCondition(k, v, None, pooled, bias)
        full = [
            torch.ones(t.shape[:2], dtype=torch.bool, device=t.device) if m is None else m
            for m, t in zip(masks, keys, strict=True)
        ]
        mask = torch.cat(full, 1)
        if mask.device.type != "meta":
            empty = (~mask.any(1)).nonzero().flatten().tolist()
            if empty:
                raise ConditionError(f"sample(s) {empty} of the batch have neither an example nor an instruction")
        return EncodedCondition(k, v, mask, pooled, bias)

    def _balance(self, keys: list[torch.Tensor]) -> torch.Tensor | None:
        """Log-weights that make the example's n keys weigh together as ``prompt_token_balance``
        keys of the same scores would: log(balance / n) on each example key, 0 on the words'.
        A sample told one way only is unaffected (a constant shift of all its logits)."""
        balance = self.config.prompt_token_balance
        n = keys[0].shape[1]
        if not balance or n == balance:
            return None
        example = torch.full(keys[0].shape[:2], math.log(balance / n), device=keys[0].device)
        return torch.cat([example, torch.zeros(keys[1].shape[:2], device=keys[1].device)], 1)

    def alignment_loss(self, condition: ConditionTensors) -> torch.Tensor | None:
        """How far the words' task embedding is from the example's, for the samples told both
        ways: 1 - cosine, averaged; None when no sample has both. A task embedding is the mean
        over tokens of value minus key (for an example: the target's encoding minus the
        input's, i.e. the change); the example's side is not pulled (stop-gradient)."""
        both = condition.told_both(self.output.weight.device) if self.config.reads_text else None
        if both is None:
            return None
        text = condition.text.to(self.output.weight.device)
        keys, values = self.encode_prompt(*(t[both] for t in condition.prompt))
        example = (values - keys).mean(1).detach()
        dtype = self.text_keys.net[0].weight.dtype
        tokens, mask = text.tokens[both].to(dtype), text.mask[both]
        change = self.text_values(tokens) - self.text_keys(tokens)
        words = (change * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return (1 - torch.nn.functional.cosine_similarity(words.float(), example.float(), dim=-1)).mean()

    def _modulate(self, x: torch.Tensor, level: int, condition: EncodedCondition | None) -> torch.Tensor:
        if not self.config.text_modulation or condition is None or condition.pooled is None:
            return x
        scale = self.text_scales[level](condition.pooled.to(self.text_scales[level].weight.dtype))
        return x * (1 + scale[:, :, None, None].to(x.dtype))

    def forward(
        self,
        query: torch.Tensor,
        condition: ConditionTensors | Condition | None = None,
        *,
        encoded: EncodedCondition | None = None,
    ) -> torch.Tensor:
        """Predict the query's target. Give the task as :class:`ConditionTensors` (what a
        :class:`~pixtask.models.condition_encoder.ConditionEncoder` makes of a Condition; a
        Condition told by example with tensors works too), or as what :meth:`encode_condition`
        made of one (tiled inference encodes it once for all tiles)."""
        m = self.config.size_multiple
        if query.ndim != 4 or query.shape[1] != 3 or query.shape[-2] % m or query.shape[-1] % m:
            raise ValueError(f"query must be (B, 3, H, W) with H, W multiples of {m}; got {tuple(query.shape)}")
        if self.config.use_prompt:
            if encoded is None:
                if condition is None:
                    raise ConditionError("this GenLV model needs a condition: an example pair and/or an instruction")
                encoded = self.encode_condition(condition)
            encoded = encoded.expand(query.shape[0])
        else:
            encoded = None
        e1 = self._modulate(self.encoder_level1(self.patch_embed.proj(query)), 0, encoded)
        e2 = self._modulate(self.encoder_level2(self.down1_2(e1)), 1, encoded)
        e3 = self._modulate(self.encoder_level3(self.down2_3(e2)), 2, encoded)
        z = self._modulate(self.down3_4(e3), 3, encoded)
        for block in self.latent_blocks:
            z = block(z, encoded)
        d3 = self.decoder_level3(self.reduce_chan_level3(torch.cat([self.up4_3(z), e3], 1)))
        d2 = self.decoder_level2(self.reduce_chan_level2(torch.cat([self.up3_2(d3), e2], 1)))
        d1 = self.decoder_level1(torch.cat([self.up2_1(d2), e1], 1))
        out = self.output(self.refinement(d1))
        return out + query if self.config.global_residual else out
