"""A training run's folder: what the training loop writes there, and the one place that reads it back.

    OUT_DIR/
      config.yaml            the resolved training config
      log.csv                step, loss, lr, seconds: a row per logged step (read with the csv module)
      checkpoint-latest.pt   everything for an exact resume (checkpoint.LATEST)
      validation.csv         step, loss, val_psnr (runs with validation pairs)
      compile.json           the first (compiling) step's wall time (compile: true)
      loss.png               the loss curve
      samples/, tb/          sample grids, TensorBoard events
      model/                 the final model (save_pretrained), its training record in training.json

The trainer writes through :class:`RunFolder`; shipping a model (``pixtask models ship``), the
study commands and the benchmarks read through it, so a run is laid out and parsed one way.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import yaml

from pixtask.core.atomic_write import write_bytes_atomic
from pixtask.core.guards import read_json_file, read_text_file
from pixtask.models.hub import RECORD_NAME
from pixtask.training.checkpoint import LATEST
from pixtask.training.config import TrainConfig, save_config

CONFIG_NAME = "config.yaml"
LOG_NAME = "log.csv"
LOG_FIELDS = ("step", "loss", "lr", "seconds")
VALIDATION_NAME = "validation.csv"
VALIDATION_FIELDS = ("step", "loss", "val_psnr")
COMPILE_NAME = "compile.json"
LOSS_PLOT_NAME = "loss.png"
SNAPSHOTS_DIR = "snapshots"
SAMPLES_DIR = "samples"
BOARD_DIR = "tb"
MODEL_DIR = "model"
#: Logged batches averaged for a run's final loss: one batch is noisy (relative-l1 swings by 0.3).
TAIL = 10
MAX_CONFIG_BYTES = 1024 * 1024  # a config.yaml is a few KiB


@dataclass(frozen=True)
class LogRow:
    """One row of log.csv."""

    step: int
    loss: float
    lr: float
    seconds: float


@dataclass(frozen=True)
class RunSummary:
    """What a finished run's log says: steps trained, wall time, the mean of its last losses."""

    steps: int
    seconds: float
    tail_loss: float

    @property
    def hours(self) -> float:
        return self.seconds / 3600


class LogWriter:
    """log.csv open for the training loop: each row is flushed as it is written."""

    def __init__(self, fh: TextIO, elapsed: float) -> None:
        self._fh = fh
        self._writer = csv.writer(fh)
        self.elapsed = elapsed  # wall time already logged by the run this one continues

    def header(self) -> None:
        self._writer.writerow(LOG_FIELDS)

    def write(self, step: int, loss: float, lr: float, seconds: float) -> None:
        self._writer.writerow([step, f"{loss:.6f}", f"{lr:.3e}", f"{seconds:.2f}"])
        self._fh.flush()


