"""``pixtask instructions``: the explanatory instructions every task can be told with."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pixtask.cli._common import user_errors
from pixtask.core.guards import check_number, check_seed
from pixtask.core.output_plan import plan_folder
from pixtask.core.seeding import rng_for
from pixtask.tasks import get_task, list_tasks

app = typer.Typer(help="Explanatory instructions: tasks told by describing the change.", no_args_is_help=True)
SplitOpt = Annotated[str, typer.Option(help="train, or heldout (phrases and structures training never uses).")]


def _split(value: str) -> str:
    if value not in ("train", "heldout"):
        raise ValueError(f"--split must be train or heldout, got {value!r}")
    return value


def _samples(task_id: str, count: int, seed: int, split: str, level: int | None):
    from pixtask.data.task_instructions import describe_task

    task = get_task(task_id)
    level = level if task.levels else None
    if level is not None and level not in task.levels:
        raise ValueError(f"{task_id}: level must be one of {list(task.levels)}, got {level}")
    out = []
    for i in range(count):
        rng = rng_for(seed, "instructions", task_id, i)
        params = task.sample_params(rng, level)
        for direction in ("forward", "backward"):
            out.append(describe_task(task_id, params, rng, level=level, direction=direction, split=split))
    return out


@app.command("list")
def list_command(
    tasks: Annotated[str, typer.Option(help="Task id pattern.")] = "*",
    split: SplitOpt = "train",
    seed: Annotated[int, typer.Option(help="Random seed (the same seed gives the same instructions).")] = 0,
) -> None:
    """One instruction per task and direction."""
    with user_errors():
        ids = list_tasks(tasks) or [get_task(tasks).id]
        rows = [(t, s) for t in ids for s in _samples(t, 1, seed, _split(split), 3)]
    for task_id, ins in rows:
        typer.echo(f"{task_id} [{ins.direction}] {ins.text}")


@app.command("show")
def show(
    task: Annotated[str, typer.Argument(help="Task id, e.g. derain.")],
    count: Annotated[int, typer.Option(help="Parameter draws (each told both ways).")] = 3,
    level: Annotated[int, typer.Option(help="Severity 1-5 for tasks with levels.")] = 3,
    split: SplitOpt = "train",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Instructions for one task: input -> target (forward) and target -> input (backward)."""
    from pixtask.instructions import terminological

    with user_errors():
        check_number(count, "--count", low=1, high=1000, integer=True)
        check_number(level, "--level", low=1, high=5, integer=True)
        check_seed(seed, "--seed")
        samples = _samples(get_task(task).id, count, seed, _split(split), level)
    for ins in samples:
        typer.echo(f"[{ins.direction}, {ins.structure}] {ins.text}")
    typer.echo(f"terminological: {terminological(task)!r}; code: {terminological(task, list_tasks().index(task))!r}")


@app.command("stats")
def stats(
    out: Annotated[Path | None, typer.Option(help="Folder for stats.json, stats.md and the similarity figure.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the parameter draws.")] = 0,
    similarity: Annotated[
        bool, typer.Option(help="Also measure each held-out instruction's highest MiniLM cosine to training ones.")
    ] = False,
    per_task: Annotated[int, typer.Option(help="Training instructions sampled per task and direction.")] = 100,
    overwrite: Annotated[bool, typer.Option(help="Replace the stats files of an earlier run in OUT.")] = False,
) -> None:
    """Distinct instructions per task and split (both directions, levels 1/3/5) and overall."""
    from pixtask.data.task_instructions import instruction_counts
    from pixtask.instructions.engine import leaked_phrases

    with user_errors():
        check_number(per_task, "--per-task", low=1, high=100_000, integer=True)
        check_seed(seed, "--seed")
        if out is not None:
            from pixtask.studies.instruction_similarity import STATS_FILES

            plan_folder(out, overwrite=overwrite, names=STATS_FILES)
        counts = instruction_counts(seed)
    table = Table(
        title="distinct explanatory instructions (both directions, levels 1, 3, 5) and the phrases they are made of"
    )
    for col in ("task", "train", "phrases fwd/bwd", "held out", "phrases fwd/bwd "):
        table.add_column(col, justify="left" if col == "task" else "right")
    for task_id, c in counts.items():
        tp, hp = c["train_phrases"], c["heldout_phrases"]
        table.add_row(
            task_id,
            f"{c['train']:,}",
            f"{tp['forward']}/{tp['backward']}",
            f"{c['heldout']:,}",
            f"{hp['forward']}/{hp['backward']}",
        )
    total = {k: sum(c[k] for c in counts.values()) for k in ("train", "heldout")}
    table.add_row("all tasks", f"{total['train']:,}", "", f"{total['heldout']:,}", "", style="bold")
    Console().print(table)
    leaks = leaked_phrases()
    typer.echo(
        f"leak check: {len(leaks)} held-out phrases of any task inside a training phrase of any task"
        + (f" (first: {leaks[0][0]!r} in {leaks[0][1]!r})" if leaks else "")
    )
    result: dict = {"tasks": counts, "total": total, "leaked_phrases": [list(p) for p in leaks]}
    if similarity:
        from rich.progress import Progress

        from pixtask.models.text_encoder import TextEncoder
        from pixtask.studies.instruction_similarity import heldout_similarity

        with user_errors(), Progress(transient=True) as bar:
            job = bar.add_task("encoding with MiniLM", total=None)
            sim = heldout_similarity(
                TextEncoder(), per_task, seed, progress=lambda d, t: bar.update(job, completed=d, total=t)
            )
        result["heldout_similarity"] = sim
        q = sim["max_cosine"]
        typer.echo(
            f"held-out instructions: {sim['heldout']}; highest cosine to {sim['train_sample']:,} training ones: "
            f"min {q['min']}, p10 {q['p10']}, median {q['median']}, p90 {q['p90']}, max {q['max']}"
        )
    if out is not None:
        from pixtask.studies.instruction_similarity import write_stats

        write_stats(result, out)
        typer.echo(f"wrote {out / 'stats.md'} and {out / 'stats.json'}")


