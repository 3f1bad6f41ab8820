"""One progress-callback protocol for the library's long loops (benchmark build, evaluation,
studies): ``progress(done, total, label)``, called after each unit of work.

Library code takes a :class:`Progress` and never a display object; a command line wraps its
progress bar in such a callback (``lambda done, total, label="": bar.update(...)``).
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """``done`` units of ``total`` finished (``total`` None: not known yet); ``label`` says
    what was just done (may be empty)."""

    def __call__(self, done: int, total: int | None, label: str = "") -> None: ...


def no_progress(done: int, total: int | None, label: str = "") -> None:
    """The default callback: report nothing."""


def prefixed(progress: Progress, prefix: str) -> Progress:
    """``progress`` with every label read as ``"<prefix>: <label>"``: for a run made of several
    loops (one per mode or model), each counting from 0 again."""

    def report(done: int, total: int | None, label: str = "") -> None:
        progress(done, total, f"{prefix}: {label}" if label else prefix)

    return report
