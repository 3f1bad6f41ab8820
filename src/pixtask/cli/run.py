"""``pixtask run``: apply a model to an image or a folder, told the task by example, in words, or both."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from pixtask.cli._common import BOTH_HELP, check_both, user_errors
from pixtask.core.condition import Condition
from pixtask.core.guards import check_number, check_seed, printable
from pixtask.core.image_io import ImageReadError
from pixtask.models.ar.decoding import MAX_SCALE, GenerationConfig, check_temperature
from pixtask.models.hub import default_model
from pixtask.pipelines import load_pipeline
from pixtask.pipelines.genlv_pipeline import KEPT_WAY
from pixtask.pipelines.outputs import plan_outputs


def run(
    input: Annotated[Path, typer.Option("--input", "-i", help="An image, or a folder of images.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output image (for one input) or folder.")],
    prompt: Annotated[tuple[Path, Path] | None, typer.Option(help="Example pair: PROMPT_INPUT PROMPT_TARGET.")] = None,
    instruction: Annotated[
        str | None, typer.Option(help='Words describing the change, e.g. "the falling streaks of water fade away".')
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            help="Model folder or shipped name (default: pixtask-naf-base, told any way; GenLV reference: "
            "pixtask-tiny, pixtask-tiny-text; ar-tiny: token-AR)."
        ),
    ] = None,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, cuda:1, ...")] = "auto",
    precision: Annotated[str, typer.Option(help="auto, fp32 or bf16.")] = "auto",
    tile: Annotated[int, typer.Option(help="Tile side for large images (0: never tile).")] = 512,
    overlap: Annotated[int, typer.Option(help="Tile overlap in pixels.")] = 64,
    both: Annotated[str, typer.Option(help=BOTH_HELP)] = "check",
    overwrite: Annotated[bool, typer.Option(help="Replace existing output files (never inputs).")] = False,
    temperature: Annotated[float, typer.Option(help="Token-AR models: sampling temperature (0: greedy).")] = 1.0,
    top_k: Annotated[int, typer.Option(help="Token-AR models: top-k among codes (0: a quarter of them).")] = 0,
    cfg: Annotated[float, typer.Option(help="Token-AR models: classifier-free guidance scale (1: none).")] = 1.0,
    seed: Annotated[int, typer.Option(help="Token-AR models: sampling seed (same seed, same image).")] = 0,
) -> None:
    """Predict INPUT's target, told the task by an example pair (--prompt), in words (--instruction), or both."""
    with user_errors():
        check_options(temperature, cfg, top_k, seed, tile, overlap)
        check_both(both)
        if prompt is None and instruction is None:
            raise ValueError("tell the task: --prompt PROMPT_INPUT PROMPT_TARGET, --instruction TEXT, or both")
        condition = Condition(prompt=prompt, instruction=instruction)  # checked before any work
        pairs = plan_outputs(input, output, prompt or (), overwrite=overwrite)
        told = "both" if prompt and instruction else ("example" if prompt else "instruction")
        name = model or default_model(told)
        pipe = load_pipeline(name, device=device, precision=precision, tile=tile or None, overlap=overlap, both=both)
        if hasattr(pipe, "generation"):  # a token-AR model samples its output
            pipe.generation = GenerationConfig(temperature=temperature, top_k=top_k, cfg=cfg, seed=seed)
        pipe.accepts(condition)  # the model's modes, before any image is read
        asked = condition  # as the user told it, for the summary line
        if hasattr(pipe, "way_for"):  # told both ways: checked once on the example pair, for every photo
            condition, _ = pipe.way_for(condition)
        with Progress() as bar:
            images = bar.add_task("images", total=len(pairs))
            tiles = bar.add_task("tiles", total=None, visible=False)

            def on_tile(done: int, total: int) -> None:  # large images: progress within one image
                bar.update(tiles, completed=done, total=total, visible=total > 1)

            skipped = []
            for src, dst in pairs:
                try:
                    pipe.run_file(src, dst, condition, overwrite=overwrite, on_tile=on_tile)
                except ImageReadError as exc:
                    if len(pairs) == 1:
                        raise
                    skipped.append(str(exc))  # one unreadable photo of a folder: the rest still run
                bar.update(images, advance=1)
        typer.echo(f"{name}, told by {printable(asked.describe())}")
        if asked.mode == "both" and condition.mode != "both":
            typer.echo(KEPT_WAY[condition.mode])
        written = len(pairs) - len(skipped)
        typer.echo(f"wrote {pairs[0][1]}" if len(pairs) == 1 else f"wrote {written} images to {output}")
        if skipped:
            n = f"{len(skipped)} of {len(pairs)}"
            raise ValueError(f"{n} inputs could not be read and were skipped: {'; '.join(skipped)}")


def check_options(temperature: float, cfg: float, top_k: int, seed: int, tile: int, overlap: int) -> None:
    """Numbers are checked where they are parsed, named as the user typed them."""
    check_temperature(temperature, "--temperature")
    check_number(cfg, "--cfg", low=0, high=MAX_SCALE)
    check_number(top_k, "--top-k", low=0, integer=True)
    check_seed(seed, "--seed")
    check_number(tile, "--tile", low=0, integer=True)
    check_number(overlap, "--overlap", low=0, integer=True)
    if tile and overlap * 2 >= tile:
        raise ValueError(f"--overlap: {overlap} must be under half of --tile ({tile})")
