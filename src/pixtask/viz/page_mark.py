"""Pages we write carry a generator mark, so a command may regenerate its own page without
``--overwrite`` but never replaces a page (or any file) that someone else wrote."""

from __future__ import annotations

from pathlib import Path


def page_head(tool: str) -> str:
    """The first bytes of a page written by ``tool`` (e.g. "pixtask bench show")."""
    return f"<!doctype html><meta charset='utf-8'><meta name=generator content='{tool}'>"


def written_by(path: str | Path, tool: str) -> bool:
    """Whether ``path`` is a regular file that ``tool`` wrote (it starts with its :func:`page_head`)."""
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        return False
    head = page_head(tool).encode()
    try:
        with path.open("rb") as f:
            return f.read(len(head)) == head
    except OSError:
        return False
