"""What the one training loop optimises, by the kind of model it trains.

- :class:`ImageObjective` (GenLV): the query's prediction told by its condition, scored by the
  reconstruction loss of ``TrainConfig.loss``.
- :class:`TokenizerObjective` (VQ tokenizer): both images of each query pair reconstructed through
  the codebook (L1 + codebook + commitment terms, :class:`~pixtask.models.vq.VQTokenizer`).
- :class:`NextTokenObjective` (token-AR model): next-token cross-entropy on the output block
  plus z-loss, over pre-tokenized sequences (``data.tokens``).

The loop, the optimiser, checkpoints, logging and resumption are the same for all three.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from pixtask.core.condition import Condition
from pixtask.data.tokens import TokenDataset, TokenManifest
from pixtask.models.ar.model import ARModel
from pixtask.models.hub import from_pretrained, load_config
from pixtask.models.vq import VQTokenizer
from pixtask.training.losses import Z_LOSS_WEIGHT, next_token_loss, reconstruction_loss

if TYPE_CHECKING:
    from pixtask.training.trainer import Trainer


class ImageObjective:
    """Predict the query's target from its input and condition."""

    reads_images = True

    def batch_condition(self, trainer: Trainer, batch: dict) -> tuple[torch.Tensor, torch.Tensor, Condition]:
        """(query input, query target, condition) of a collated batch, on the device."""
        images = batch["images"].to(trainer.device, non_blocking=True)
        prompt_in, prompt_out, query_in, query_out = (
            t.contiguous(memory_format=trainer.memory_format) for t in images.unbind(1)
        )
        has_prompt = batch.get("has_prompt")
        texts = list(batch.get("instruction", [""] * images.shape[0]))
        every = has_prompt is None or bool(torch.as_tensor(has_prompt).all())
        condition = Condition(
            prompt=(prompt_in, prompt_out),
            instruction=texts if any(texts) else None,
            has_prompt=None if every else torch.as_tensor(has_prompt),
        )
        return query_in, query_out, condition

    def loss(self, trainer: Trainer, batch: dict) -> torch.Tensor:
        query_in, query_out, condition = self.batch_condition(trainer, batch)
        with trainer.autocast():
            pred = trainer.network(query_in, condition)
        return reconstruction_loss(trainer.cfg.loss, pred.float(), query_out, query_in)


class TokenizerObjective:
    """Reconstruct both images of each query pair (degraded inputs and clean targets alike,
    since the AR model reads the one and writes the other)."""

    reads_images = True

    def loss(self, trainer: Trainer, batch: dict) -> torch.Tensor:
        images = batch["images"][:, 2:].flatten(0, 1).to(trainer.device, non_blocking=True)
        with trainer.autocast():
            _, losses = trainer.network(images)
        return losses["loss"]


class NextTokenObjective:
    """Cross-entropy on the output block (labels are -100 elsewhere) plus z-loss."""

    reads_images = False

    def __init__(self, tokens: str) -> None:
        self.manifest = TokenManifest.read(tokens)

    def prepare(self, model: ARModel) -> dict:
        """Give the model the tokenizers its token folder was written with; what to record."""
        vq = from_pretrained(self.manifest.vq_folder)
        if vq.config != model.vq.config:
            raise ValueError(
                f"{self.manifest.root}: its VQ tokenizer ({vq.config}) is not the model's ({model.vq.config})"
            )
        model.vq.load_state_dict(vq.state_dict())
        model.attach_tokenizer(self.manifest.text_tokenizer())
        if self.manifest.image_size != model.config.image_size:
            raise ValueError(
                f"{self.manifest.root}: tokenized at {self.manifest.image_size}px; the model works at "
                f"{model.config.image_size}px (model_overrides.image_size)"
            )
        return {"tokens": str(self.manifest.root), "vq": self.manifest.vq_source}

    def dataset(self, trainer: Trainer) -> TokenDataset:
        model = trainer.model
        return TokenDataset(
            self.manifest,
            model.layout,
            max_len=model.config.max_seq_len,
            seed=trainer.cfg.seed,
            instruction_dropout=trainer.cfg.data.instruction_dropout,
        )

    def loss(self, trainer: Trainer, batch: dict) -> torch.Tensor:
        tokens = batch["tokens"].to(trainer.device, non_blocking=True)
        labels = batch["labels"].to(trainer.device, non_blocking=True)
        with trainer.autocast():
            logits = trainer.network(tokens)
        total, _, _ = next_token_loss(logits.float(), labels, Z_LOSS_WEIGHT)
        return total


def token_model_overrides(tokens: str, overrides: dict) -> dict:
    """The AR model's tokenizer settings from its token folder (``overrides`` win): the VQ
    config it was encoded with and the image side."""
    import dataclasses

    manifest = TokenManifest.read(tokens)
    vq = load_config(manifest.vq_folder)  # the config only: prepare() loads the weights once
    return {"vq": dataclasses.asdict(vq), "image_size": manifest.image_size, **overrides}


def objective_for(model: torch.nn.Module, tokens: str | None):
    """The objective that trains ``model`` (``tokens``: the pre-tokenized folder, AR models only)."""
    if isinstance(model, ARModel):
        if not tokens:
            raise ValueError(
                "the token-AR model trains on pre-tokenized sequences: set data.tokens "
                "(a folder written by `pixtask data tokenize`)"
            )
        return NextTokenObjective(tokens)
    if tokens:
        raise ValueError(f"data.tokens is for the token-AR model; {type(model).__name__} trains on images")
    if isinstance(model, VQTokenizer):
        return TokenizerObjective()
    return ImageObjective()
