"""``pixtask finetune``: adapt a model to a new task from a few (input, target) pairs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pixtask.cli._common import user_errors
from pixtask.data.paired_folder import PairedFolder
from pixtask.models.hub import DEFAULT_MODEL, WeightsError, from_pretrained
from pixtask.training.finetune import STRATEGIES, FewShotConfig, finetune


def finetune_command(
    pairs: Annotated[Path, typer.Option(help="Training pairs: a folder with input/ and target/ (e.g. 5 pairs).")],
    val: Annotated[Path, typer.Option(help="Validation pairs (same layout) for early stopping.")],
    out: Annotated[Path, typer.Option(help="Run folder: config, logs, validation.csv and the model in OUT/model.")],
    model: Annotated[str, typer.Option(help="Model folder or shipped model name.")] = DEFAULT_MODEL,
    prompt: Annotated[
        tuple[Path, Path] | None,
        typer.Option(help="Example pair validation is told by (default: the first training pair)."),
    ] = None,
    instruction: Annotated[
        str | None, typer.Option(help="Words describing the change; the model learns them with the pairs.")
    ] = None,
    strategy: Annotated[str, typer.Option(help=f"What to tune: {', '.join(STRATEGIES)}.")] = "backbone",
    steps: Annotated[int, typer.Option(help="Step cap (early stopping usually ends sooner).")] = 300,
    lr: Annotated[float, typer.Option(help="Learning rate.")] = 2e-4,
    batch_size: Annotated[int, typer.Option(help="Crops per step.")] = 4,
    crop: Annotated[int, typer.Option(help="Crop side (multiple of 32).")] = 64,
    eval_every: Annotated[int, typer.Option(help="Validate every N steps.")] = 20,
    patience: Annotated[int, typer.Option(help="Stop after N validations without improvement.")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, ...")] = "auto",
    overwrite: Annotated[bool, typer.Option(help="Replace a run already in OUT.")] = False,
) -> None:
    """Fine-tune on a few pairs with the GenLV paper's strategies; keeps the best-validating weights.

    It runs in the one training loop (a freeze policy plus early stopping). The pairs are
    examples of the task; --instruction adds words for it (a model that reads words then also
    answers the instruction alone)."""
    with user_errors():
        cfg = FewShotConfig(
            strategy,
            steps,
            lr,
            batch_size,
            crop,
            eval_every,
            patience,
            seed,
            device,
            instruction=instruction,
            prompt=tuple(map(str, prompt)) if prompt else None,
        )
        cfg.validate()
        train_pairs, val_pairs = PairedFolder.open(pairs), PairedFolder.open(val)
        try:
            base = from_pretrained(model)
        except WeightsError as exc:
            raise ValueError(str(exc)) from None
        result = finetune(base, train_pairs, val_pairs, cfg, out, overwrite=overwrite)
        for row in result.history:
            loss = "-" if row["loss"] is None else f"{row['loss']:.4f}"
            typer.echo(f"step {row['step']}: loss {loss}, val PSNR {row['val_psnr']:.2f} dB")
    typer.echo(
        f"val PSNR {result.initial_val_psnr:.2f} -> {result.best_val_psnr:.2f} dB (best step {result.best_step}); "
        f"model: {out / 'model'}"
    )
