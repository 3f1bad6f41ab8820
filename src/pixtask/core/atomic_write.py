"""Files that appear whole or not at all: every report, checkpoint, weight file and cache entry
pixtask writes goes through here, so an interrupted run never leaves a half-written file."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

STALE_TMP_SECONDS = 3600  # a temporary file this old was left by a killed writer


def _new_file_mode() -> int:
    """The mode open() would give a new file under the process umask (os.umask only reads by setting)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def remove_stale_temporaries(path: Path) -> None:
    """Delete temporary files of ``path`` that a killed writer left behind (older than an hour,
    so a write in progress in another process is never touched). The name is matched literally:
    an output called ``*.png`` must not sweep up other files' temporaries."""
    now = time.time()
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > STALE_TMP_SECONDS:
                tmp.unlink()


@contextlib.contextmanager
def atomic_target(path: str | os.PathLike, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write to; it replaces ``path`` only if the block
    finishes, so a crash or kill mid-write leaves the previous file (or none) whole.

    With ``overwrite=False`` the file is published only if ``path`` does not exist at that
    moment (a hard link, which fails atomically), so two processes writing the same name can
    never silently replace each other's file: the second gets :class:`FileExistsError`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes 0600, and some writers (safetensors) recreate the file: a written file
        # should read like any other, so the umask's mode is set just before it is published
        os.chmod(tmp, _new_file_mode())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise FileExistsError(f"{path}: already exists (written meanwhile by another process?)") from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_bytes_atomic(path: str | os.PathLike, data: bytes, *, overwrite: bool = True) -> Path:
    """Write a file so that it appears whole or not at all (temporary name, then rename);
    ``overwrite=False`` refuses an existing file, atomically (see :func:`atomic_target`)."""
    with atomic_target(path, overwrite=overwrite) as tmp:
        tmp.write_bytes(data)
    return Path(path)
