"""A folder of real (input, target) pairs used as a task: ``root/input/x.png`` pairs with
``root/target/x.png`` (any image suffix), e.g. a user's copy of Rain13K or LOL."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pixtask.core.image_io import read_image
from pixtask.data.photos import IMAGE_SUFFIXES

PAIR_SOURCE_PREFIXES = ("folder:", "decvt:")  # task ids of pair sources, not registry tasks


@dataclass(frozen=True)
class PairedFolder:
    """Matching files of ``root/input`` and ``root/target``; the task id is ``folder:<name>``.

    Other pair sources (a DECVT file: :func:`pixtask.data.decvt.decvt_source`) are built as one
    too, with their own ``kind`` and words for each pair."""

    root: Path
    name: str
    files: dict[str, tuple[Path, Path]]  # stem -> (input file, target file), indexed once
    stems: tuple[str, ...]  # sorted, for seeded draws
    instructions: dict[str, str] = field(default_factory=dict)  # stem -> the pair's own words
    kind: str = "folder"

    @classmethod
    def open(cls, root: str | os.PathLike, name: str | None = None) -> PairedFolder:
        root = Path(root)
        inputs, targets = root / "input", root / "target"
        if not inputs.is_dir() or not targets.is_dir():
            raise FileNotFoundError(f"{root}: a paired folder needs 'input/' and 'target/' subfolders")

        def index(folder: Path) -> dict[str, Path]:
            return {p.stem: p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES}

        ins, tgs = index(inputs), index(targets)
        files = {stem: (ins[stem], tgs[stem]) for stem in sorted(set(ins) & set(tgs))}
        if not files:
            raise FileNotFoundError(f"{root}: no file names shared by input/ and target/")
        return cls(root, name or root.name, files, tuple(files))

    @property
    def task_id(self) -> str:
        return f"{self.kind}:{self.name}"

    def load_pair(self, stem: str) -> tuple[np.ndarray, np.ndarray]:
        input_file, target_file = self.files[stem]
        inp, tgt = read_image(input_file), read_image(target_file)
        if inp.shape != tgt.shape:
            raise ValueError(f"{self.root}: input and target of {stem!r} differ in size: {inp.shape} vs {tgt.shape}")
        return inp, tgt

    def sample_crop(self, rng: np.random.Generator, crop: int, stem: str | None = None):
        """An aligned random crop of one pair (both arrays cut at the same window)."""
        stem = stem or self.stems[int(rng.integers(len(self.stems)))]
        inp, tgt = self.load_pair(stem)
        h, w = inp.shape[:2]
        if min(h, w) < crop:
            raise ValueError(f"{self.root}: pair {stem!r} ({w}x{h}) is smaller than the crop size {crop}")
        top, left = int(rng.integers(0, h - crop + 1)), int(rng.integers(0, w - crop + 1))
        window = (slice(top, top + crop), slice(left, left + crop))
        return np.ascontiguousarray(inp[window]), np.ascontiguousarray(tgt[window]), stem
