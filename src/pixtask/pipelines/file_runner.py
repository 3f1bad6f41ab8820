"""Files in, files out, for any pipeline: the base both pipelines share, so the write rules of
:mod:`pixtask.pipelines.outputs` apply to every model the same way."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from pixtask.core.condition import Condition, ConditionError, check_accepted
from pixtask.core.image_io import check_output_format, write_image
from pixtask.pipelines.outputs import plan_outputs


class FileRunner:
    """Files in, files out, for any pipeline whose ``__call__(source, condition=...)`` returns
    an output with ``.array``: the write rules above in one place."""

    def accepts(self, condition: Condition) -> Condition:
        """``condition`` if this pipeline's model can be told it (the modes its config declares)."""
        return check_accepted(condition, self.model.config.modes, self.model_name)

    model_name = "this model"  # how refusals name the model

    def resolve_condition(self, prompt, instruction, condition: Condition | None) -> Condition:
        """``condition`` as given (checked against the model's modes), or the one
        ``prompt``/``instruction`` make; giving both ways is refused."""
        if condition is None:
            return self.condition(prompt, instruction)
        if prompt is not None or instruction is not None:
            raise ConditionError("give either condition= or prompt=/instruction=, not both")
        return self.accepts(condition)

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
