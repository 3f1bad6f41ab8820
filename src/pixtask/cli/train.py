"""``pixtask train``: train a visual-prompt model from a YAML experiment config."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pixtask.cli._common import user_errors
from pixtask.training.checkpoint import LATEST
from pixtask.training.config import load_config
from pixtask.training.run_folder import RunFolder
from pixtask.training.trainer import Trainer


def train(
    config: Annotated[Path | None, typer.Option(help="YAML experiment config (see configs/).")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a key, e.g. optim.lr=3e-4.")] = None,
    resume: Annotated[bool, typer.Option(help=f"Continue from OUT_DIR/{LATEST}.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace a run already in OUT_DIR (default: refuse).")] = False,
) -> None:
    """Train on the multi-task stream; writes checkpoints, log.csv and the final model folder."""
    with user_errors():
        cfg = load_config(config, set_ or [])
        trainer = Trainer(cfg, overwrite=overwrite)
        if resume:
            trainer.resume()
    with (
        user_errors(),
        Progress(
            TextColumn("step"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]}"),
            TimeRemainingColumn(),
        ) as bar,
    ):
        job = bar.add_task("train", total=cfg.steps, completed=trainer.step, loss="-")
        final = trainer.fit(on_step=lambda step, loss: bar.update(job, completed=step, loss=f"{loss:.4f}"))
    if trainer.compile_seconds is not None:
        typer.echo(f"torch.compile: the first step took {trainer.compile_seconds:.1f} s")
    if trainer.stopped_early:
        typer.echo(
            f"stopped at step {trainer.step}: {cfg.stop_minutes:g} training minutes reached; checkpoint: {final}; "
            "continue with --resume"
        )
        return
    typer.echo(f"trained to step {trainer.step}; model: {final}; log: {RunFolder(cfg.out_dir).log_file}")
