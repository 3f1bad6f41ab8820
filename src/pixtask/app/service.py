"""What the app does for one request, without Gradio: read and check the uploads, build the
condition (a library task's example pair, an uploaded pair, an instruction, or a combination),
run the pipeline, and write the result. Every error a request meets comes out as an
:class:`AppError` with a one-line, printable message the page shows (an unexpected one as a
generic line, its traceback in the server log); nothing here shows a traceback or internal text to
the user, and request text reaches the log only through :func:`~pixtask.core.guards.printable`."""

from __future__ import annotations

import atexit
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pixtask.app.examples import example_pair
from pixtask.core.condition import Condition, ConditionError
from pixtask.core.guards import check_number, printable
from pixtask.core.image_io import ImageReadError, read_image, write_image
from pixtask.models.hub import WeightsError
from pixtask.pipelines import ARPipeline, GenLVPipeline, load_pipeline
from pixtask.pipelines.genlv_pipeline import KEPT_WAY

NO_TASK = "(none)"
#: What the page says when a request meets an error nobody planned for (details in the server log).
INTERNAL_ERROR = "the request failed on the server (an internal error); the server log has the details"
MAX_MESSAGE_CHARS = 300

log = logging.getLogger("pixtask.app")


class AppError(ValueError):
    """A request the app refuses, with the reason to show in the page."""


