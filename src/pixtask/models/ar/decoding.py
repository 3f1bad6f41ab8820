"""Constrained sampling of an output image block.

:class:`ImageBlockConstraint` knows, at every step, which tokens keep the block well formed:
``<boi>``, the two size tokens, then inside a row only codes, ``<row>`` exactly after each
row's last code, ``<eoi>`` after the last row and ``<eot>`` after it. Where only one token is
allowed it is forced; elsewhere the model's logits over the codes are sampled with temperature
and top-k (or taken greedily at temperature 0). So whatever the weights, the result parses and
decodes. Classifier-free guidance mixes the logits of the prompt with and without the
instruction, ``uncond + cfg * (cond - uncond)``; the unconditional prompt keeps the input image
(the official code also drops the image, which no training sequence looks like).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from pixtask.core.guards import check_number, check_seed
from pixtask.models.ar.sequence import BOI, EOI, EOT, ROW, TokenLayout
from pixtask.models.ar.transformer import KVCache, TokenTransformer

#: Largest temperature or guidance scale accepted: far past any useful value, and finite.
MAX_SCALE = 100.0
#: Smallest non-zero temperature: below it logits / temperature overflow (0 means greedy).
MIN_TEMPERATURE = 0.01


def check_temperature(value: float, name: str) -> float:
    """0 (greedy), or a sampling temperature from MIN_TEMPERATURE to MAX_SCALE."""
    check_number(value, name, low=0, high=MAX_SCALE)
    if 0 < value < MIN_TEMPERATURE:
        raise ValueError(f"{name}: must be 0 (greedy) or at least {MIN_TEMPERATURE:g}, got {value:g}")
    return value


@dataclass
class GenerationConfig:
    temperature: float = 1.0  # 0: greedy
    top_k: int = 0  # among codes; 0: a quarter of the codebook (the paper's 2048 of 8192)
    cfg: float = 1.0  # classifier-free guidance scale; 1 reads only the conditional prompt
    seed: int = 0
    use_cache: bool = True

    def __post_init__(self) -> None:
        check_temperature(self.temperature, "temperature")
        check_number(self.cfg, "cfg", low=0, high=MAX_SCALE)
        check_number(self.top_k, "top_k", low=0, integer=True)
        check_seed(self.seed)


class ImageBlockConstraint:
    """The allowed next tokens of an output block of an ``h`` x ``w`` grid."""

    def __init__(self, layout: TokenLayout, h: int, w: int) -> None:
        self.layout, self.h, self.w = layout, h, w
        self.script = [BOI, layout.size_token(h), layout.size_token(w)]
        self.length = layout.block_length(h, w) + 1  # the block and the closing <eot>

    def forced(self, step: int) -> int | None:
        """The one token allowed at ``step`` of the block, or None where a code is chosen."""
        if step < 3:
            return self.script[step]
        inner = step - 3
        if inner == self.h * (self.w + 1):
            return EOI
        if inner == self.h * (self.w + 1) + 1:
            return EOT
        return ROW if inner % (self.w + 1) == self.w else None

    def mask(self, step: int, device=None) -> torch.Tensor:
        """(vocab,) booleans: True where a token is allowed at ``step``."""
        allowed = torch.zeros(self.layout.vocab_size, dtype=torch.bool, device=device)
        token = self.forced(step)
        if token is None:
            allowed[self.layout.code_offset : self.layout.text_offset] = True
        else:
            allowed[token] = True
        return allowed


def pick(logits: torch.Tensor, allowed: torch.Tensor, gen: GenerationConfig, generator: torch.Generator) -> int:
    """Sample one token from (vocab,) ``logits`` restricted to ``allowed``."""
    logits = logits.float().masked_fill(~allowed, float("-inf"))
    if gen.temperature == 0:
        return int(logits.argmax())
    k = min(gen.top_k or max(1, int(allowed.sum()) // 4), int(allowed.sum()))
    values, index = logits.topk(k)
    probs = torch.softmax(values / gen.temperature, dim=-1)
    return int(index[torch.multinomial(probs.cpu(), 1, generator=generator)])


class _Stream:
    """Next-token logits for a growing sequence, with or without a KV cache."""

    def __init__(self, lm: TokenTransformer, prompt: list[int], use_cache: bool, total: int) -> None:
        self.lm, self.tokens = lm, list(prompt)
        device = next(lm.parameters()).device
        self.device = device
        self.cache = KVCache(lm.config, 1, device, lm.embed.weight.dtype, max_len=total) if use_cache else None
        self.logits = self._run(self.tokens)

    def _run(self, tokens: list[int]) -> torch.Tensor:
        x = torch.tensor([tokens], device=self.device)
        return self.lm(x, cache=self.cache)[0, -1]

    def push(self, token: int) -> None:
        self.tokens.append(token)
        self.logits = self._run([token] if self.cache is not None else self.tokens)


@torch.no_grad()
def generate_block(
    lm: TokenTransformer,
    layout: TokenLayout,
    prompt: list[int],
    grid: tuple[int, int],
    gen: GenerationConfig | None = None,
    uncond_prompt: list[int] | None = None,
) -> list[int]:
    """The output block (and its ``<eot>``) the model writes after ``prompt``, for a ``grid``
    of (rows, columns) codes; ``uncond_prompt`` is needed when ``gen.cfg != 1``."""
    gen = gen or GenerationConfig()
    constraint = ImageBlockConstraint(layout, *grid)
    total = len(prompt) + constraint.length
    if total > lm.config.max_seq_len:
        raise ValueError(
            f"the prompt ({len(prompt)} tokens) and a {grid[0]}x{grid[1]} block need {total} "
            f"positions; the model has {lm.config.max_seq_len}"
        )
    if gen.cfg != 1 and uncond_prompt is None:
        raise ValueError("classifier-free guidance (cfg != 1) needs the prompt without the instruction")
    generator = torch.Generator().manual_seed(gen.seed)
    cond = _Stream(lm, prompt, gen.use_cache, total)
    uncond = _Stream(lm, uncond_prompt, gen.use_cache, total) if gen.cfg != 1 else None
    out: list[int] = []
    for step in range(constraint.length):
        token = constraint.forced(step)
        if token is None:
            logits = cond.logits
            if uncond is not None:
                logits = uncond.logits.float() + gen.cfg * (cond.logits.float() - uncond.logits.float())
            token = pick(logits, constraint.mask(step, logits.device), gen, generator)
        out.append(token)
        if step + 1 < constraint.length:  # the closing <eot> needs no logits after it
            cond.push(token)
            if uncond is not None:
                uncond.push(token)
    return out
