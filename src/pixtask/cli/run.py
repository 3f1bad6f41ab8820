"""``pixtask run``: apply a visual-prompt model to an image or a folder of images."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from pixtask.cli._common import user_errors
from pixtask.data.photos import IMAGE_SUFFIXES
from pixtask.models.hub import DEFAULT_MODEL, WeightsError
from pixtask.pipelines import GenLVPipeline


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
) -> None:
    """Predict the target of INPUT given the example pair, e.g. a noisy crop and its clean version."""
    with user_errors():
        try:
            pipe = GenLVPipeline.from_pretrained(
                model, device=device, precision=precision, tile=tile or None, overlap=overlap
            )
        except WeightsError as exc:
            raise ValueError(str(exc)) from None
        if input.is_dir():
            files = sorted(p for p in input.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not files:
                raise FileNotFoundError(f"no images in {input}")
            with Progress() as bar:
                job = bar.add_task("running", total=len(files))
                pipe.run_folder(
                    files, output, prompt, progress=lambda done, total, path: bar.update(job, completed=done)
                )
            typer.echo(f"wrote {len(files)} images to {output}")
        else:
            from pixtask.core.image_io import write_image

            write_image(output, pipe(input, prompt).array)
            typer.echo(f"wrote {output}")
