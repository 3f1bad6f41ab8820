"""``pixtask demo``: the shipped model on the bundled test photos, as a before/after gallery.

It builds a small benchmark from the bundled photos (test split only: the shipped model never
saw them), runs the model with a prompt pair from another photo, and writes the evaluation
report beside a single gallery image, so a new user sees what the model does in a minute.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from pixtask.cli._common import user_errors
from pixtask.core.image_io import read_image, write_image
from pixtask.data.benchmark import BenchmarkConfig, build_benchmark, load_manifest
from pixtask.evaluation.evaluator import QueryResult, evaluate
from pixtask.evaluation.report import write_report
from pixtask.models.hub import DEFAULT_MODEL, WeightsError
from pixtask.pipelines import GenLVPipeline
from pixtask.viz.grid import image_grid

DEMO_TASKS = (
    "denoise-gaussian,deblur-gaussian,dejpeg,derain,desnow,dehaze,sr-x2,lowlight-enhancement,"
    "white-balance,clahe,cartoon,canny"
)


def demo(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/demo"),
    model: Annotated[str, typer.Option(help="Model folder or shipped model name.")] = DEFAULT_MODEL,
    tasks: Annotated[str, typer.Option(help="Comma-separated task id patterns.")] = DEMO_TASKS,
    level: Annotated[int, typer.Option(help="Severity for tasks that have levels (1-5).")] = 3,
    photos: Annotated[str, typer.Option(help="'bundled', 'debian', 'all' or a folder.")] = "bundled",
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, ...")] = "auto",
) -> None:
    """Run MODEL on test photos for a few tasks; write gallery.png, report.html and the numbers."""
    with user_errors():
        try:
            pipe = GenLVPipeline.from_pretrained(model, device=device, tile=None)
        except WeightsError as exc:
            raise ValueError(str(exc)) from None
        bench = out / "bench"
        config = BenchmarkConfig(photos=photos, tasks=tasks, levels=(level,), prompts=2)
        with Progress(transient=True) as bar:
            job = bar.add_task("building test pairs", total=None)

            def progress(done: int, total: int, label: str) -> None:
                bar.update(job, completed=done, total=total, description=label)

            build_benchmark(bench, config, progress=progress)
            results = evaluate(pipe.predictor(), bench, progress=progress)
        summary = write_report(results, bench, out, f"{model} on the {photos} test photos")
        write_image(out / "gallery.png", gallery(results, bench))
    table = Table(title=f"{model}: mean over {photos} test photos (level {level} where a task has levels)")
    for col in ("task", "metric", "model", "identity", "trivial", "gain", "over"):
        table.add_column(col)
    for task, t in summary["tasks"].items():
        trivial = f"{t['trivial']} ({t['trivial_name']})" if "trivial" in t else "-"
        table.add_row(task, t["metric"], str(t["model"]), str(t["identity"]), trivial, f"{t['gain']:+}", t["baseline"])
    Console().print(table)
    typer.echo(f"wrote {out / 'gallery.png'} and {out / 'report.html'}")


def gallery(results: list[QueryResult], bench: Path):
    """One row per task: query input, prompt pair, model output, target (first query of each)."""
    manifest = load_manifest(bench)
    by_key = {(s["task"], s["level"], s["role"], s["photo"]): s for s in manifest["samples"]}
    rows, labels = [], []
    for r in results:
        if r.output is None:
            continue
        q = by_key[(r.task, r.level, "query", r.query_photo)]
        p = by_key[(r.task, r.level, "prompt", r.prompt_photo)]
        rows.append(
            [
                read_image(bench / q["input"]),
                read_image(bench / p["input"]),
                read_image(bench / p["target"]),
                r.output,
                read_image(bench / q["target"]),
            ]
        )
        labels.append(r.task)
    return image_grid(
        rows,
        col_labels=["input (before)", "prompt input", "prompt target", "output (after)", "target"],
        row_labels=labels,
        tile=160,
    )
