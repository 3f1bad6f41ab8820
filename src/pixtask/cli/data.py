"""``pixtask data``: triplet datasets (input, explanatory instruction, output) for other tools.

Every option is checked where it is parsed and every output planned before any work (nothing
existing is replaced unless the command says so), so a bad input is one line, at once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from pixtask.cli._common import console, user_errors
from pixtask.core.guards import check_number

app = typer.Typer(help="Triplet datasets: build, show, import and export.", no_args_is_help=True)

#: Most records `data show` puts on one page (each embeds two PNG images).
MAX_SHOW_COUNT = 1000


def _option(field: str) -> str:
    return "--" + field.replace("_", "-")


@app.command("build")
def build(
    out: Annotated[
        Path,
        typer.Option(
            help="Output folder: a new or empty one, or a build of the same settings (a killed build run "
            "again resumes); anything else is refused."
        ),
    ],
    tasks: Annotated[str, typer.Option(help="Task patterns, comma-separated (e.g. 'de*,white-balance').")] = "*",
    pairs: Annotated[int, typer.Option(help="Source pairs; each gives two records (both directions).")] = 1024,
    format: Annotated[str, typer.Option(help="parquet (Hugging Face datasets) or webdataset (tar).")] = "parquet",
    photos: Annotated[str, typer.Option(help="bundled, debian, all, or a folder (training split only).")] = "bundled",
    crop: Annotated[int, typer.Option(help="Side of the square crops (16 to 2048).")] = 256,
    max_side: Annotated[int, typer.Option(help="Photos are shrunk to this longer side before cropping.")] = 512,
    seed: Annotated[int, typer.Option(help="Same seed and settings, same bytes.")] = 0,
    heldout_fraction: Annotated[float, typer.Option(help="Pairs told with held-out instructions (0 to 1).")] = 0.1,
    pairs_per_shard: Annotated[int, typer.Option(help="Pairs per shard file.")] = 256,
) -> None:
    """Write triplet shards that `datasets` and WebDataset read without pixtask."""
    with user_errors():
        from pixtask.data.triplets import TripletConfig, build_triplets, check_settings

        settings = {
            "tasks": [t for t in tasks.split(",") if t.strip()],
            "pairs": pairs,
            "format": format,
            "photos": photos,
            "crop": crop,
            "max_side": max_side,
            "seed": seed,
            "heldout_fraction": heldout_fraction,
            "pairs_per_shard": pairs_per_shard,
        }
        check_settings(settings, _option)
        config = TripletConfig(**settings)
        with Progress(console=console, transient=True) as progress:
            bar = progress.add_task("shards", total=config.shards)
            resumed = []

            def on_shard(done: int, total: int, skipped: bool) -> None:
                progress.update(bar, completed=done)
                if skipped:
                    resumed.append(done)

            config = build_triplets(config, out, on_shard=on_shard)
        again = f" ({len(resumed)} already there)" if resumed else ""
        typer.echo(
            f"{out}: {config.pairs * 2} records ({config.pairs} pairs x 2 directions) over "
            f"{len(config.task_ids)} tasks in {config.shards} {config.format} shards{again}"
        )


@app.command("show")
def show(
    folder: Annotated[Path, typer.Argument(help="A folder written by `pixtask data build`.")],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Page to write (default FOLDER/samples.html). An existing file is replaced only with "
            "--overwrite; the default page is the exception when it is a page `data show` wrote "
            "(it is regenerated), never anything else found there."
        ),
    ] = None,
    count: Annotated[int, typer.Option(help=f"Records shown (1 to {MAX_SHOW_COUNT}); only these are read.")] = 24,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing page.")] = False,
) -> None:
    """Render a page of records: input, instruction, output."""
    with user_errors():
        from pixtask.data.triplets import MANIFEST, iter_triplets, read_config, written_shards
        from pixtask.viz.triplet_page import is_triplet_page, write_triplet_page

        check_number(count, "--count", low=1, high=MAX_SHOW_COUNT, integer=True)
        config = read_config(folder)
        page = out if out is not None else folder / "samples.html"
        ours = out is None and is_triplet_page(page)  # our own generated page: regenerated
        inputs = [folder / MANIFEST, *written_shards(folder, config)]
        written = write_triplet_page(
            iter_triplets(folder, limit=count), page, str(folder), overwrite=overwrite or ours, inputs=inputs
        )
        typer.echo(f"wrote {written}")


@app.command("export")
def export(
    build: Annotated[Path, typer.Argument(help="A folder written by `pixtask data build`.")],
    out: Annotated[
        Path,
        typer.Option(
            help="Folder for decvt.json and its images: a new or empty one, or an export of the same "
            "build that was killed (run again, it resumes)."
        ),
    ],
) -> None:
    """Write a triplet build as DECVT JSON (the Explanatory Instructions release layout)."""
    with user_errors():
        from pixtask.data.decvt import export_triplets

        typer.echo(f"wrote {export_triplets(build, out)}")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="DECVT JSON or JSON Lines (the released layout).")],
    images: Annotated[Path | None, typer.Option(help="Folder relative image paths start from.")] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Also write the pairs, chains merged, as DECVT JSON here (never FILE or its images)."),
    ] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing --out file.")] = False,
) -> None:
    """Check a DECVT file and summarise it; train on it with `data.paired_folders: [FILE]`."""
    with user_errors():
        from collections import Counter

        from pixtask.core.image_io import ImageReadError, check_image_file
        from pixtask.core.output_plan import plan_file
        from pixtask.data.decvt import read_decvt, write_decvt

        if out is not None:
            plan_file(out, overwrite=overwrite, inputs=[file])
        pairs = read_decvt(file, images)
        named = sorted({p for pair in pairs for p in (pair.a, pair.b)})
        missing = [str(p) for p in named if not p.exists()]
        if missing:
            raise FileNotFoundError(f"{file}: {len(missing)} image(s) not found, e.g. {missing[0]}")
        for path in named:  # by size and header only: a file that is no image is named now, not in training
            try:
                check_image_file(path)
            except ImageReadError as exc:
                raise ValueError(f"{file}: {exc}") from None
        if out is not None:
            plan_file(out, overwrite=overwrite, inputs=[file, *named])
        directions = sum(bool(p.a_to_b) + bool(p.b_to_a) for p in pairs)
        chains = sum(1 for p in pairs if ":" in p.id and "-" in p.id.rsplit(":", 1)[1])
        tasks = Counter(p.task for p in pairs)
        typer.echo(
            f"{file}: {len(pairs)} pairs ({chains} from multi-turn chains), {directions} directions with words; "
            f"tasks: {', '.join(f'{t} {n}' for t, n in tasks.most_common())}"
        )
        if out is not None:
            typer.echo(f"wrote {write_decvt(pairs, out, overwrite=overwrite)}")
        typer.echo(f"train on it: add {file} to data.paired_folders in a training config")


@app.command("tokenize")
def tokenize(
    triplets: Annotated[Path, typer.Option(help="A folder written by `pixtask data build`.")],
    vq: Annotated[str, typer.Option(help="A trained VQ tokenizer folder (configs/vq-tiny.yaml).")],
    out: Annotated[Path, typer.Option(help="Output folder (a new or empty one).")],
    image_size: Annotated[int, typer.Option(help="Square side the images are shrunk to.")] = 64,
    bpe_vocab: Annotated[int, typer.Option(help="BPE vocabulary size, trained on the training-split words.")] = 1024,
) -> None:
    """Pre-tokenize triplets for the token-AR model: VQ codes, BPE ids and sequence lengths."""
    with user_errors():
        from pixtask.data.tokens import MAX_BPE_VOCAB, MAX_IMAGE_SIZE, MIN_BPE_VOCAB, pretokenize

        check_number(image_size, "--image-size", low=1, high=MAX_IMAGE_SIZE, integer=True)
        check_number(bpe_vocab, "--bpe-vocab", low=MIN_BPE_VOCAB, high=MAX_BPE_VOCAB, integer=True)
        with Progress(console=console, transient=True) as progress:
            bar = progress.add_task("records", total=None)
            manifest = pretokenize(
                triplets,
                vq,
                out,
                image_size=image_size,
                bpe_vocab=bpe_vocab,
                progress=lambda done: progress.update(bar, completed=done),
            )
        typer.echo(f"{out}: {manifest.count} sequences at {manifest.image_size}px, tokenized with {vq}")
