"""Helpers shared by the command modules: turning library errors into clean CLI messages."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import typer
from rich.console import Console

from pixtask.core.image_io import ImageReadError

console = Console(stderr=True, soft_wrap=True)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Report expected errors (bad names, bad files, bad options) as one line and exit 2."""
    try:
        yield
    except (KeyError, ValueError, FileNotFoundError, ImageReadError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        console.print(f"[red]error:[/red] {msg}", highlight=False)
        raise typer.Exit(2) from None
