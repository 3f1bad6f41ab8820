"""``pixtask tasks``: list the task library and look at what a task does."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from pixtask.cli._common import user_errors
from pixtask.core.geometry import center_square
from pixtask.core.guards import check_number, check_seed
from pixtask.core.image_io import check_output_format, read_image, write_image
from pixtask.core.output_plan import plan_file
from pixtask.core.seeding import rng_for
from pixtask.data.photos import bundled_photos
from pixtask.tasks import Category, get_task, list_tasks
from pixtask.viz import image_grid

app = typer.Typer(help="List tasks and show examples.", no_args_is_help=True)


@app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print a Markdown catalogue.")] = False,
    category: Annotated[str | None, typer.Option(help="Only this category.")] = None,
    pattern: Annotated[str, typer.Option(help="Shell-style pattern on task ids.")] = "*",
) -> None:
    """List the registered tasks with their category, metric and levels."""
    with user_errors():
        if category is not None and category not in {c.value for c in Category}:
            raise ValueError(f"unknown category {category!r}; use one of {[c.value for c in Category]}")
        tasks = [get_task(t) for t in list_tasks(pattern, category)]
    if as_json:
        typer.echo(json.dumps([t.summary() for t in tasks], indent=1))
        return
    if markdown:
        typer.echo(_markdown(tasks))
        return
    table = Table(title=f"{len(tasks)} tasks")
    for col in ("id", "category", "metric", "levels", "inverse", "cached"):
        table.add_column(col)
    for t in tasks:
        levels = f"{t.levels[0]}-{t.levels[-1]}" if t.levels else "-"
        table.add_row(t.id, t.category.value, t.metric.value, levels, t.inverse_id or "", "yes" if t.slow else "")
    Console(width=None if sys.stdout.isatty() else 160).print(table)


def _markdown(tasks) -> str:
    lines = [
        "| id | name | category | metric | levels | direction | what it does | pairing | inverse | cached |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for t in tasks:
        levels = "1-5" if t.levels else "-"
        lines.append(
            f"| `{t.id}` | {t.name} | {t.category.value} | {t.metric.value} | {levels} | {t.direction} | "
            f"{t.description} | "
            f"{t.pairing.describe()} | {t.inverse_id or ''} | {'yes' if t.slow else ''} |"
        )
    return "\n".join(lines)


@app.command("show")
def show(
    task_id: Annotated[str, typer.Argument(help="Task id, e.g. denoise-gaussian.")],
    out: Annotated[Path, typer.Option(help="Where to write the example grid (PNG).")] = Path("task.png"),
    photo: Annotated[Path | None, typer.Option(help="Photo to use (default: a bundled test photo).")] = None,
    size: Annotated[int, typer.Option(help="Side of the centred square crop.")] = 256,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing OUT file.")] = False,
) -> None:
    """Write a grid of (input, target) examples of a task at each of its levels."""
    with user_errors():
        check_number(size, "--size", low=32, high=4096, integer=True)
        check_seed(seed, "--seed")
        task = get_task(task_id)
        check_output_format(out)
        plan_file(out, overwrite=overwrite, inputs=[photo] if photo else [])
        path = photo or next(p.path for p in bundled_photos() if p.id == "bundled/chelsea")
        clean = center_square(read_image(path), size)
        rows, labels = [], []
        for level in task.levels or (None,):
            inp, tgt = task(clean, rng_for(seed, "show", task_id, level), level)
            rows.append([inp, tgt])
            labels.append("no levels" if level is None else f"level {level}")
        grid = image_grid(rows, col_labels=["input", "target"], row_labels=labels)
        write_image(out, grid, overwrite=overwrite)
    typer.echo(f"{task.name} ({task.id}): {task.description}")
    typer.echo(f"wrote {out} ({len(rows)} rows, {np.asarray(grid).shape[1]}x{np.asarray(grid).shape[0]} px)")