def one_line(text: object, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` as one printable line of at most ``limit`` characters: safe for the page and the log."""
    line = printable(" ".join(str(text).split()))
    return line if len(line) <= limit else line[: limit - 3] + "..."


def shown(value: object, limit: int = 60) -> str:
    """A value a user sent (a name, an instruction), quoted and shortened for a message or the log."""
    if not isinstance(value, str):
        return one_line(repr(value), limit)
    return "'" + one_line(value[:limit] + ("..." if len(value) > limit else ""), limit + 3) + "'"


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 2**20  # an uploaded file
    max_pixels: int = 16_000_000  # an uploaded image (4000 x 4000)
    file_ttl_s: int = 3600  # results are deleted after this

    def __post_init__(self) -> None:
        check_number(self.max_bytes, "max_bytes", low=1, integer=True)
        check_number(self.max_pixels, "max_pixels", low=1, integer=True)
        check_number(self.file_ttl_s, "file_ttl_s", low=1, high=365 * 86400)


@dataclass
class Result:
    input: np.ndarray
    output: np.ndarray
    path: Path  # the result as PNG, for the download button
    told: str  # how the model was told: "example", "instruction" or "both"
    example: tuple[np.ndarray, np.ndarray] | None  # the example pair used (synthesised or uploaded)
    seconds: float
    report: str  # one Markdown paragraph for the page


class PixtaskService:
    """One per app: the pipelines (loaded once per model, shared by requests) and the limits.

    Requests are computed on ``workers`` long-lived threads, whatever thread asks: glibc gives each
    thread that allocates its own memory arena, and a web server's many short-lived request threads
    made the resident memory climb burst after burst (measured: 1.3 GB on one thread, 2.5-3.6 GB
    spread over new threads)."""

    def __init__(
        self, models: dict[str, str], limits: Limits | None = None, device: str = "auto", workers: int = 1
    ) -> None:
        if not models:
            raise ValueError("the app needs at least one model")
        self.models, self.limits, self.device = models, limits or Limits(), device
        self._compute = ThreadPoolExecutor(workers, thread_name_prefix="pixtask-compute")
        self._pipelines: dict[str, GenLVPipeline | ARPipeline] = {}
        self._lock = threading.Lock()
        self.out_dir = Path(tempfile.mkdtemp(prefix="pixtask-app-"))
        atexit.register(shutil.rmtree, self.out_dir, ignore_errors=True)
        # results are swept on a timer too, not only when the next request comes
        self._stop = threading.Event()
        threading.Thread(target=self._sweep_every, args=(self.sweep_period,), daemon=True).start()

    @property
    def sweep_period(self) -> float:
        """How often old files are looked for: often enough that none outlives its time by much."""
        return max(1.0, min(600.0, self.limits.file_ttl_s / 2))

    def _sweep_every(self, seconds: float) -> None:
        while not self._stop.wait(seconds):
            self.sweep()

    def close(self) -> None:
        """Stop the sweeper and delete every result now."""
        self._stop.set()
        self._compute.shutdown(wait=False, cancel_futures=True)
        shutil.rmtree(self.out_dir, ignore_errors=True)

    def pipeline(self, name: str) -> GenLVPipeline | ARPipeline:
        if not isinstance(name, str) or name not in self.models:
            raise AppError(f"unknown model {shown(name)}; choose one of {', '.join(self.models)}")
        with self._lock:
            if name not in self._pipelines:
                try:
                    self._pipelines[name] = load_pipeline(self.models[name], device=self.device)
                except WeightsError as exc:
                    raise AppError(one_line(exc)) from None
                except Exception as exc:  # a device that cannot take it, out of memory, ...
                    log.error("model %s could not be loaded: %s", shown(name), one_line(repr(exc), 2000))
                    raise AppError(f"the model {shown(name)} could not be loaded; the server log has why") from None
            return self._pipelines[name]

    def modes(self, name: str) -> tuple[str, ...]:
        """How the model can be told its task, as its config declares."""
        return self.pipeline(name).model.config.modes

    def read(self, path: str | os.PathLike | None, role: str) -> np.ndarray:
        """An uploaded image, checked against the limits; errors name the role, not a temp path."""
        if path is None:
            raise AppError(f"no {role} was given")
        try:
            size = os.path.getsize(path)
        except (OSError, TypeError, ValueError):  # gone (swept), not a path
            raise AppError(f"the {role} could not be read; upload it again") from None
        if size > self.limits.max_bytes:
            raise AppError(f"the {role} is {size / 2**20:.1f} MB; the limit is {self.limits.max_bytes / 2**20:.0f} MB")
        try:
            return read_image(path, max_pixels=self.limits.max_pixels)
        except ImageReadError as exc:
            reason = str(exc).split(": ", 1)[-1]
            raise AppError(f"the {role} could not be read as an image ({reason})") from None

    def run(
        self,
        image: str | os.PathLike | None,
        *,
        model: str,
        task: str | None = None,
        level: int | None = None,
        pair: tuple[str | None, str | None] = (None, None),
        instruction: str | None = None,
        on_tile=None,
    ) -> Result:
        """One request, computed on the service's own threads (see the class). Raises only
        :class:`AppError`, with a one-line printable message."""
        request = dict(model=model, task=task, level=level, pair=pair, instruction=instruction, on_tile=on_tile)
        about = f"model {shown(model)}, task {shown(task)}, instruction {shown(instruction)}"
        try:
            result = self._compute.submit(self._run, image, **request).result()
        except AppError as exc:
            message = one_line(exc)
            log.info("refused a request (%s): %s", about, message)
            raise AppError(message) from None
        except Exception as exc:  # a bug or the machine (out of memory): never shown raw to the user
            trace = "".join(traceback.format_exception(exc))
            log.error("a request failed (%s):\n%s", about, "\n".join(printable(t) for t in trace.splitlines()))
            raise AppError(INTERNAL_ERROR) from None
        log.info("served a request (%s) in %.2f s", about, result.seconds)
        return result

    def _run(self, image, *, model, task, level, pair, instruction, on_tile) -> Result:
        self.sweep()
        query = self.read(image, "input photo")
        example = None
        if task is not None and not isinstance(task, str):
            raise AppError(f"unknown task {shown(task)}; choose one from the library")
        if instruction is not None and not isinstance(instruction, str):
            raise AppError("the instruction must be text")
        if level is not None:
            try:
                level = int(check_number(level, "the severity", low=1, high=5))
            except ValueError as exc:
                raise AppError(str(exc).replace(": ", " ", 1)) from None
        if task and task != NO_TASK and any(pair):
            raise AppError("give one example: a task from the library or an uploaded pair, not both")
        if task and task != NO_TASK:
            try:
                p_in, p_out, source = example_pair(task, level, query)
            except (KeyError, ValueError) as exc:
                raise AppError(str(exc.args[0] if isinstance(exc, KeyError) else exc)) from None
            example = (p_in, p_out)
            how = f"an example pair of `{task}` synthesised from `{source}`"
        elif any(pair):
            if not all(pair):
                raise AppError("an uploaded example needs both images: before and after")
            example = (self.read(pair[0], "example's before image"), self.read(pair[1], "example's after image"))
            if example[0].shape != example[1].shape:
                raise AppError("the example's before and after images differ in size")
            how = "your example pair"
        words = (instruction or "").strip() or None
        try:
            condition = Condition(prompt=example, instruction=words)
            pipe = self.pipeline(model)
            started = time.perf_counter()
            out = pipe(query, condition=pipe.condition(condition.prompt, condition.instruction), on_tile=on_tile)
        except ConditionError as exc:
            raise AppError(re.sub(r"^the instruction: ", "the instruction ", str(exc))) from None
        seconds = time.perf_counter() - started
        path = write_image(Path(tempfile.mkdtemp(dir=self.out_dir)) / "pixtask-result.png", out.array)
        parts = [how] if example is not None else []
        parts += ["your instruction"] if words else []
        size = f"{query.shape[1]}x{query.shape[0]}"
        kept = "" if out.way == out.told else f"; {KEPT_WAY[out.way]}"
        report = f"**{model}** was told by {' and '.join(parts)} ({out.told}){kept}; {seconds:.2f} s for {size}."
        return Result(query, out.array, path, out.told, example, seconds, report)

    def sweep(self) -> None:
        """Delete results older than the time limit."""
        cutoff = time.time() - self.limits.file_ttl_s
        for folder in self.out_dir.glob("*"):
            try:
                if folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder)
            except FileNotFoundError:  # swept by another thread meanwhile
                pass
