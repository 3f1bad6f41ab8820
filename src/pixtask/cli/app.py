"""``pixtask app``: the web app on this machine (Gradio, an optional extra: pip install 'pixtask[app]').

Every option is checked before Gradio starts (each refusal one line naming the option, exit 2):
numbers finite and in range, the device one this machine has, each ``--model`` a folder or a
shipped name whose weights load."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Annotated

import typer

from pixtask.cli._common import user_errors
from pixtask.core.guards import check_number, check_text, printable
from pixtask.models.hub import DEFAULT_TEXT_MODEL, list_pretrained

MAX_PORT = 65535
MAX_CONCURRENCY = 64  # requests computed at once, each on its own thread
MAX_QUEUE = 10_000
MAX_UPLOAD_MB = 10_240
MAX_MEGAPIXELS = 1_000.0
MAX_TTL_S = 30 * 86400


def check_options(
    *, port: int, host: str, concurrency: int, queue: int, max_mb: int, max_megapixels: float, ttl: int
) -> None:
    """Each number finite and in range, the host plain text; a ValueError naming the option."""
    check_number(port, "--port", low=1, high=MAX_PORT, integer=True)
    check_text(host, "--host", max_chars=253)
    if not host.strip():
        raise ValueError("--host: is empty; give an interface such as 127.0.0.1")
    check_number(concurrency, "--concurrency", low=1, high=MAX_CONCURRENCY, integer=True)
    check_number(queue, "--queue", low=1, high=MAX_QUEUE, integer=True)
    check_number(max_mb, "--max-mb", low=1, high=MAX_UPLOAD_MB, integer=True)
    check_number(max_megapixels, "--max-megapixels", low=0.01, high=MAX_MEGAPIXELS)
    check_number(ttl, "--ttl", low=1, high=MAX_TTL_S, integer=True)


def check_port_free(host: str, port: int) -> None:
    """Refuse a port this machine will not let the app listen on (in use, or privileged), before
    anything is loaded; Gradio checks again when it binds."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds it
            s.bind((host, port))
    except OSError as exc:
        reason = printable(exc.strerror or str(exc)).lower()
        if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
            raise ValueError(f"--host: {printable(host)} is not an interface of this machine ({reason})") from None
        raise ValueError(f"--port: {port} on {printable(host)} cannot be listened on ({reason})") from None


def check_device(device: str) -> str:
    """``device`` if this machine has it (auto, cpu, cuda, cuda:N, mps)."""
    import torch

    from pixtask.core.device import resolve_device

    try:
        dev = resolve_device(device)
    except ValueError as exc:
        raise ValueError(f"--device: {exc}") from None
    shown = printable(device)
    if dev.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"--device: {shown!r} cannot run the app; use auto, cpu, cuda or cuda:N")
    if dev.type == "cuda" and (dev.index or 0) >= torch.cuda.device_count():
        raise ValueError(f"--device: {shown!r}: this machine has {torch.cuda.device_count()} CUDA device(s)")
    if dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError("--device: 'mps' was requested but no MPS device is available")
    return device


def model_entries(entries: list[Path], shipped: list[str]) -> list[str]:
    """The extra models as the app names them: a folder, or a shipped model's name."""
    names = []
    for entry in entries:
        if entry.is_dir() or str(entry) in shipped:
            names.append(str(entry))
        else:
            raise ValueError(
                f"--model: {printable(str(entry))}: neither a model folder nor a shipped model "
                f"({', '.join(shipped) or 'none shipped'})"
            )
    return names


def app_command(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (1-65535).")] = 7860,
    host: Annotated[str, typer.Option(help="Interface to bind (default: this machine only).")] = "127.0.0.1",
    model: Annotated[
        list[Path] | None,
        typer.Option(help="Extra model folder(s) to offer beside the shipped ones."),
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
        check_options(
            port=port, host=host, concurrency=concurrency, queue=queue, max_mb=max_mb,
            max_megapixels=max_megapixels, ttl=ttl,
        )  # fmt: skip
        check_port_free(host, port)
        check_device(device)
        shipped = list_pretrained()
        extra = model_entries(model or [], shipped)
        try:
            from pixtask.app.server import build_app, import_gradio, serve
            from pixtask.app.service import AppError, Limits, PixtaskService

            import_gradio()
        except ImportError as exc:
            raise ValueError(str(exc)) from None  # no Gradio: one line saying how to install it

        models = {name: name for name in shipped}
        models.update({name: name for name in extra})
        limits = Limits(max_bytes=max_mb * 2**20, max_pixels=int(max_megapixels * 1e6), file_ttl_s=ttl)
        service = PixtaskService(models, limits, device=device, workers=concurrency)
        try:
            for name in extra:  # loaded now, so a broken folder is refused at start, not per request
                try:
                    service.pipeline(name)
                except AppError as exc:
                    raise ValueError(f"--model: {exc}") from None
            default = DEFAULT_TEXT_MODEL if DEFAULT_TEXT_MODEL in models else next(iter(models))
            page = build_app(service, default, concurrency=concurrency, queue_size=queue)
        except BaseException:
            service.close()
            raise
        typer.echo(f"pixtask app on http://{printable(host)}:{port} (Ctrl+C to stop)")
        try:
            serve(page, service, host=host, port=port, max_bytes=limits.max_bytes)
        except OSError as exc:  # Gradio's own wording names its launch() arguments
            reason = f" ({printable(exc.strerror)})" if exc.strerror else ""
            raise ValueError(
                f"--port: {port} on {printable(host)} cannot be served: in use or not allowed{reason}"
            ) from None
