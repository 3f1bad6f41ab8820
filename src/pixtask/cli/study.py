"""``pixtask study``: the GenLV paper's studies, each writing its table (Markdown + JSON) and figure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from pixtask.cli._common import BOTH_HELP, check_both, user_errors
from pixtask.core.guards import check_number
from pixtask.core.output_plan import plan_folder
from pixtask.data.benchmark import Benchmark
from pixtask.evaluation.evaluator import evaluate
from pixtask.evaluation.report import write_report
from pixtask.models.hub import (
    DEFAULT_MODEL,
    DEFAULT_TEXT_MODEL,
    GENLV_REFERENCE_MODELS,
    WeightsError,
    from_pretrained,
    model_info,
)
from pixtask.pipelines import ARPipeline, GenLVPipeline, load_pipeline
from pixtask.tasks import resolve_tasks

app = typer.Typer(help="The GenLV paper's studies on your models.", no_args_is_help=True)

ModelOpt = Annotated[str, typer.Option(help="Model folder or shipped model name.")]
BenchOpt = Annotated[Path, typer.Option(help="Benchmark folder from `pixtask bench build`.")]
DeviceOpt = Annotated[str, typer.Option(help="auto, cpu, cuda, ...")]
OverwriteOpt = Annotated[bool, typer.Option(help="Replace the files of an earlier study in OUT.")]


def _pipeline(model: str, device: str = "auto", both: str = "check") -> GenLVPipeline | ARPipeline:
    try:
        return load_pipeline(model, device=device, tile=None, both=both)
    except WeightsError as exc:
        raise ValueError(str(exc)) from None


def _tasks(patterns: str, bench: Path) -> set[str]:
    return set(resolve_tasks(patterns, set(Benchmark.open(bench).tasks), strict=False))


def _ids(text: str) -> list[str]:
    """A comma-separated option as a list, blanks dropped."""
    return [t.strip() for t in text.split(",") if t.strip()]


def _plan_out(out: Path, overwrite: bool, *inputs: Path) -> Path:
    """OUT checked before any model runs: a new or empty folder, or with --overwrite one whose
    earlier study may be replaced; never a folder holding the benchmark or a model it reads."""
    return plan_folder(out, overwrite=overwrite, inputs=[p for p in inputs if Path(p).exists()])


def _bar_progress(bar: Progress):
    job = bar.add_task("running", total=None)
    return lambda done, total, label="": bar.update(job, completed=done, total=total, description=label)


@app.command("prompts")
def prompts(
    bench: BenchOpt,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/study/prompts"),
    model: ModelOpt = DEFAULT_MODEL,
    tasks: Annotated[str, typer.Option(help="Comma-separated task id patterns.")] = "*",
    device: DeviceOpt = "auto",
    overwrite: OverwriteOpt = False,
) -> None:
    """Prompt robustness: score every prompt pair of each task; mean and std per task."""
    from pixtask.studies.prompt_robustness import prompt_robustness, write_prompt_robustness

    with user_errors():
        _plan_out(out, overwrite, bench, Path(model))
        pipe = _pipeline(model, device)
        with Progress() as bar:
            result = prompt_robustness(pipe.predictor(), bench, _tasks(tasks, bench), progress=_bar_progress(bar))
        write_prompt_robustness(result, out, f"{model} on {bench}")
    for task, r in result.items():
        typer.echo(f"{task}: {r['mean']} +- {r['std']} ({r['metric']}, {r['prompts']} prompts)")
    typer.echo(f"wrote {out / 'prompt_robustness.md'} and {out / 'prompt_robustness.png'}")


@app.command("mismatch")
def mismatch_command(
    bench: BenchOpt,
    prompt_tasks: Annotated[str, typer.Option(help="Tasks whose prompts are given (comma-separated ids).")],
    input_tasks: Annotated[str, typer.Option(help="Tasks whose degraded inputs are used (comma-separated).")],
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/study/mismatch"),
    model: ModelOpt = DEFAULT_MODEL,
    max_queries: Annotated[int, typer.Option(help="Inputs per kind.")] = 4,
    device: DeviceOpt = "auto",
    overwrite: OverwriteOpt = False,
) -> None:
    """Prompts of one task on inputs of another (and on clean photos): how much the input changes."""
    from pixtask.studies.mismatch import mismatch, write_mismatch

    with user_errors():
        check_number(max_queries, "--max-queries", low=1, high=10_000, integer=True)
        _plan_out(out, overwrite, bench, Path(model))
        pipe = _pipeline(model, device)
        ps = _ids(prompt_tasks)
        qs = _ids(input_tasks)
        with Progress() as bar:
            result = mismatch(pipe.predictor(), bench, ps, qs, max_queries, progress=_bar_progress(bar))
        write_mismatch(result, out, f"{model} on {bench}")
    typer.echo(f"wrote {out / 'mismatch.md'}, {out / 'mismatch.png'} and {out / 'mismatch_grid.png'}")


@app.command("compare")
def compare(
    bench: BenchOpt,
    model: Annotated[
        list[str], typer.Option(help="NAME=FOLDER (repeat); FOLDER may contain {task} for a model per task.")
    ],
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/study/compare"),
    tasks: Annotated[str, typer.Option(help="Comma-separated task id patterns.")] = "*",
    title: Annotated[str, typer.Option(help="Table title.")] = "Model comparison",
    device: DeviceOpt = "auto",
    overwrite: OverwriteOpt = False,
) -> None:
    """Several models side by side (no-prompt ablation, specialists, scale), with identity."""
    from pixtask.studies.compare import compare_models, write_comparison

    with user_errors():
        columns = {}
        for item in model:
            name, sep, folder = item.partition("=")
            if not sep or not name or not folder:
                raise ValueError(f"--model takes NAME=FOLDER, got {item!r}")
            columns[name] = folder
        _plan_out(out, overwrite, bench, *(Path(f) for f in columns.values() if "{task}" not in f))
        with Progress() as bar:
            table = compare_models(
                columns,
                bench,
                lambda folder: _pipeline(folder, device).predictor(),
                _tasks(tasks, bench),
                progress=_bar_progress(bar),
            )
        write_comparison(table, list(columns), out, title)
    typer.echo(f"wrote {out / 'comparison.md'} and {out / 'comparison.png'}")


@app.command("zero-shot")
def zero_shot(
    bench: BenchOpt,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/study/zero-shot"),
    model: ModelOpt = DEFAULT_MODEL,
    held_out: Annotated[
        str | None, typer.Option(help="Held-out task ids; default: the benchmark's tasks the model was not trained on.")
    ] = None,
    device: DeviceOpt = "auto",
    overwrite: OverwriteOpt = False,
) -> None:
    """Tasks the model never saw, against identity, with the usual report and gallery."""
    with user_errors():
        _plan_out(out, overwrite, bench, Path(model))
        pipe = _pipeline(model, device)
        available = set(Benchmark.open(bench).tasks)
        if held_out:
            chosen = _tasks(held_out, bench)
        else:
            trained = model_info(model).get("trained_tasks")
            if trained is None:
                raise ValueError(f"{model} does not record its trained tasks; pass --held-out")
            chosen = available - set(trained)
            if not chosen:
                raise ValueError(f"every task of {bench} was in {model}'s training set")
        with Progress() as bar:
            results = evaluate(pipe.predictor(), bench, tasks=chosen, progress=_bar_progress(bar))
        summary = write_report(results, bench, out, f"zero-shot: {model} on held-out tasks")
    for task, t in summary["tasks"].items():
        typer.echo(f"{task}: {t['metric']} {t['model']} vs {t['baseline']} {t['baseline_value']} ({t['gain']:+})")
    typer.echo(f"wrote {out / 'results.md'} and {out / 'report.html'}")


@app.command("few-shot")
def few_shot(
    task: Annotated[str, typer.Option(help="The held-out task to adapt to.")],
    bench: BenchOpt,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/study/few-shot"),
    model: ModelOpt = DEFAULT_MODEL,
    strategies: Annotated[str, typer.Option(help="Comma-separated strategies (default: all).")] = "",
    shots: Annotated[int, typer.Option(help="Training pairs.")] = 5,
    steps: Annotated[int, typer.Option(help="Step cap per strategy (scratch gets twice).")] = 300,
    lr: Annotated[float, typer.Option(help="Learning rate.")] = 2e-4,
    photos: Annotated[str, typer.Option(help="Photo collection for the pairs (training split).")] = "bundled",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    device: DeviceOpt = "auto",
    overwrite: OverwriteOpt = False,
) -> None:
    """Every fine-tuning strategy and training from scratch on SHOTS pairs (the paper's Fig. 12)."""
    from pixtask.studies.few_shot import few_shot_study
    from pixtask.training.finetune import FewShotConfig

    with user_errors():
        check_number(shots, "--shots", low=1, high=10_000, integer=True)
        cfg = FewShotConfig(steps=steps, lr=lr, seed=seed, device=device)
        chosen = _ids(strategies) or None
        for name in chosen or ():
            FewShotConfig(strategy=name, steps=steps, lr=lr, seed=seed, device=device).validate()
        cfg.validate()  # every option, before a pair is written
        _plan_out(out, overwrite, bench, Path(model))
        base = from_pretrained(model)
        summary = few_shot_study(
            base,
            task,
            bench,
            out,
            cfg,
            chosen,
            shots=shots,
            photos=photos,
            progress=lambda done, total, label="": typer.echo(f"fine-tuning: {label}"),
        )
    for name, r in summary["rows"].items():
        typer.echo(f"{name}: test {r['test']} (best step {r['best_step']})")
    typer.echo(f"identity: {summary['identity']}; wrote {out / 'few_shot.md'} and {out / 'few_shot.png'}")


@app.command("specialists")
def specialists(
    config: Annotated[Path, typer.Option(help="The generalist's YAML config.")],
    tasks: Annotated[str, typer.Option(help="Comma-separated task ids (at least 2; the paper's study uses 6+).")],
    out: Annotated[Path, typer.Option(help="Root folder of the specialist runs.")] = Path("runs/specialists"),
    budget: Annotated[
        list[str] | None, typer.Option(help="split (generalist's steps / tasks) and/or same (its steps); default both.")
    ] = None,
    train: Annotated[bool, typer.Option(help="Train every planned run now (finished runs are skipped).")] = False,
) -> None:
    """Write (and optionally train) per-task specialists at two budgets and a group reference model."""
    from pixtask.studies.specialists import plan_specialists
    from pixtask.training.config import load_config, save_config
    from pixtask.training.run_folder import RunFolder
    from pixtask.training.trainer import Trainer

    with user_errors():
        base = load_config(config)
        chosen = _ids(tasks)
        runs = plan_specialists(base, chosen, out, tuple(budget or ("split", "same")))
        (out / "configs").mkdir(parents=True, exist_ok=True)
        for name, cfg in runs.items():
            save_config(cfg, out / "configs" / f"{name.replace('/', '--')}.yaml")
    typer.echo(f"wrote {len(runs)} configs to {out / 'configs'}")
    if not train:
        return
    for name, cfg in runs.items():
        run = RunFolder(cfg.out_dir)
        if run.is_finished():
            typer.echo(f"{name}: done already")
            continue
        resumable = run.has_checkpoint()
        trainer = Trainer(cfg, overwrite=not resumable)  # a folder this command planned, with no checkpoint yet
        if resumable:
            trainer.resume()
        typer.echo(f"{name}: training {cfg.steps} steps")
        trainer.fit()
    typer.echo(
        f"compare with: pixtask study compare --bench BENCH --model generalist=GENERALIST "
        f"--model same={out}/same/{{task}}/model --model split={out}/split/{{task}}/model "
        f"--model reference={out}/reference/model --tasks {tasks}"
    )


@app.command("modes")
def modes(
    bench: BenchOpt,
    out: Annotated[Path, typer.Option(help="Output folder (a report per mode, modes.md/json/png).")] = Path(
        "out/study/modes"
    ),
    model: Annotated[str, typer.Option(help="A model that reads words (folder or shipped name).")] = DEFAULT_TEXT_MODEL,
    visual_summary: Annotated[
        Path | None, typer.Option(help="summary.json of a visual-prompt model on the same benchmark.")
    ] = None,
    visual_name: Annotated[str, typer.Option(help="That model's name in the tables.")] = GENLV_REFERENCE_MODELS[0],
    tasks: Annotated[str, typer.Option(help="Comma-separated task id patterns.")] = "*",
    instructions: Annotated[
        str,
        typer.Option(
            help="Where the words come from: user (phrasings as people write them; the trained tasks), user-blind "
            "(a second set, written blind to the phrase banks), heldout (explanatory templates never trained on) or "
            "train."
        ),
    ] = "heldout",
    controls: Annotated[
        bool, typer.Option(help="Also tell the words mode empty, wrong-task and opposite words (controls).")
    ] = True,
    both: Annotated[str, typer.Option(help=BOTH_HELP)] = "check",
    device: DeviceOpt = "auto",
    overwrite: OverwriteOpt = False,
) -> None:
    """One model told by example, in words and both, beside identity and a visual-prompt model."""
    from pixtask.instructions.user_phrasings import SETS, user_phrasings
    from pixtask.studies.condition_modes import condition_mode_study, load_summary

    with user_errors():
        if instructions not in (*SETS, "heldout", "train"):
            raise ValueError(f"--instructions is {', '.join(SETS)}, heldout or train, not {instructions!r}")
        check_both(both)
        _plan_out(out, overwrite, bench, Path(model))
        chosen = _tasks(tasks, bench)
        if instructions in SETS and tasks == "*":  # the user phrasings cover the trained tasks
            chosen = {t for t in chosen if t in user_phrasings(instructions)}
        pipe = _pipeline(model, device, both)
        with Progress() as bar:
            result = condition_mode_study(
                pipe.predictor(),
                bench,
                out,
                name=model,
                trained_tasks=set(model_info(model).get("trained_tasks", [])),
                visual=load_summary(visual_summary) if visual_summary else None,
                visual_name=visual_name,
                tasks=chosen,
                instruction_split=instructions,
                progress=_bar_progress(bar),
                controls=controls,
                both_policy=getattr(pipe, "both", None),
            )
    t = result["targets"]
    aimed = f"{t['tasks']} trained restoration/enhancement tasks"
    typer.echo(f"in words beats identity on {t['instruction_beats_identity']}/{aimed}")
    typer.echo(
        f"both >= either alone on {t['both_at_least_either']}/{t['tasks']}; mean gains {t['mean_gain_over_identity']}"
    )
    if result.get("controls"):
        c = result["controls"]
        typer.echo(
            f"told in words (beats identity and wrong-task words by {c['margin_db']} dB) on {c['told_in_words']}/"
            f"{c['judged']} PSNR tasks; opposite words move the other way on {c['direction_pairs_opposed']}/"
            f"{c['direction_pairs']}"
        )
    typer.echo(f"wrote {out / 'modes.md'}, {out / 'modes.png'}")


# --- the Explanatory Instructions paper's zero-shot studies -----------------------------------
explanatory_app = typer.Typer(
    help="The Explanatory Instructions paper's zero-shot studies: the latent space of instructions, "
    "held-out words on trained tasks, and tasks neither model saw. Each part writes its JSON and PNG; "
    "every run rewrites OUT/zero_shot.md from the parts found there.",
    no_args_is_help=True,
)
app.add_typer(explanatory_app, name="explanatory")

ExplanatoryOut = Annotated[Path, typer.Option(help="Output folder shared by the parts.")]
EXPLANATORY_OUT = Path("out/study/explanatory")
ZeroShotConfig = Annotated[
    Path, typer.Option(help="Config the task-level models were trained with (its data.tasks are the trained tasks).")
]
ZERO_SHOT_CONFIG = Path("configs/studies/task-zero-shot.yaml")
HeldOut = Annotated[str, typer.Option(help="Comma-separated tasks neither task-level model was trained on.")]
HELD_OUT = "deblur-motion,white-balance,watercolor"
#: The commands the page shows beside each part (how docs/studies/explanatory was made).
EXPLANATORY_COMMANDS = {
    "space": "pixtask study explanatory space --out docs/studies/explanatory",
    "instruction": "pixtask study explanatory instruction --bench /root/bench-zs --out docs/studies/explanatory",
    "task": "pixtask study explanatory task --bench /root/bench-zs --heldout-only "
    "--explanatory runs/studies/zs-explanatory/model --terminological runs/studies/zs-terminological/model "
    "--out docs/studies/explanatory",
}


def _zero_shot_trained(config: Path) -> list[str]:
    from pixtask.training.config import load_config

    return list(load_config(config).data.tasks)


def _zero_shot_page(out: Path, result: dict) -> None:
    """Rewrite OUT/zero_shot.md from every part written there, and print this part's figures."""
    import json

    from pixtask.studies.zero_shot import write_zero_shot_page

    write_zero_shot_page(out, EXPLANATORY_COMMANDS)
    typer.echo(json.dumps({k: v for k, v in result.items() if k != "tasks"}, indent=1)[:3000])
    typer.echo(f"wrote {out / 'zero_shot.md'}")


@explanatory_app.command("tasks")
def explanatory_tasks(config: ZeroShotConfig = ZERO_SHOT_CONFIG, held_out: HeldOut = HELD_OUT) -> None:
    """The task-level benchmark's tasks (trained and held out), for `pixtask bench build --tasks`."""
    with user_errors():
        typer.echo(",".join([*_zero_shot_trained(config), *_ids(held_out)]))


@explanatory_app.command("space")
def explanatory_space(out: ExplanatoryOut = EXPLANATORY_OUT) -> None:
    """How MiniLM embeddings of explanatory instructions group by task (silhouette, figure)."""
    from pixtask.models.text_encoder import shared_encoder
    from pixtask.studies.instruction_space import instruction_space

    with user_errors():
        out.mkdir(parents=True, exist_ok=True)
        result = instruction_space(shared_encoder(), out)
        _zero_shot_page(out, result)


@explanatory_app.command("instruction")
def explanatory_instruction(
    bench: BenchOpt,
    out: ExplanatoryOut = EXPLANATORY_OUT,
    model: Annotated[str, typer.Option(help="A model that reads words (folder or shipped name).")] = DEFAULT_TEXT_MODEL,
    device: DeviceOpt = "auto",
) -> None:
    """Instruction-level zero-shot: trained tasks told by training-split vs held-out words."""
    from pixtask.models.text_encoder import shared_encoder
    from pixtask.studies.zero_shot import instruction_level_study

    with user_errors():
        out.mkdir(parents=True, exist_ok=True)
        trained = set(model_info(model).get("trained_tasks", []))
        pipe = _pipeline(model, device)
        with Progress() as bar:
            result = instruction_level_study(
                pipe.predictor(),
                bench,
                out,
                name=model,
                trained_tasks=trained,
                encoder=shared_encoder(),
                progress=_bar_progress(bar),
            )
        _zero_shot_page(out, result)


@explanatory_app.command("task")
def explanatory_task(
    bench: BenchOpt,
    explanatory: Annotated[Path, typer.Option(help="Model trained on explanatory instructions.")],
    terminological: Annotated[Path, typer.Option(help="Model trained on task names.")],
    out: ExplanatoryOut = EXPLANATORY_OUT,
    heldout_only: Annotated[bool, typer.Option(help="Skip the trained tasks' reference (about 1/9 the time).")] = False,
    config: ZeroShotConfig = ZERO_SHOT_CONFIG,
    held_out: HeldOut = HELD_OUT,
    device: DeviceOpt = "auto",
) -> None:
    """Task-level zero-shot: two models trained alike but told in explanatory words or task names,
    on tasks neither saw, told in words, by example and both."""
    from pixtask.studies.zero_shot import task_level_study

    with user_errors():
        out.mkdir(parents=True, exist_ok=True)
        trained = set() if heldout_only else set(_zero_shot_trained(config))
        models = {
            "explanatory": (_pipeline(str(explanatory), device).predictor(), "heldout"),
            "terminological": (_pipeline(str(terminological), device).predictor(), "terminological"),
        }
        with Progress() as bar:
            result = task_level_study(
                models,
                bench,
                out,
                heldout_tasks=set(_ids(held_out)),
                trained_tasks=trained,
                progress=_bar_progress(bar),
            )
        _zero_shot_page(out, result)
