"""Few-shot fine-tuning from a handful of (input, target) pairs, with the GenLV paper's strategies.

The paper (Fig. 12) adapts a pretrained generalist to a new task from 5 pairs and compares which
parameters to tune; training from scratch on the same pairs is the reference. This is a policy
on the one training loop (:class:`~pixtask.training.trainer.Trainer`): the pairs are a paired
folder in the data stream (each step draws a query pair and a *different* prompt pair, aligned
crops, one shared flip/rotation), ``freeze`` picks what trains, and validation on held-out
pairs every ``eval_every`` steps keeps the best weights and stops early when they stop improving.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from torch import nn

from pixtask.core.guards import check_number, check_seed, check_text
from pixtask.core.output_plan import plan_folder
from pixtask.data.paired_folder import PairedFolder
from pixtask.models._registry import build_model
from pixtask.training.config import DataConfig, OptimConfig, TrainConfig, ValidationConfig
from pixtask.training.policy import FREEZE_POLICIES, apply_freeze

log = logging.getLogger(__name__)

# strategy -> the training loop's freeze policy; "full" and "scratch" train everything
# ("scratch" from freshly initialised weights)
STRATEGIES: dict[str, str] = {
    **{name: name for name in FREEZE_POLICIES if name != "none"},
    "full": "none",
    "scratch": "none",
}


@dataclass
class FewShotConfig:
    """``steps`` is a cap; early stopping usually ends sooner. ``scratch`` gets twice the steps,
    as the paper gives training from scratch 60 epochs against 30 for fine-tuning."""

    strategy: str = "backbone"
    steps: int = 300
    lr: float = 2e-4
    batch_size: int = 4
    crop: int = 64
    eval_every: int = 20
    patience: int = 5
    seed: int = 0
    device: str = "auto"
    precision: str = "auto"
    # how the task is told: the pairs are examples; an instruction adds words (a model that reads
    # them then trains told by example, in words, or both); prompt: the validation example pair
    instruction: str | None = None
    prompt: tuple[str, str] | None = None

    def validate(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {self.strategy!r}; choose one of {', '.join(STRATEGIES)}")
        for name in ("steps", "batch_size", "crop", "eval_every", "patience"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.crop % 32:
            raise ValueError(f"crop must be a multiple of 32, got {self.crop}")
        check_number(self.lr, "lr", low=0, low_open=True, high=1)
        check_seed(self.seed)
        if self.instruction is not None:
            check_text(self.instruction)

    def train_config(self, train: PairedFolder, val: PairedFolder, out_dir: str | Path) -> TrainConfig:
        """The training-loop config this fine-tuning is: constant lr, L1, no EMA, no clipping."""
        return TrainConfig(
            model="given",
            data=DataConfig(
                tasks=[train.task_id],
                paired_folders=[str(train.root)],
                crop=self.crop,
                workers=0,
                condition_modes={"example": 1.0, "instruction": 1.0, "both": 1.0} if self.instruction else {},
                folder_instruction=self.instruction,
            ),
            optim=OptimConfig(lr=self.lr, warmup_steps=0, min_lr_ratio=1.0, grad_clip=0.0),
            validation=ValidationConfig(
                pairs=str(val.root),
                every=self.eval_every,
                patience=self.patience,
                prompt=list(map(str, self.prompt or ())),
                instruction=self.instruction,
                mode="both" if self.instruction else "example",
            ),
            freeze=STRATEGIES[self.strategy],
            steps=self.steps * (2 if self.strategy == "scratch" else 1),
            batch_size=self.batch_size,
            seed=self.seed,
            device=self.device,
            precision=self.precision,
            out_dir=str(out_dir),
            checkpoint_every=10**9,  # only the end: a few-shot run is minutes
        )


@dataclass
class FewShotResult:
    model: nn.Module
    best_step: int
    best_val_psnr: float
    initial_val_psnr: float
    trainable: int = 0  # parameters the strategy tuned
    history: list[dict] = field(default_factory=list)  # step, loss, val_psnr


def select_trainable(model: nn.Module, strategy: str) -> int:
    """Freeze everything the strategy does not tune; returns the number of trainable parameters."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    return apply_freeze(model, STRATEGIES[strategy])


def finetune(
    model: nn.Module,
    train: PairedFolder,
    val: PairedFolder,
    cfg: FewShotConfig,
    out_dir: str | Path | None = None,
    *,
    overwrite: bool = False,
) -> FewShotResult:
    """Fine-tune a copy of ``model`` (or a fresh model, for ``scratch``) in the training loop;
    returns the best-validating one. ``out_dir`` keeps the run (config, logs, ``model/``)."""
    from pixtask.training.trainer import Trainer

    cfg.validate()
    if out_dir is not None:  # a few-shot run cannot be resumed: a folder holding one is replaced or refused
        plan_folder(out_dir, overwrite=overwrite, inputs=[train.root, val.root])
    with tempfile.TemporaryDirectory() if out_dir is None else contextlib.nullcontext(out_dir) as folder:
        net = build_model(model.config) if cfg.strategy == "scratch" else copy.deepcopy(model)
        trainer = Trainer(cfg.train_config(train, val, folder), model=net, overwrite=overwrite)
        log.info("few-shot %s: %d trainable parameters", cfg.strategy, trainer.trainable)
        trainer.fit()
        best_step, best, _ = trainer.best
        for p in net.parameters():
            p.requires_grad_(True)
        history = trainer.validation
        return FewShotResult(net.eval(), best_step, best, history[0]["val_psnr"], trainer.trainable, history)
