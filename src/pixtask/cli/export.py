"""``pixtask export``: ONNX export with a parity check against PyTorch; a model folder from a
training checkpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import torch
import typer

from pixtask.cli._common import user_errors
from pixtask.core.guards import check_number
from pixtask.core.output_plan import plan_file, plan_folder
from pixtask.models.export_onnx import export_onnx, onnx_max_difference
from pixtask.models.hub import MODEL_FILES, WeightsError, from_pretrained, save_pretrained
from pixtask.training.checkpoint import LATEST, model_from_checkpoint

app = typer.Typer(help="Export models.", no_args_is_help=True)


@app.command("onnx")
def onnx(
    model: Annotated[Path, typer.Option(help="Folder with config.json + model.safetensors.")],
    out: Annotated[Path, typer.Option(help="Output .onnx file.")] = Path("model.onnx"),
    max_side: Annotated[int, typer.Option(help="Largest height/width the graph accepts (128 or more).")] = 2048,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing OUT file.")] = False,
) -> None:
    """Export to ONNX (dynamic H and W, multiples of the model's size multiple); report the onnxruntime difference."""
    with user_errors():
        check_number(max_side, "--max-side", low=128, high=65536, integer=True)
        plan_file(out, overwrite=overwrite, inputs=[model / "config.json", model / "model.safetensors"])
        try:
            net = from_pretrained(model)
        except WeightsError as exc:
            raise ValueError(str(exc)) from None
        export_onnx(net, out, max_side=max_side)
        g = torch.Generator().manual_seed(0)
        diff = onnx_max_difference(
            net, out, torch.rand(1, 3, 96, 128, generator=g), torch.rand(1, 3, 64, 64, generator=g)
        )
    typer.echo(f"wrote {out}; max |onnxruntime - pytorch| = {diff:.2e} on a 96x128 query")


@app.command("checkpoint")
def checkpoint(
    checkpoint: Annotated[Path, typer.Option(help=f"A run's checkpoint, e.g. runs/NAME/{LATEST}.")],
    out: Annotated[Path, typer.Option(help="Model folder to write (config.json + model.safetensors).")],
    ema: Annotated[bool, typer.Option(help="EMA weights, as the run's final model holds; --no-ema: raw.")] = True,
    overwrite: Annotated[bool, typer.Option(help="Replace the model files in an existing OUT folder.")] = False,
) -> None:
    """Write a model folder from a training checkpoint, to evaluate or run a run before it ends."""
    with user_errors():
        plan_folder(out, overwrite=overwrite, names=MODEL_FILES, inputs=[checkpoint])
        net, info = model_from_checkpoint(checkpoint, ema=ema)
        save_pretrained(net, out, record=info)
    typer.echo(f"wrote {out} ({info['weights']} weights at step {info['checkpoint_step']})")
