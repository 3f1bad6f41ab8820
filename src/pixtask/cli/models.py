"""``pixtask models``: registered variants (GenLV, VQ tokenizer, token-AR), shipped models, and
shipping a finished run (``pixtask models ship``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pixtask.cli._common import user_errors
from pixtask.core.guards import check_number
from pixtask.models import DEFAULT_MODEL, get_config, list_models, list_pretrained
from pixtask.models._registry import architecture_of, model_note
from pixtask.models.counting import count
from pixtask.models.genlv import GenLVConfig
from pixtask.models.hub import PRETRAINED_DIR, count_parameters, load_config, model_info

app = typer.Typer(help="List model variants and shipped models; ship a finished run.", no_args_is_help=True)

#: How a model is told its task, from its config's ``modes``.
TOLD = {
    ("example",): "example",
    ("instruction",): "words",
    ("example", "instruction", "both"): "example, words or both",
}


@app.command("list")
def list_(
    size: Annotated[int, typer.Option(help="Image side for the MAC count.")] = 256,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Variants with plain and thop-style parameter counts and MACs per sample at SIZE x SIZE."""
    with user_errors():
        check_number(size, "--size", low=32, high=4096, integer=True)
        if size % 32:
            raise ValueError(f"--size: must be a multiple of 32 (GenLV's size multiple), got {size}")
    rows, others = [], []
    for name in list_models():
        cfg = get_config(name)
        if not isinstance(cfg, GenLVConfig):  # the VQ tokenizer and the token-AR model
            others.append(
                {
                    "name": name,
                    "architecture": architecture_of(cfg),
                    "params": count_parameters(cfg),
                    "note": model_note(name),
                }
            )
            continue
        rows.append(
            {
                "name": name,
                "dim": cfg.dim,
                "num_blocks": cfg.num_blocks,
                "refinement": cfg.num_refinement,
                "prompt_nf": cfg.prompt_nf,
                **count(cfg, size, size).summary(),
                "note": model_note(name),
            }
        )
    if as_json:
        typer.echo(json.dumps(rows + others, indent=1))
        return
    table = Table(title=f"GenLV variants (MACs per sample at {size}x{size}, thop convention)")
    for col in ("name", "dim", "blocks", "refine", "prompt nf", "params", "params (thop)", "GMACs", "note"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["name"],
            str(r["dim"]),
            str(r["num_blocks"]),
            str(r["refinement"]),
            str(r["prompt_nf"]),
            f"{r['params_plain_M']:.4f}M",
            f"{r['params_thop_M']:.4f}M",
            f"{r['gmacs_thop']:.2f}",
            r["note"],
        )
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(table)
    if others:
        extra = Table(title="Other architectures")
        for col in ("name", "architecture", "params", "note"):
            extra.add_column(col)
        for r in others:
            extra.add_row(r["name"], r["architecture"], f"{r['params'] / 1e6:.4f}M", r["note"])
        console.print(extra)


@app.command("shipped")
def shipped() -> None:
    """Models that ship inside the package, usable by name (e.g. --model pixtask-naf-base)."""
    names = list_pretrained()
    if not names:
        typer.echo("no shipped models in this installation")
        return
    table = Table(title="Shipped models")
    for col in ("name", "told by", "architecture", "trained tasks", "steps", "folder"):
        table.add_column(col)
    for name in names:
        info = model_info(name)
        tasks = info.get("trained_tasks", [])
        modes = tuple(load_config(PRETRAINED_DIR / name).modes)
        told = TOLD.get(modes, " or ".join(modes))
        table.add_row(
            name + (" (default)" if name == DEFAULT_MODEL else ""),
            told,
            _architecture(info),
            str(len(tasks)),
            str(info.get("training", {}).get("steps", info.get("trained_steps", "?"))),
            str(PRETRAINED_DIR / name),
        )
    Console(width=None if sys.stdout.isatty() else 200).print(table)


def _architecture(info: dict) -> str:
    """'GenLV dim 16, global residual' or 'CondNAFNet width 16': what a shipped model is."""
    if "dim" in info:
        residual = ", global residual" if info.get("global_residual") else ""
        return f"{info['architecture']} dim {info['dim']}{residual}"
    return f"{info['architecture']} width {info.get('width', '?')}"


@app.command("ship")
def ship(
    name: Annotated[str, typer.Option(help="Name of the shipped model (its folder under --into).")],
    run: Annotated[
        list[Path] | None, typer.Option(help="A finished training run (OUT_DIR); repeat for each stage, in order.")
    ] = None,
    config_path: Annotated[
        list[str] | None,
        typer.Option(help="GenLV: each stage's committed config, relative to --root (one per --run)."),
    ] = None,
    vq_run: Annotated[Path | None, typer.Option(help="Token-AR: the VQ tokenizer's training run.")] = None,
    tokens: Annotated[Path | None, typer.Option(help="Token-AR: the `pixtask data tokenize` folder.")] = None,
    eval_dir: Annotated[
        Path | None, typer.Option("--eval", help="GenLV: `pixtask eval` output of this model on test photos.")
    ] = None,
    classical: Annotated[
        Path | None, typer.Option(help="GenLV: benchmarks/classical_baselines.py JSON with a model column.")
    ] = None,
    modes: Annotated[
        Path | None, typer.Option(help="GenLV reading words: modes.json from `pixtask study modes`.")
    ] = None,
    extend: Annotated[
        str | None, typer.Option(help="GenLV: a shipped model whose recorded stages come before the given runs.")
    ] = None,
    refresh_results: Annotated[
        bool, typer.Option(help="Only rewrite the card's sections from --eval and --modes (no --run).")
    ] = False,
    into: Annotated[Path, typer.Option(help="Folder of shipped models.")] = PRETRAINED_DIR,
    root: Annotated[
        Path | None, typer.Option(help="Source checkout: committed configs, docs/ (default: the package's).")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace a shipped model of that name and its docs card.")] = False,
) -> None:
    """Turn finished training runs into a model shipped in the package, with its model card
    (README.md in the folder, copied to docs/models/NAME.md), generated from what the runs
    recorded and what the evaluations measured. GenLV weights are copied (fp32); token-AR
    weights are stored as fp16 and read back as fp32."""
    from pixtask.training import ship as shipping

    with user_errors():
        study = None
        if modes is not None:
            from pixtask.studies.condition_modes import category_table, load_summary

            result = load_summary(modes)
            study = shipping.ModesResult(modes, result, category_table(result))
        if refresh_results:
            if eval_dir is None and study is None:
                raise ValueError("--refresh-results needs --eval or --modes")
            if run:
                raise ValueError("--refresh-results rewrites a shipped card only; give no --run")
            for card in shipping.refresh_results(name, eval_dir, modes=study, root=root, into=into):
                typer.echo(f"refreshed {card}")
            return
        if not run:
            raise ValueError("give at least one --run (or --refresh-results)")
        shipped = shipping.ship(
            run,
            name,
            config_paths=config_path or (),
            vq_run=vq_run,
            tokens=tokens,
            eval_dir=eval_dir,
            classical=classical,
            modes=study,
            extend=extend,
            root=root,
            into=into,
            overwrite=overwrite,
        )
    typer.echo(
        f"shipped {name}: {shipped.parameters / 1e6:.2f}M parameters, {shipped.mib:.1f} MiB, "
        f"card: {shipped.folder / 'README.md'} (and {shipped.docs_card})"
    )
