"""``pixtask bench``: build a reproducible benchmark and view it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pixtask.cli._common import user_errors
from pixtask.data.benchmark import BenchmarkConfig, build_benchmark, verify_benchmark
from pixtask.viz.bench_page import write_bench_page

app = typer.Typer(help="Build and view benchmarks.", no_args_is_help=True)


def _parse_levels(levels: str | None) -> tuple[int, ...] | None:
    if levels is None or levels == "all":
        return None
    try:
        return tuple(int(v) for v in levels.split(","))
    except ValueError:
        raise ValueError(f"--levels takes 'all' or comma-separated integers, got {levels!r}") from None


@app.command("build")
def build(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/bench"),
    photos: Annotated[str, typer.Option(help="'bundled', 'debian', 'all' or a folder of photos.")] = "bundled",
    size: Annotated[int, typer.Option(help="Side of the square test images (multiple of 32).")] = 256,
    seed: Annotated[int, typer.Option(help="Root random seed.")] = 0,
    tasks: Annotated[str, typer.Option(help="Comma-separated task id patterns.")] = "*",
    levels: Annotated[str | None, typer.Option(help="'all' or e.g. '1,3,5'.")] = None,
    prompts: Annotated[int, typer.Option(help="Prompt pairs per task and level, one per photo.")] = 20,
    max_queries: Annotated[int | None, typer.Option(help="Cap on test photos per task and level.")] = None,
) -> None:
    """Write a fixed test set: query and prompt pairs for every task and level, plus a manifest."""
    with user_errors():
        config = BenchmarkConfig(photos, size, seed, tasks, _parse_levels(levels), prompts, max_queries)
        with Progress(
            TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
        ) as bar:
            job = bar.add_task("building", total=None)

            def progress(done: int, total: int | None, label: str = "") -> None:
                bar.update(job, completed=done, total=total, description=label)

            report = build_benchmark(out, config, progress=progress)
    for w in report.warnings:
        typer.echo(f"warning: {w}", err=True)
    typer.echo(
        f"wrote {report.samples} samples of {report.tasks} tasks ({report.prompt_photos} prompt photos per task) "
        f"to {out}; manifest: {out / 'manifest.json'}"
    )


@app.command("show")
def show(
    bench: Annotated[Path, typer.Argument(help="A folder written by `pixtask bench build`.")] = Path("out/bench"),
    overwrite: Annotated[
        bool, typer.Option(help="Replace an index.html that `bench show` did not write (its own is always renewed).")
    ] = False,
) -> None:
    """Write an HTML page of the benchmark's examples (index.html in the benchmark folder)."""
    with user_errors():
        page = write_bench_page(bench, overwrite=overwrite)
    typer.echo(f"wrote {page}")


@app.command("verify")
def verify(
    bench: Annotated[Path, typer.Argument(help="Benchmark folder.")] = Path("out/bench"),
    rebuild: Annotated[bool, typer.Option(help="Also render every sample again and compare the bytes.")] = False,
) -> None:
    """Check the folder against the manifest both ways, and the manifest against its config."""
    with user_errors():
        problems = verify_benchmark(bench, rebuild=rebuild)
    if problems:
        for line in problems[:20]:
            typer.echo(line, err=True)
        more = f" ({len(problems) - 20} more not shown)" if len(problems) > 20 else ""
        typer.echo(f"{len(problems)} problems{more}; rebuild with `pixtask bench build`", err=True)
        raise typer.Exit(1)
    done = "every file matches the manifest, and the manifest its config"
    typer.echo(done + (" and a rebuild" if rebuild else ""))