class RunFolder:
    """The folder a training run writes (``out_dir``), by name."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"RunFolder({str(self.path)!r})"

    # --- layout -----------------------------------------------------------------------------
    @property
    def config_file(self) -> Path:
        return self.path / CONFIG_NAME

    @property
    def log_file(self) -> Path:
        return self.path / LOG_NAME

    @property
    def checkpoint(self) -> Path:
        """The checkpoint a resume continues from."""
        return self.path / LATEST

    @property
    def model_dir(self) -> Path:
        """The final model folder (written when the run ends)."""
        return self.path / MODEL_DIR

    @property
    def record_file(self) -> Path:
        return self.model_dir / RECORD_NAME

    @property
    def validation_file(self) -> Path:
        return self.path / VALIDATION_NAME

    @property
    def compile_file(self) -> Path:
        return self.path / COMPILE_NAME

    @property
    def loss_plot(self) -> Path:
        return self.path / LOSS_PLOT_NAME

    @property
    def board_dir(self) -> Path:
        return self.path / BOARD_DIR

    def snapshot_dir(self, minutes: float) -> Path:
        """The model saved when the training clock passed ``minutes`` (``snapshot_minutes``)."""
        return self.path / SNAPSHOTS_DIR / f"min{minutes:08.2f}".replace(".", "_")

    def snapshots(self) -> list[Path]:
        """The snapshot model folders written completely so far, earliest first."""
        folder = self.path / SNAPSHOTS_DIR
        if not folder.is_dir():
            return []
        done = [p for p in folder.glob("min*") if (p / "training.json").is_file() and "." not in p.name]
        return sorted(done, key=lambda p: float(p.name[3:].replace("_", ".")))

    def sample_path(self, step: int) -> Path:
        return self.path / SAMPLES_DIR / f"step{step:07d}.png"

    def has_checkpoint(self) -> bool:
        return self.checkpoint.is_file()

    def is_finished(self) -> bool:
        """Whether the run wrote its final model."""
        return self.model_dir.is_dir()

    def run_files(self) -> list[str]:
        """The names of a run's own files found here (empty: no run has written this folder)."""
        if not self.path.is_dir():
            return []
        return [n for n in (CONFIG_NAME, LOG_NAME, LATEST, MODEL_DIR, SNAPSHOTS_DIR) if (self.path / n).exists()]

    # --- reading ----------------------------------------------------------------------------
    def config(self) -> dict:
        """config.yaml as saved (the resolved config, a plain dict)."""
        if not self.config_file.is_file():
            raise FileNotFoundError(f"{self.config_file}: no training config; is {self.path} a training run?")
        try:
            data = yaml.safe_load(read_text_file(self.config_file, max_bytes=MAX_CONFIG_BYTES, what="config"))
        except yaml.YAMLError as exc:
            raise ValueError(f"{self.config_file}: not valid YAML ({' '.join(str(exc).split())})") from None
        if not isinstance(data, dict):
            raise ValueError(f"{self.config_file}: expected a mapping of config keys")
        return data

    def log(self) -> list[LogRow]:
        """log.csv's rows, parsed by column name with the csv module."""
        if not self.log_file.is_file():
            raise FileNotFoundError(f"{self.log_file}: no training log; is {self.path} a training run?")
        with self.log_file.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = [f for f in LOG_FIELDS if f not in (reader.fieldnames or [])]
            if missing:
                raise ValueError(f"{self.log_file}: no {', '.join(missing)} column; not a pixtask training log")
            rows = []
            for row in reader:
                try:
                    rows.append(LogRow(int(row["step"]), *(float(row[f]) for f in LOG_FIELDS[1:])))
                except (TypeError, ValueError):
                    raise ValueError(f"{self.log_file}: line {reader.line_num} is not a logged step") from None
        return rows

    def tail_loss(self, n: int = TAIL) -> float:
        """The mean of the last ``n`` logged losses."""
        return self.summary(n).tail_loss

    def summary(self, n: int = TAIL) -> RunSummary:
        """Steps, wall time and the mean of the last ``n`` logged losses, from log.csv."""
        rows = self.log()
        if not rows:
            raise ValueError(f"{self.log_file}: no logged steps")
        tail = rows[-n:]
        return RunSummary(rows[-1].step, rows[-1].seconds, sum(r.loss for r in tail) / len(tail))

    def record(self) -> dict:
        """The final model's training record (training.json; empty when it has none)."""
        if not self.record_file.is_file():
            return {}
        record = read_json_file(self.record_file)
        if not isinstance(record, dict):
            raise ValueError(f"{self.record_file}: expected a JSON object")
        return record

    # --- writing (the training loop) --------------------------------------------------------
    def write_config(self, cfg: TrainConfig) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        save_config(cfg, self.config_file)

    @contextlib.contextmanager
    def open_log(self, step: int, *, write: bool = True) -> Iterator[LogWriter]:
        """log.csv for a run starting at ``step``: a new log at step 0 (or when there is none);
        else the rows up to ``step`` are kept (a killed run's later rows dropped) and appended to,
        and ``elapsed`` is the wall time logged at ``step``. ``write=False`` (ranks other than 0)
        gives a writer to nowhere."""
        new = not self.log_file.exists() or step == 0
        elapsed = 0.0 if new or not write else self.truncate_log(step)
        with self.log_file.open("w" if new else "a", newline="") if write else open(os.devnull, "w") as fh:
            writer = LogWriter(fh, elapsed)
            if new:
                writer.header()
            yield writer

    def truncate_log(self, step: int) -> float:
        """Drop the rows a killed run logged after its last checkpoint (the resumed run logs those
        steps again) and return the wall time logged at ``step``, so "seconds" keeps counting."""
        with self.log_file.open(newline="") as fh:
            rows = list(csv.reader(fh))
        header, kept = rows[:1], [r for r in rows[1:] if r and int(r[0]) <= step]
        buf = io.StringIO()
        csv.writer(buf).writerows(header + kept)
        write_bytes_atomic(self.log_file, buf.getvalue().encode())  # a crash here must not lose the log
        return float(kept[-1][3]) if kept else 0.0

    def write_validation(self, rows: Sequence[dict]) -> None:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(VALIDATION_FIELDS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        write_bytes_atomic(self.validation_file, buf.getvalue().encode())

    def write_compile(self, record: dict) -> None:
        write_bytes_atomic(self.compile_file, (json.dumps(record) + "\n").encode())

    def plot_loss(self) -> None:
        """The loss curve from log.csv as loss.png (log-scale loss against step)."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        rows = self.log()
        if not rows:
            return
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot([r.step for r in rows], [r.loss for r in rows], lw=1)
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("training loss")
        fig.tight_layout()
        fig.savefig(self.loss_plot, dpi=110)
        plt.close(fig)
