"""Where a run's outputs go, decided before any work is done, so nothing the user did not ask
to replace is lost: no output may be an input or a prompt file, two inputs may not map to one
output, and existing files are kept unless the caller says to overwrite them (each output is
checked by :func:`pixtask.core.output_plan.plan_file`, as every command's are)."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from pixtask.core.condition import Condition, ConditionError
from pixtask.core.image_io import IMAGE_SUFFIXES, check_output_format, write_image
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


class FileRunner:
    """Files in, files out, for any pipeline whose ``__call__(source, condition=...)`` returns
    an output with ``.array``: the write rules above in one place."""

    def resolve_condition(self, prompt, instruction, condition: Condition | None) -> Condition:
        """``condition`` as given, or the one ``prompt``/``instruction`` make (checked by the
        pipeline's own ``condition()``); giving both ways is refused."""
        if condition is None:
            return self.condition(prompt, instruction)
        if prompt is not None or instruction is not None:
            raise ConditionError("give either condition= or prompt=/instruction=, not both")
        return condition

    def run_file(
        self,
        source: str | os.PathLike | object,  # whatever the pipeline reads: path, PIL image, array
        target: str | os.PathLike,
        condition: Condition,
        *,
        overwrite: bool = False,
        on_tile: Callable[[int, int], None] | None = None,
    ) -> Path:
        """Predict ``source`` and write it to ``target``; an existing file is kept unless
        ``overwrite`` (the write is atomic and, without it, refuses a file that appeared
        meanwhile, e.g. from a concurrent run)."""
        check_output_format(target)
        return write_image(target, self(source, condition=condition, on_tile=on_tile).array, overwrite=overwrite)

    def run_folder(
        self,
        inputs: Sequence[Path],
        out_dir: str | os.PathLike,
        condition: Condition,
        progress: Callable[[int, int, Path], None] | None = None,
        *,
        overwrite: bool = False,
    ) -> list[Path]:
        """Run every input file and write PNGs of the same stem into ``out_dir`` (outputs are
        checked first, see :func:`~pixtask.pipelines.outputs.plan_outputs`)."""
        if not inputs:
            return []
        folder = Path(inputs[0]).parent
        if any(Path(p).parent != folder for p in inputs):
            raise ValueError("run_folder takes files of one folder")
        wanted = {Path(p) for p in inputs}
        pairs = [pair for pair in plan_outputs(folder, Path(out_dir), overwrite=overwrite) if pair[0] in wanted]
        written = []
        for i, (path, target) in enumerate(pairs, start=1):
            written.append(self.run_file(path, target, condition, overwrite=overwrite))
            if progress:
                progress(i, len(pairs), path)
        return written
