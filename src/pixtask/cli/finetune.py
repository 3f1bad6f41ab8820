"""``pixtask finetune``: adapt a model to a new task from a few (input, target) pairs."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated

import typer

from pixtask.cli._common import user_errors
from pixtask.core.atomic_write import write_bytes_atomic
from pixtask.data.paired_folder import PairedFolder
from pixtask.models.hub import DEFAULT_MODEL, WeightsError, from_pretrained, save_pretrained
from pixtask.training.finetune import STRATEGIES, FewShotConfig, finetune


def finetune_command(
    pairs: Annotated[Path, typer.Option(help="Training pairs: a folder with input/ and target/ (e.g. 5 pairs).")],
    val: Annotated[Path, typer.Option(help="Validation pairs (same layout) for early stopping.")],
    out: Annotated[Path, typer.Option(help="Output model folder.")],
    model: Annotated[str, typer.Option(help="Model folder or shipped model name.")] = DEFAULT_MODEL,
    strategy: Annotated[str, typer.Option(help=f"What to tune: {', '.join(STRATEGIES)}.")] = "backbone",
    steps: Annotated[int, typer.Option(help="Step cap (early stopping usually ends sooner).")] = 300,
    lr: Annotated[float, typer.Option(help="Learning rate.")] = 2e-4,
    batch_size: Annotated[int, typer.Option(help="Crops per step.")] = 4,
    crop: Annotated[int, typer.Option(help="Crop side (multiple of 32).")] = 64,
    eval_every: Annotated[int, typer.Option(help="Validate every N steps.")] = 20,
    patience: Annotated[int, typer.Option(help="Stop after N validations without improvement.")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, ...")] = "auto",
) -> None:
    """Fine-tune with the GenLV paper's strategies; keeps the weights that validate best."""
    with user_errors():
        cfg = FewShotConfig(strategy, steps, lr, batch_size, crop, eval_every, patience, seed, device)
        cfg.validate()
        train_pairs, val_pairs = PairedFolder.open(pairs), PairedFolder.open(val)
        try:
            base = from_pretrained(model)
        except WeightsError as exc:
            raise ValueError(str(exc)) from None
        result = finetune(
            base,
            train_pairs,
            val_pairs,
            cfg,
            on_eval=lambda step, loss, psnr: typer.echo(f"step {step}: loss {loss:.4f}, val PSNR {psnr:.2f} dB"),
        )
        save_pretrained(result.model, out, extra={"finetuned_from": model, "strategy": strategy})
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=["step", "loss", "val_psnr"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(result.history)
        write_bytes_atomic(out / "finetune_log.csv", buf.getvalue().encode())
    typer.echo(
        f"val PSNR {result.initial_val_psnr:.2f} -> {result.best_val_psnr:.2f} dB (best step {result.best_step}); "
        f"model: {out}"
    )
