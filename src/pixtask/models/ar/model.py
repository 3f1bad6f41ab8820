"""The token-autoregressive vision-language model: a VQ image tokenizer, a BPE text tokenizer
and a decoder-only transformer over one vocabulary (:mod:`~pixtask.models.ar.sequence`).

It is told its task in words only: it reads ``<bos> [input image] [instruction] <eot>`` and
writes the output image block. A model folder holds config.json, model.safetensors (the
transformer and, under ``vq.``, the tokenizer it was trained with) and the BPE's
tokenizer.json; :func:`~pixtask.models.hub.from_pretrained` loads all three.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from pixtask.core.condition import Mode
from pixtask.models.ar.decoding import GenerationConfig, generate_block
from pixtask.models.ar.sequence import TokenLayout
from pixtask.models.ar.text_tokenizer import FILE_NAME, TextTokenizer
from pixtask.models.ar.transformer import TokenTransformer, TransformerConfig
from pixtask.models.vq import VQConfig, VQTokenizer


@dataclass
class ARConfig:
    """Sizes of the transformer, the tokenizers it reads, and the square image side it works at."""

    dim: int = 256
    layers: int = 6
    heads: int = 8
    ffn_hidden: int = 0
    max_seq_len: int = 256
    rope_theta: float = 10000.0
    qk_norm: bool = True
    swin_norm: bool = False
    dropout: float = 0.0
    image_size: int = 64
    text_vocab_size: int = 1024
    max_grid: int = 16
    vq: dict = field(default_factory=lambda: dataclasses.asdict(VQConfig()))

    def __post_init__(self) -> None:
        vq = self.vq_config
        if self.image_size % vq.downsample or self.image_size // vq.downsample > self.max_grid:
            raise ValueError(
                f"image_size {self.image_size} must be a multiple of the tokenizer's {vq.downsample}x "
                f"downsampling and give at most max_grid {self.max_grid} codes a side"
            )
        _ = self.transformer_config  # validates the transformer's sizes

    @property
    def modes(self) -> tuple[Mode, ...]:
        """Told in words only: the input image and the instruction make the prompt."""
        return ("instruction",)

    @property
    def vq_config(self) -> VQConfig:
        try:
            return VQConfig(**self.vq)
        except TypeError as exc:
            raise ValueError(f"vq: {exc}") from None

    @property
    def layout(self) -> TokenLayout:
        return TokenLayout(self.vq_config.codebook_size, self.text_vocab_size, self.max_grid)

    @property
    def grid(self) -> int:
        return self.image_size // self.vq_config.downsample

    @property
    def transformer_config(self) -> TransformerConfig:
        return TransformerConfig(
            vocab_size=self.layout.vocab_size,
            dim=self.dim,
            layers=self.layers,
            heads=self.heads,
            ffn_hidden=self.ffn_hidden,
            max_seq_len=self.max_seq_len,
            rope_theta=self.rope_theta,
            qk_norm=self.qk_norm,
            swin_norm=self.swin_norm,
            dropout=self.dropout,
        )


class ARModel(nn.Module):
    """VQ tokenizer (frozen) + transformer; ``text_tokenizer`` is set by from_pretrained or
    :meth:`attach_tokenizer`."""

    frozen_prefixes = ("vq.",)  # the image tokenizer is trained before, never with, the transformer

    def __init__(self, config: ARConfig) -> None:
        super().__init__()
        self.config = config
        self.layout = config.layout
        self.vq = VQTokenizer(config.vq_config).requires_grad_(False)
        self.lm = TokenTransformer(config.transformer_config)
        self.text_tokenizer: TextTokenizer | None = None

    def train(self, mode: bool = True) -> ARModel:
        super().train(mode)
        self.vq.eval()  # the tokenizer is fixed: its codebook must not restart while the LM trains
        return self

    def forward(self, tokens: torch.Tensor, cache=None) -> torch.Tensor:
        """Next-token logits (B, T, vocab) of token ids (B, T)."""
        return self.lm(tokens, cache)

    # --- assets beside the weights (hub hooks) ------------------------------------------------
    def attach_tokenizer(self, tokenizer: TextTokenizer) -> None:
        if tokenizer.vocab_size > self.config.text_vocab_size:
            raise ValueError(
                f"the BPE has {tokenizer.vocab_size} tokens; this model reads {self.config.text_vocab_size}"
            )
        self.text_tokenizer = tokenizer

    def save_assets(self, folder: Path) -> None:
        if self.text_tokenizer is None:
            raise ValueError("this model has no text tokenizer to save; attach_tokenizer() first")
        self.text_tokenizer.save(folder / FILE_NAME)

    def load_assets(self, folder: Path) -> None:
        path = folder / FILE_NAME
        if not path.is_file():
            raise ValueError(f"{folder}: no {FILE_NAME} (the model's BPE text tokenizer)")
        self.attach_tokenizer(TextTokenizer.load(path))

    # --- sequences ------------------------------------------------------------------------------
    def text_ids(self, instruction: str | None) -> list[int]:
        if not instruction:
            return []
        if self.text_tokenizer is None:
            raise ValueError("this model has no text tokenizer; load it with from_pretrained")
        return self.text_tokenizer.encode(instruction)

    @torch.no_grad()
    def encode_image(self, image: torch.Tensor) -> np.ndarray:
        """(3, S, S) in [0, 1] at the model's image_size -> (g, g) codes."""
        return self.vq.encode(image[None].to(self.vq.codebook.weight.device).float())[0].cpu().numpy()

    @torch.no_grad()
    def generate(
        self, image: torch.Tensor, instruction: str | None, gen: GenerationConfig | None = None
    ) -> torch.Tensor:
        """The output image (3, S, S) for ``image`` (3, S, S) told by ``instruction``."""
        gen = gen or GenerationConfig()
        codes = self.encode_image(image)
        prompt = self.layout.prompt(codes, self.text_ids(instruction))
        uncond = self.layout.prompt(codes, []) if gen.cfg != 1 else None
        block = generate_block(self.lm, self.layout, prompt, codes.shape, gen, uncond)
        out, _ = self.layout.parse_image_block(block)
        grid = torch.as_tensor(out, device=self.vq.codebook.weight.device)[None]
        return self.vq.decode(grid)[0]
