"""Where a command's files go, decided before any work is done: every command that writes
(run, eval, export, data, instructions, models ship) asks here first, so nothing the user did
not ask to replace is lost. The writes themselves go through :mod:`pixtask.core.atomic_write`."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name one file (symlinks, ``..`` and hard links resolved)."""
    try:
        if Path(a).resolve() == Path(b).resolve():
            return True
        return os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)
    except OSError:
        return False


def as_typed(path: str | os.PathLike, root: str | os.PathLike) -> Path:
    """``path`` as a reader would type it in a recorded command: relative to ``root`` (the
    checkout) when it lies inside it, else as given."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve())
    except ValueError:
        return Path(path)


def plan_file(path: str | os.PathLike, *, overwrite: bool = False, inputs: Sequence[str | os.PathLike] = ()) -> Path:
    """``path`` if a new file may be written there: not a folder, not one of the command's
    ``inputs``, not existing unless ``overwrite`` (and never write-protected), and not below a
    file. Raises ValueError naming the file."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path}: is a folder; give a file name")
    clash = next((f for f in inputs if same_file(path, f)), None)
    if clash is not None:
        raise ValueError(f"{path}: is an input of this run ({clash}); choose another output")
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise ValueError(f"{parent}: is a file, so {path} cannot be written there")
    if path.exists() or path.is_symlink():
        if not overwrite:
            raise ValueError(f"{path}: already exists; pass --overwrite to replace it")
        check_replaceable(path)
    return path


def check_replaceable(path: Path) -> None:
    """Refuse a write-protected file even with ``--overwrite`` (root passes ``os.access``)."""
    if path.is_file() and (not path.stat().st_mode & 0o222 or not os.access(path, os.W_OK)):
        raise ValueError(f"{path}: is write-protected; not replacing it")


def plan_folder(
    path: str | os.PathLike,
    *,
    overwrite: bool = False,
    names: Iterable[str] | None = None,
    inputs: Sequence[str | os.PathLike] = (),
    hint: str = "choose a new folder or pass --overwrite",
) -> Path:
    """``path`` if a command may write its files there: a new or empty folder, or, with
    ``overwrite``, one whose files named in ``names`` (all the command writes) may be replaced.
    A folder that holds an input of the command is refused in any case. ``hint`` ends the
    message for a folder that is not empty (a command without ``--overwrite`` says otherwise)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{path}: exists and is not a folder; give a folder")
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise ValueError(f"{parent}: is a file, so the folder {path} cannot be made there")
    for f in inputs:
        if same_file(path, f) or Path(f).resolve().is_relative_to(path.resolve()):
            raise ValueError(f"{path}: holds an input of this run ({f}); choose another folder")
        if Path(f).is_dir() and path.resolve().is_relative_to(Path(f).resolve()):
            raise ValueError(f"{path}: is inside an input of this run ({f}); choose a folder outside it")
    if path.is_dir() and any(path.iterdir()):
        if not overwrite:
            raise ValueError(f"{path}: is not empty; {hint}")
        for name in names or ():
            if (path / name).exists():
                check_replaceable(path / name)
    return path
