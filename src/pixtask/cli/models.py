"""``pixtask models``: registered variants (GenLV, VQ tokenizer, token-AR) and shipped models."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pixtask.models import DEFAULT_MODEL, get_config, list_models, list_pretrained
from pixtask.models._registry import architecture_of, model_note
from pixtask.models.counting import count
from pixtask.models.genlv import GenLVConfig
from pixtask.models.hub import PRETRAINED_DIR, count_parameters, model_info

app = typer.Typer(help="List model variants.", no_args_is_help=True)


@app.command("list")
def list_(
    size: Annotated[int, typer.Option(help="Image side for the MAC count.")] = 256,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Variants with plain and thop-style parameter counts and MACs per sample at SIZE x SIZE."""
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
    """Models that ship inside the package, usable by name (e.g. --model pixtask-tiny)."""
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
        if info["architecture"] == "ARModel":
            told = "words"
        else:
            told = "example, words or both" if info.get("text_dim") else "example"
        table.add_row(
            name + (" (default)" if name == DEFAULT_MODEL else ""),
            told,
            f"{info['architecture']} dim {info['dim']}" + (", global residual" if info.get("global_residual") else ""),
            str(len(tasks)),
            str(info.get("training", {}).get("steps", info.get("trained_steps", "?"))),
            str(PRETRAINED_DIR / name),
        )
    Console(width=None if sys.stdout.isatty() else 200).print(table)
