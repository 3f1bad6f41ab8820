"""``pixtask app``: the web app on this machine (Gradio, an optional extra: pip install 'pixtask[app]')."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pixtask.cli._common import user_errors
from pixtask.models.hub import DEFAULT_TEXT_MODEL, list_pretrained


def app_command(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 7860,
    host: Annotated[str, typer.Option(help="Interface to bind (default: this machine only).")] = "127.0.0.1",
    model: Annotated[
        list[Path] | None, typer.Option(help="Extra model folder(s) to offer beside the shipped ones.")
    ] = None,
    concurrency: Annotated[int, typer.Option(help="Requests run at once.")] = 1,
    queue: Annotated[int, typer.Option(help="Requests that may wait; more are refused.")] = 32,
    max_mb: Annotated[int, typer.Option(help="Largest upload, in MB.")] = 20,
    max_megapixels: Annotated[float, typer.Option(help="Largest upload, in megapixels.")] = 16.0,
    ttl: Annotated[int, typer.Option(help="Seconds before uploads and results are deleted.")] = 3600,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda, ...")] = "auto",
) -> None:
    """Launch the web app: tell a task by example or in words, see before/after."""
    with user_errors():
        from pixtask.app.server import build_app, launch
        from pixtask.app.service import Limits, PixtaskService

        models = {name: name for name in list_pretrained()}
        for folder in model or []:
            if not folder.is_dir():
                raise ValueError(f"{folder}: not a model folder")
            models[str(folder)] = str(folder)
        limits = Limits(max_bytes=max_mb * 2**20, max_pixels=int(max_megapixels * 1e6), file_ttl_s=ttl)
        service = PixtaskService(models, limits, device=device, workers=concurrency)
        default = DEFAULT_TEXT_MODEL if DEFAULT_TEXT_MODEL in models else next(iter(models))
        page = build_app(service, default, concurrency=concurrency, queue_size=queue)
        typer.echo(f"pixtask app on http://{host}:{port} (Ctrl+C to stop)")
        launch(page, host=host, port=port, max_bytes=limits.max_bytes)
