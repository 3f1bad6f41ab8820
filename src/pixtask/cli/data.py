"""``pixtask data``: triplet datasets (input, explanatory instruction, output) for other tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from pixtask.cli._common import console, user_errors

app = typer.Typer(help="Triplet datasets: build, show, import and export.", no_args_is_help=True)


@app.command("build")
def build(
    out: Annotated[Path, typer.Option(help="Output folder (a killed build run again resumes).")],
    tasks: Annotated[str, typer.Option(help="Task patterns, comma-separated (e.g. 'de*,white-balance').")] = "*",
    pairs: Annotated[int, typer.Option(help="Source pairs; each gives two records (both directions).")] = 1024,
    format: Annotated[str, typer.Option(help="parquet (Hugging Face datasets) or webdataset (tar).")] = "parquet",
    photos: Annotated[str, typer.Option(help="bundled, debian, all, or a folder (training split only).")] = "bundled",
    crop: Annotated[int, typer.Option(help="Side of the square crops.")] = 256,
    max_side: Annotated[int, typer.Option(help="Photos are shrunk to this longer side before cropping.")] = 512,
    seed: Annotated[int, typer.Option(help="Same seed and settings, same bytes.")] = 0,
    heldout_fraction: Annotated[float, typer.Option(help="Pairs told with held-out instructions.")] = 0.1,
    pairs_per_shard: Annotated[int, typer.Option(help="Pairs per shard file.")] = 256,
) -> None:
    """Write triplet shards that `datasets` and WebDataset read without pixtask."""
    with user_errors():
        from pixtask.data.triplets import TripletConfig, build_triplets

        config = TripletConfig(
            tasks=tasks.split(","),
            pairs=pairs,
            format=format,
            photos=photos,
            crop=crop,
            max_side=max_side,
            seed=seed,
            heldout_fraction=heldout_fraction,
            pairs_per_shard=pairs_per_shard,
        )
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
    out: Annotated[Path | None, typer.Option(help="Page to write (default FOLDER/samples.html).")] = None,
    count: Annotated[int, typer.Option(help="Records shown.")] = 24,
) -> None:
    """Render a page of records: input, instruction, output."""
    with user_errors():
        from pixtask.data.triplets import iter_triplets
        from pixtask.viz.triplet_page import write_triplet_page

        page = write_triplet_page(iter_triplets(folder, limit=count), out or folder / "samples.html", str(folder))
        typer.echo(f"wrote {page}")


@app.command("export")
def export(
    build: Annotated[Path, typer.Argument(help="A folder written by `pixtask data build`.")],
    out: Annotated[Path, typer.Option(help="Folder for decvt.json and its images (must not hold them yet).")],
) -> None:
    """Write a triplet build as DECVT JSON (the Explanatory Instructions release layout)."""
    with user_errors():
        from pixtask.data.decvt import export_triplets

        if (out / "decvt.json").exists():
            raise ValueError(f"{out / 'decvt.json'}: already exists; choose another --out")
        typer.echo(f"wrote {export_triplets(build, out)}")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="DECVT JSON or JSON Lines (the released layout).")],
    images: Annotated[Path | None, typer.Option(help="Folder relative image paths start from.")] = None,
    out: Annotated[Path | None, typer.Option(help="Also write the pairs, chains merged, as DECVT JSON here.")] = None,
) -> None:
    """Check a DECVT file and summarise it; train on it with `data.paired_folders: [FILE]`."""
    with user_errors():
        from collections import Counter

        from pixtask.data.decvt import read_decvt, write_decvt

        pairs = read_decvt(file, images)
        missing = sorted({str(p) for pair in pairs for p in (pair.a, pair.b) if not p.exists()})
        if missing:
            raise FileNotFoundError(f"{file}: {len(missing)} image(s) not found, e.g. {missing[0]}")
        directions = sum(bool(p.a_to_b) + bool(p.b_to_a) for p in pairs)
        chains = sum(1 for p in pairs if ":" in p.id and "-" in p.id.rsplit(":", 1)[1])
        tasks = Counter(p.task for p in pairs)
        typer.echo(
            f"{file}: {len(pairs)} pairs ({chains} from multi-turn chains), {directions} directions with words; "
            f"tasks: {', '.join(f'{t} {n}' for t, n in tasks.most_common())}"
        )
        if out is not None:
            typer.echo(f"wrote {write_decvt(pairs, out)}")
        typer.echo(f"train on it: add {file} to data.paired_folders in a training config")


@app.command("tokenize")
def tokenize(
    triplets: Annotated[Path, typer.Option(help="A folder written by `pixtask data build`.")],
    vq: Annotated[str, typer.Option(help="A trained VQ tokenizer folder (configs/vq-tiny.yaml).")],
    out: Annotated[Path, typer.Option(help="Output folder (a new one).")],
    image_size: Annotated[int, typer.Option(help="Square side the images are shrunk to.")] = 64,
    bpe_vocab: Annotated[int, typer.Option(help="BPE vocabulary size, trained on the training-split words.")] = 1024,
) -> None:
    """Pre-tokenize triplets for the token-AR model: VQ codes, BPE ids and sequence lengths."""
    with user_errors():
        from pixtask.data.tokens import pretokenize

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
