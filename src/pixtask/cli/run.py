"""``pixtask run``: apply a visual-prompt model to an image or a folder of images."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from pixtask.cli._common import user_errors
from pixtask.models.hub import DEFAULT_MODEL
from pixtask.pipelines import GenLVPipeline
from pixtask.pipelines.outputs import plan_outputs


def run(
    input: Annotated[Path, typer.Option("--input", "-i", help="An image, or a folder of images.")],
    prompt: Annotated[tuple[Path, Path], typer.Option(help="Example pair: PROMPT_INPUT PROMPT_TARGET.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output image (for one input) or folder.")],
    model: Annotated[
        str, typer.Option(help="Folder with config.json + model.safetensors, or a shipped model's name.")
    ] = DEFAULT_MODEL,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, cuda:1, ...")] = "auto",
    precision: Annotated[str, typer.Option(help="auto, fp32 or bf16.")] = "auto",
    tile: Annotated[int, typer.Option(help="Tile side for large images (0: never tile).")] = 512,
    overlap: Annotated[int, typer.Option(help="Tile overlap in pixels.")] = 64,
    overwrite: Annotated[bool, typer.Option(help="Replace existing output files (never inputs).")] = False,
) -> None:
    """Predict the target of INPUT given the example pair, e.g. a noisy crop and its clean version."""
    with user_errors():
        pairs = plan_outputs(input, output, prompt, overwrite=overwrite)  # before any work
        pipe = GenLVPipeline.from_pretrained(
            model, device=device, precision=precision, tile=tile or None, overlap=overlap
        )
        with Progress() as bar:
            images = bar.add_task("images", total=len(pairs))
            tiles = bar.add_task("tiles", total=None, visible=False)

            def on_tile(done: int, total: int) -> None:  # large images: progress within one image
                bar.update(tiles, completed=done, total=total, visible=total > 1)

            for src, dst in pairs:
                pipe.run_file(src, dst, prompt, overwrite=overwrite, on_tile=on_tile)
                bar.update(images, advance=1)
    typer.echo(f"wrote {pairs[0][1]}" if len(pairs) == 1 else f"wrote {len(pairs)} images to {output}")
