"""Where a run's outputs go, decided before any work is done, so nothing the user did not ask
to replace is lost: no output may be an input or a prompt file, two inputs may not map to one
output, and existing files are kept unless the caller says to overwrite them (each output is
checked by :func:`pixtask.core.output_plan.plan_file`, as every command's are)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from pixtask.core.image_io import IMAGE_SUFFIXES, check_output_format
from pixtask.core.output_plan import plan_file, same_file


def input_files(source: Path) -> list[Path]:
    """The image files of a folder (sorted), or the one file given."""
    if source.is_dir():
        files = sorted(p for p in source.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
        if not files:
            raise FileNotFoundError(f"{source}: no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
        return files
    if not source.exists():
        raise FileNotFoundError(f"{source}: no such file or folder")
    return [source]


def plan_outputs(
    source: Path, output: Path, protected: Sequence[Path] = (), *, overwrite: bool = False
) -> list[tuple[Path, Path]]:
    """``(input, output)`` pairs for ``pixtask run``; raises ValueError naming the file when an
    output would replace an input, a ``protected`` file (the prompt pair), another output or,
    without ``overwrite``, any existing file (and a write-protected one even with it)."""
    files = input_files(source)
    if source.is_dir():
        if output.exists() and not output.is_dir():
            raise ValueError(f"{output}: exists and is not a folder; give a folder for a folder of inputs")
        if same_file(output, source):
            raise ValueError(f"{output}: is the input folder; write the outputs to another folder")
        pairs = [(f, output / f"{f.stem}.png") for f in files]
    else:
        if output.is_dir():
            raise ValueError(f"{output}: is a folder; give an output file name such as {output / 'out.png'}")
        check_output_format(output)
        pairs = [(files[0], output)]
    if output.parent.exists() and not output.parent.is_dir():
        raise ValueError(f"{output.parent}: is a file, so {output} cannot be written there")
    by_output: dict[Path, list[Path]] = defaultdict(list)
    for src, dst in pairs:
        by_output[dst].append(src)
    for dst, srcs in by_output.items():
        if len(srcs) > 1:
            names = ", ".join(s.name for s in srcs)
            raise ValueError(f"{dst}: {names} would all be written here; rename them so their stems differ")
    for _, dst in pairs:
        plan_file(dst, overwrite=overwrite, inputs=[*files, *protected])
    return pairs
