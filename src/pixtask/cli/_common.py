"""Helpers shared by the command modules: turning library errors into clean CLI messages."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import typer
from rich.console import Console
from rich.markup import escape

from pixtask.core.image_io import ImageReadError
from pixtask.models.text_encoder import TextEncoderUnavailableError
from pixtask.pipelines.genlv_pipeline import BOTH_POLICIES

console = Console(stderr=True, soft_wrap=True)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Report expected errors (bad names, bad files, bad options) as one line and exit 2."""
    try:
        yield
    except (KeyError, ValueError, OSError, FloatingPointError, ImageReadError, TextEncoderUnavailableError) as exc:
        console.print(f"[red]error:[/red] {escape(_message(exc))}", highlight=False)
        raise typer.Exit(2) from None


def _message(exc: BaseException) -> str:
    """One line naming the file or key: OSErrors as 'PATH: reason', KeyErrors without quotes."""
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror.lower()}"
    return " ".join(str(exc).split())  # one line


BOTH_HELP = (
    "Told both ways: check (use the way, example or words, that best redoes the example pair) or fuse "
    "(give the network both at once)."
)


def check_both(value: str) -> str:
    """``--both`` as typed, if it is a policy the pipeline knows."""
    if value not in BOTH_POLICIES:
        raise ValueError(f"--both: must be {' or '.join(BOTH_POLICIES)}, got {value!r}")
    return value
