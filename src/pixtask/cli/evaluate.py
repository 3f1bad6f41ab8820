"""``pixtask eval``: score a model (or the identity baseline) on a benchmark and write a report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from pixtask.cli._common import BOTH_HELP, check_both, user_errors
from pixtask.core.condition import check_mode
from pixtask.core.guards import check_number
from pixtask.core.output_plan import plan_folder
from pixtask.data.benchmark import Benchmark
from pixtask.evaluation.controls import SPLITS
from pixtask.evaluation.evaluator import evaluate
from pixtask.evaluation.report import REPORT_FILES, write_report
from pixtask.models.hub import WeightsError
from pixtask.pipelines import load_pipeline
from pixtask.tasks import resolve_tasks


def evaluate_command(
    bench: Annotated[Path, typer.Option(help="Benchmark folder from `pixtask bench build`.")],
    out: Annotated[Path, typer.Option(help="Report folder (a new or empty one, unless --overwrite).")] = Path(
        "out/eval"
    ),
    model: Annotated[
        str | None,
        typer.Option(help="Model folder or shipped model name (e.g. pixtask-naf-base); omit with --identity."),
    ] = None,
    identity: Annotated[bool, typer.Option(help="Evaluate the identity baseline (input as output).")] = False,
    tasks: Annotated[str, typer.Option(help="Comma-separated task id patterns.")] = "*",
    prompt: Annotated[
        bool, typer.Option(help="Tell each query its task by an example pair from the benchmark.")
    ] = True,
    instruction: Annotated[
        bool, typer.Option(help="Tell each query its task in words (an explanatory instruction of its change).")
    ] = False,
    instructions: Annotated[
        str,
        typer.Option(
            help="user (phrasings as people write them, never trained on; the trained tasks), user-blind (a second "
            "set, written blind to the phrase banks), heldout (explanatory templates never trained on), train "
            "(explanatory), or terminological (the task's name)."
        ),
    ] = "heldout",
    controls: Annotated[
        bool,
        typer.Option(
            help="With words: also tell each query empty words, another task's words and the opposite change's "
            "words, and report whether the words are read."
        ),
    ] = True,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, ...")] = "auto",
    precision: Annotated[str, typer.Option(help="auto, fp32 or bf16.")] = "auto",
    resize: Annotated[
        int | None, typer.Option(help="Shrink every image to a centred square of this side (ar-tiny: 64).")
    ] = None,
    both: Annotated[str, typer.Option(help=BOTH_HELP)] = "check",
    overwrite: Annotated[bool, typer.Option(help="Replace the report files of an earlier report in OUT.")] = False,
) -> None:
    """Per-task metrics beside the identity baseline, category averages, a chart and an HTML report."""
    with user_errors():
        if resize is not None:
            check_number(resize, "--resize", low=8, high=4096, integer=True)
        if (model is None) == (not identity):
            raise ValueError("give exactly one of --model DIR or --identity")
        if not (prompt or instruction):
            raise ValueError("tell the task somehow: --prompt, --instruction, or both")
        mode = "both" if prompt and instruction else ("example" if prompt else "instruction")
        check_both(both)
        if instructions not in SPLITS:
            raise ValueError(f"--instructions must be one of {', '.join(SPLITS)}, got {instructions!r}")
        built = Benchmark.open(bench)
        selected = set(resolve_tasks(tasks, set(built.tasks), strict=False))
        if identity:

            def predict(q, condition):
                return q

            title = "identity baseline"
        else:
            try:
                pipe = load_pipeline(model, device=device, precision=precision, tile=None, both=both)
            except WeightsError as exc:
                raise ValueError(str(exc)) from None
            check_mode(mode, pipe.model.config.modes, str(model))
            predict = pipe.predictor()
            title = f"{model} on {bench}, told by {'example and words (' + both + ')' if mode == 'both' else mode}"
            if resize:
                title += f", images shrunk to {resize}x{resize}"
        plan_folder(out, overwrite=overwrite, names=REPORT_FILES, inputs=[bench])
        with Progress() as bar:
            job = bar.add_task("evaluating", total=None)
            results = evaluate(
                predict,
                built,
                tasks=selected,
                mode=mode,
                instruction_split=instructions,
                resize=resize,
                progress=lambda d, t, label="": bar.update(job, completed=d, total=t, description=label),
                controls=controls and not identity,
            )
        summary = write_report(results, built, out, title)
    for cat, c in summary["categories"].items():
        typer.echo(
            f"{cat}: model {c['model']} vs identity {c['identity']}, stronger baseline {c['baseline']} "
            f"({c['beats_baseline']}/{c['tasks']} tasks beat it)"
        )
    if "controls" in summary:
        c = summary["controls"]
        typer.echo(
            f"told in words: {c['told_in_words']} of {c['judged']} PSNR tasks beat identity and the wrong-task words "
            f"by {c['margin_db']} dB; opposite words move the image the other way on {c['direction_pairs_opposed']} "
            f"of {c['direction_pairs']}"
        )
    typer.echo(f"wrote {out / 'results.md'}, {out / 'summary.json'}, {out / 'per_task.png'}, {out / 'report.html'}")