@app.command("describe")
def describe(
    pairs: Annotated[Path, typer.Option(help="Folder with input/ (A) and target/ (B) images of the same names.")],
    endpoint: Annotated[str, typer.Option(help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1.")],
    model: Annotated[str, typer.Option(help="Model name the endpoint serves.")],
    out: Annotated[Path | None, typer.Option(help="DECVT JSON to write (default PAIRS/decvt.json).")] = None,
    overwrite: Annotated[
        bool, typer.Option(help="Replace --out if it exists (to resume a run: replies received are cached).")
    ] = False,
    api_key_env: Annotated[str, typer.Option(help="Environment variable holding the API key.")] = "OPENAI_API_KEY",
    task: Annotated[str, typer.Option(help="Task label to record (default: unknown, never guessed).")] = "unknown",
    task_hint: Annotated[str | None, typer.Option(help="A sentence about the task, put before the prompt.")] = None,
    captions: Annotated[bool, typer.Option(help="Ask for captions first (the paper found it helps).")] = True,
    rpm: Annotated[float, typer.Option(help="Requests per minute at most (0: no limit).")] = 60.0,
    attempts: Annotated[int, typer.Option(help="Tries per pair (invalid replies and transient errors).")] = 5,
    timeout: Annotated[
        float, typer.Option(help="Seconds one try may take in all: connecting, sending and the whole reply.")
    ] = 120.0,
    max_retry_after: Annotated[
        float, typer.Option(help="Longest wait honoured when the endpoint sends Retry-After (seconds).")
    ] = 60.0,
) -> None:
    """Write explanatory instructions for your own before/after pairs with a vision-language
    model; replies are cached beside the output, so a run interrupted resumes (with --overwrite)."""
    with user_errors():
        from rich.markup import escape
        from rich.progress import Progress

        from pixtask.cli._common import console
        from pixtask.core.guards import check_label, check_number, check_text, printable
        from pixtask.core.output_plan import plan_file, plan_folder
        from pixtask.data.describe_pairs import describe_folder
        from pixtask.data.paired_folder import PairedFolder
        from pixtask.instructions import describer as d

        # every option checked before anything is read, sent or written
        d.check_endpoint(endpoint, "--endpoint")
        for name, value in (("--model", model), ("--task", task)):
            if not check_label(value, name, max_chars=256).strip():
                raise ValueError(f"{name}: is empty")
        d.check_env_name(api_key_env, "--api-key-env")
        if task_hint is not None:
            check_text(task_hint, "--task-hint")
        d.check_rpm(rpm, "--rpm")
        check_number(attempts, "--attempts", low=1, high=d.MAX_ATTEMPTS, integer=True)
        check_number(timeout, "--timeout", low=0, low_open=True, high=d.MAX_TIMEOUT_S)
        check_number(max_retry_after, "--max-retry-after", low=0, high=d.MAX_WAIT_S)

        folder = PairedFolder.open(pairs)
        images = [p for pair in folder.files.values() for p in pair]
        out = plan_file(out or pairs / "decvt.json", overwrite=overwrite, inputs=images)
        cache = out.parent / f".{out.name}.cache"  # updated in place: that is its purpose
        if cache.exists() and not cache.is_dir():
            raise ValueError(f"{cache}: the reply cache of {out} is not a folder; move it or choose another --out")
        plan_folder(cache, overwrite=True, inputs=images)
        config = d.DescriberConfig(
            endpoint, model, api_key_env, captions, task_hint, attempts=attempts, requests_per_minute=rpm,
            timeout_s=timeout, max_retry_after_s=max_retry_after,
        )  # fmt: skip

        def warn(message: str) -> None:
            console.print(f"[yellow]warning:[/yellow] {escape(printable(message))}", highlight=False)

        describer = d.Describer(config, cache, warn=warn)
        with Progress(console=console, transient=True) as progress:
            bar = progress.add_task("pairs", total=len(folder.stems))
            written, failed = describe_folder(
                folder,
                describer,
                out,
                task=task,
                on_pair=lambda n, total, stem, cached: progress.update(bar, completed=n),
            )
        typer.echo(f"{printable(str(out))}: {len(written)} pairs described ({describer.requests} requests sent)")
        for stem, why in failed.items():
            console.print(f"[red]failed:[/red] {escape(printable(stem))}: {escape(printable(why))}", highlight=False)
        if failed:
            raise typer.Exit(1)
