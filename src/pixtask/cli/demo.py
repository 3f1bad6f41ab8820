"""``pixtask demo``: the shipped model on the bundled test photos, as a before/after gallery.

It builds a small benchmark from the bundled photos (test split only: the shipped model never
saw them) and tells the model each task two ways: by an example pair from another photo, and in
words (an explanatory instruction from the held-out split, never seen in training). It writes
the evaluation reports beside one gallery image, so a new user sees what the model does in a
minute. A model told by example only is run that way only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from pixtask.cli._common import user_errors
from pixtask.core.device import PRECISIONS
from pixtask.core.guards import check_number
from pixtask.core.image_io import read_image, write_image
from pixtask.data.benchmark import Benchmark, BenchmarkConfig, build_benchmark
from pixtask.evaluation.evaluator import QueryResult, evaluate
from pixtask.evaluation.report import write_report
from pixtask.models.hub import DEFAULT_TEXT_MODEL, WeightsError
from pixtask.pipelines import load_pipeline
from pixtask.viz.grid import image_grid

DEMO_TASKS = (
    "denoise-gaussian,deblur-gaussian,dejpeg,derain,desnow,dehaze,sr-x2,lowlight-enhancement,"
    "white-balance,clahe,cartoon,canny"
)


def demo(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/demo"),
    model: Annotated[str, typer.Option(help="Model folder or shipped model name.")] = DEFAULT_TEXT_MODEL,
    tasks: Annotated[str, typer.Option(help="Comma-separated task id patterns.")] = DEMO_TASKS,
    level: Annotated[int, typer.Option(help="Severity for tasks that have levels (1-5).")] = 3,
    photos: Annotated[str, typer.Option(help="'bundled', 'debian', 'all' or a folder.")] = "bundled",
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, ...")] = "auto",
    precision: Annotated[str, typer.Option(help="auto, fp32 or bf16.")] = "auto",
) -> None:
    """Run MODEL on test photos, told each task by example and in words; write a gallery and reports."""
    with user_errors():
        check_number(level, "--level", low=1, high=5, integer=True)
        if precision not in PRECISIONS:
            raise ValueError(f"--precision: must be one of {', '.join(PRECISIONS)}, got {precision!r}")
        try:
            pipe = load_pipeline(model, device=device, precision=precision, tile=None)
        except WeightsError as exc:
            raise ValueError(str(exc)) from None
        modes = [m for m in ("example", "instruction") if m in pipe.model.config.modes]
        bench = out / "bench"
        config = BenchmarkConfig(photos=photos, tasks=tasks, levels=(level,), prompts=2)
        with Progress(transient=True) as bar:
            job = bar.add_task("building test pairs", total=None)

            def progress(done: int, total: int | None, label: str = "") -> None:
                bar.update(job, completed=done, total=total, description=label)

            build_benchmark(bench, config, progress=progress)
            built = Benchmark.open(bench)
            results = {mode: evaluate(pipe.predictor(), built, mode=mode, progress=progress) for mode in modes}
        summaries = {
            mode: write_report(rows, built, out / mode, f"{model} on the {photos} test photos, told by {mode}")
            for mode, rows in results.items()
        }
        write_image(out / "gallery.png", gallery(results, built))
        if "instruction" in results:
            lines = ["# The words each task was told with (held-out instructions)", ""]
            lines += [f"- **{r.task}**: {r.instruction}" for r in results["instruction"] if r.output is not None]
            (out / "instructions.md").write_text("\n".join(lines) + "\n")
    Console().print(summary_table(summaries, modes, f"{model}, {photos} test photos, level {level}"))
    typer.echo("in brackets: the gain over the stronger of the input and a trivial answer (MAE: lower is better)")
    written = [out / "gallery.png", *(out / m / "report.html" for m in modes)]
    if "instruction" in results:
        written.append(out / "instructions.md")
    typer.echo("wrote " + ", ".join(map(str, written)))


#: short metric names, so the table fits an 80-column terminal beside the longest task id
METRIC_LABELS = {"psnr": "PSNR", "mae": "MAE", "perceptual-proxy": "style"}


def summary_table(summaries: dict[str, dict], modes: list[str], title: str) -> Table:
    """Per task: the score told each way with its gain, and the input's own score; two decimals
    and short metric names, so the table fits an 80-column terminal."""
    table = Table(title=title, title_justify="left")
    names = {"example": "by example", "instruction": "in words"}
    for col in ["task", "metric", *(names[m] for m in modes), "input"]:
        table.add_column(col, no_wrap=True, justify="left" if col in ("task", "metric") else "right")
    for task, t in summaries["example"]["tasks"].items():
        told = [
            f"{summaries[m]['tasks'][task]['model']:.2f} ({summaries[m]['tasks'][task]['gain']:+.2f})" for m in modes
        ]
        table.add_row(task, METRIC_LABELS.get(t["metric"], t["metric"]), *told, f"{t['identity']:.2f}")
    return table


def gallery(results: dict[str, list[QueryResult]], bench: str | Path | Benchmark):
    """One row per task: query input, prompt pair, the output told each way, target (first query of each)."""
    bench = Benchmark.open(bench)
    outputs = {mode: {r.task: r.output for r in rows if r.output is not None} for mode, rows in results.items()}
    rows, labels = [], []
    for r in results["example"]:
        if r.output is None:
            continue
        q = bench.pair(r.task, r.level, "query", r.query_photo)
        p = bench.pair(r.task, r.level, "prompt", r.prompt_photo)
        told = [outputs[mode][r.task] for mode in results]
        rows.append([read_image(q.input), read_image(p.input), read_image(p.target), *told, read_image(q.target)])
        labels.append(r.task)
    names = {"example": "output, told by example", "instruction": "output, told in words"}
    return image_grid(
        rows,
        col_labels=["input (before)", "prompt input", "prompt target", *(names[m] for m in results), "target"],
        row_labels=labels,
        tile=160,
    )
