"""A user's before/after folder described by a vision-language model, written as DECVT JSON
(a training source: ``data.paired_folders: [that file]``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from pixtask.data.decvt import UNKNOWN_TASK, DecvtPair, write_decvt
from pixtask.data.paired_folder import PairedFolder
from pixtask.instructions.describer import DescribeError, Describer


def describe_folder(
    folder: PairedFolder,
    describer: Describer,
    out: str | os.PathLike,
    *,
    task: str = UNKNOWN_TASK,
    on_pair: Callable[[int, int, str, bool], None] | None = None,
) -> tuple[list[DecvtPair], dict[str, str]]:
    """Describe every pair of ``folder`` (input = A, target = B) and write DECVT JSON to ``out``
    after each one, so an interrupted run leaves a valid file and, with the describer's cache,
    resumes without asking again. Returns (pairs written, {stem: why it failed})."""
    pairs: list[DecvtPair] = []
    failed: dict[str, str] = {}
    for n, stem in enumerate(folder.stems, 1):
        a, b = folder.files[stem]
        try:
            d = describer.describe(a, b)
        except DescribeError as exc:
            failed[stem] = str(exc)
            if on_pair:
                on_pair(n, len(folder.stems), stem, False)
            continue
        pairs.append(DecvtPair(stem, Path(a), Path(b), d.a_to_b, d.b_to_a, task, d.captions))
        write_decvt(pairs, out)
        if on_pair:
            on_pair(n, len(folder.stems), stem, d.cached)
    return pairs, failed
