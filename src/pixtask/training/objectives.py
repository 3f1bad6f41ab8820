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

from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace

import torch
from torch import nn

from pixtask.core.condition import Condition
from pixtask.data.tokens import TokenDataset, TokenManifest
from pixtask.models.ar.model import ARModel
from pixtask.models.condition_encoder import ConditionEncoder, ConditionTensors
from pixtask.models.hub import from_pretrained, load_config
from pixtask.models.vq import VQTokenizer
from pixtask.training.losses import Z_LOSS_WEIGHT, next_token_loss, reconstruction_loss


@dataclass
class StepContext:
    """What an objective needs of the loop to score one batch (and nothing else of it)."""

    network: nn.Module  # the model as the loop runs it (DDP-wrapped or compiled)
    device: torch.device
    autocast: Callable[[], AbstractContextManager]
    memory_format: torch.memory_format = torch.contiguous_format
    loss: str = "l1"  # TrainConfig.loss
    model: nn.Module | None = None  # the model unwrapped (for terms outside its forward)


class ImageObjective:
    """Predict the query's target from its input and condition. The objective owns the
    condition encoder in training: the words are embedded here, outside the network's forward
    (and outside DDP and torch.compile)."""

    reads_images = True

    def __init__(
        self, encoder: ConditionEncoder, alignment: float = 0.0, alignment_tasks: Collection[str] = ()
    ) -> None:
        self.encoder = encoder
        # weight of the term that pulls the words' task embedding towards the example's, on the
        # samples told both ways (TrainConfig.text_alignment; the model's alignment_loss), and
        # the tasks it applies to (TrainConfig.text_alignment_tasks; empty: all)
        self.alignment = alignment
        self.alignment_tasks = frozenset(alignment_tasks)
        # weight of the words' router's task cross-entropy (TrainConfig.word_routing)
        self.routing = 0.0

    def batch_condition(
        self, batch: dict, device: torch.device, memory_format: torch.memory_format = torch.contiguous_format
    ) -> tuple[torch.Tensor, torch.Tensor, ConditionTensors]:
        """(query input, query target, condition tensors) of a collated batch, on the device."""
        images = batch["images"].to(device, non_blocking=True)
        prompt_in, prompt_out, query_in, query_out = (
            t.contiguous(memory_format=memory_format) for t in images.unbind(1)
        )
        has_prompt = batch.get("has_prompt")
        texts = list(batch.get("instruction", [""] * images.shape[0]))
        every = has_prompt is None or bool(torch.as_tensor(has_prompt).all())
        condition = Condition(
            prompt=(prompt_in, prompt_out),
            instruction=texts if any(texts) else None,
            has_prompt=None if every else torch.as_tensor(has_prompt),
        )
        return query_in, query_out, self.encoder(condition, batch=images.shape[0])

    def _aligned(self, condition: ConditionTensors, batch: dict) -> ConditionTensors:
        """The condition the alignment term reads: its examples count only on the chosen tasks'
        samples, so the term (over samples told both ways) leaves the other tasks' words alone."""
        if not self.alignment_tasks or condition.prompt is None:
            return condition
        among = torch.tensor([task in self.alignment_tasks for task in batch["task"]])
        has = torch.ones_like(among) if condition.has_prompt is None else condition.has_prompt.bool().cpu()
        return replace(condition, has_prompt=has & among)

    @staticmethod
    def _routed_tasks(batch: dict) -> list[str | None]:
        """The task each sample's words ask for, as the router is taught it: None for a sample
        turned round (its words ask for the opposite change, which has no anchor)."""
        turned = batch.get("backward")
        turned = [False] * len(batch["task"]) if turned is None else [bool(t) for t in turned]
        return [None if back else task for task, back in zip(batch["task"], turned, strict=True)]

    def loss(self, step: StepContext, batch: dict) -> torch.Tensor:
        query_in, query_out, condition = self.batch_condition(batch, step.device, step.memory_format)
        with step.autocast():
            pred = step.network(query_in, condition)
        loss = reconstruction_loss(step.loss, pred.float(), query_out, query_in)
        if self.alignment and step.model is not None:
            with step.autocast():
                term = step.model.alignment_loss(self._aligned(condition, batch))
            if term is not None:
                loss = loss + self.alignment * term.float()
        if self.routing and step.model is not None:
            with step.autocast():
                term = step.model.routing_loss(condition, self._routed_tasks(batch))
            if term is not None:
                loss = loss + self.routing * term.float()
        return loss


class TokenizerObjective:
    """Reconstruct both images of each query pair (degraded inputs and clean targets alike,
    since the AR model reads the one and writes the other)."""

    reads_images = True

    def loss(self, step: StepContext, batch: dict) -> torch.Tensor:
        images = batch["images"][:, 2:].flatten(0, 1).to(step.device, non_blocking=True)
        with step.autocast():
            _, losses = step.network(images)
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

    def dataset(self, model: ARModel, seed: int, instruction_dropout: float) -> TokenDataset:
        return TokenDataset(
            self.manifest,
            model.layout,
            max_len=model.config.max_seq_len,
            seed=seed,
            instruction_dropout=instruction_dropout,
        )

    def loss(self, step: StepContext, batch: dict) -> torch.Tensor:
        tokens = batch["tokens"].to(step.device, non_blocking=True)
        labels = batch["labels"].to(step.device, non_blocking=True)
        with step.autocast():
            logits = step.network(tokens)
        total, _, _ = next_token_loss(logits.float(), labels, Z_LOSS_WEIGHT)
        return total


def token_model_overrides(tokens: str, overrides: dict) -> dict:
    """The AR model's tokenizer settings from its token folder (``overrides`` win): the VQ
    config it was encoded with and the image side."""
    import dataclasses

    manifest = TokenManifest.read(tokens)
    vq = load_config(manifest.vq_folder)  # the config only: prepare() loads the weights once
    return {"vq": dataclasses.asdict(vq), "image_size": manifest.image_size, **overrides}


def objective_for(model: torch.nn.Module, tokens: str | None, device: torch.device | str = "cpu"):
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
    return ImageObjective(ConditionEncoder(model.config, device))
