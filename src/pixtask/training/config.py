"""Experiment configs: typed defaults, overridden by one YAML file and ``key=value`` flags.

Every override is checked against the field's type, and an unknown key names the known ones,
so a typo fails before any compute is spent. The resolved config is written into the run folder.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pixtask.core.guards import MAX_JSON_BYTES, MAX_JSON_DEPTH, check_file_size, json_depth
from pixtask.data.multitask import INSTRUCTION_STYLES
from pixtask.tasks import resolve_tasks
from pixtask.training.losses import LOSSES


@dataclass
class DataConfig:
    photos: str = "bundled"  # 'bundled', 'debian', 'all' or a folder; training split only
    tasks: list[str] = field(default_factory=lambda: ["*"])  # task id patterns
    weights: dict[str, float] = field(default_factory=dict)  # pattern -> sampling weight
    paired_folders: list[str] = field(default_factory=list)  # folders with input/ and target/, or DECVT .json
    crop: int = 64
    max_side: int = 512  # photos shrunk to this longer side before cropping
    workers: int = 2
    cache_dir: str | None = None  # disk cache for slow operators
    folder_instruction: str | None = None  # words that tell the paired folders' task (they have none)
    # condition dropout, mode -> weight ("example", "instruction", "both"); empty: every mode
    # the model reads, equally
    condition_modes: dict[str, float] = field(default_factory=dict)
    # how tasks are told in words: explanatory instructions (describe the change), or
    # terminological ones (the task's name), the Explanatory Instructions paper's comparison
    instruction_style: str = "explanatory"
    # of the samples told in words, the share told by words about their own pair (what was
    # measured to change in it, :mod:`pixtask.instructions.measured`) instead of a template
    measured_words: float = 0.0
    # the share of restoration samples told the opposite change (clean in, degraded out, words
    # describing the degradation), so the words and not the image decide the direction
    backward: float = 0.0
    # of the samples told by a template, the share told instead by a whole request as people
    # type it (pixtask.instructions.people_requests), for the tasks that have them
    people_words: float = 0.0
    # the token-AR model: a folder of pre-tokenized sequences (`pixtask data tokenize`), and the
    # share of sequences trained without their instruction (so classifier-free guidance is trained)
    tokens: str | None = None
    instruction_dropout: float = 0.1


@dataclass
class OptimConfig:
    lr: float = 1e-4  # the paper's learning rate
    betas: list[float] = field(default_factory=lambda: [0.9, 0.99])  # the paper's AdamW betas
    weight_decay: float = 0.0
    warmup_steps: int = 100
    min_lr_ratio: float = 0.01  # cosine decays to lr * min_lr_ratio
    grad_clip: float = 1.0  # max gradient norm; 0 disables
    ema_decay: float = 0.0  # 0 disables the EMA copy
    # the EMA's decay grows as (1 + step) / (10 + step) up to ema_decay, so a short or slow run's
    # average is not mostly its random start (0.999^400 = 0.67); off keeps older recipes as they ran
    ema_warmup: bool = False


@dataclass
class ValidationConfig:
    """Early stopping: every ``every`` steps score ``pairs`` (a folder with input/ and target/);
    the run keeps the best-scoring weights and stops after ``patience`` validations without
    improvement (0: never stops early)."""

    pairs: str | None = None
    every: int = 20
    patience: int = 0
    # how the validation queries are told their task: an example pair [input, target] (default:
    # the first training folder's first pair) and/or an instruction
    prompt: list[str] = field(default_factory=list)
    instruction: str | None = None
    mode: str = "example"  # example, instruction or both


@dataclass
class TrainConfig:
    model: str = "genlv-tiny"
    model_overrides: dict[str, Any] = field(default_factory=dict)
    data: DataConfig = field(default_factory=DataConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    validation: ValidationConfig = field(default_factory=ValidationConfig)
    # which parameters train: none (all of them) or a fine-tuning policy (training/policy.py)
    freeze: str = "none"
    steps: int = 1000
    batch_size: int = 8
    seed: int = 0
    device: str = "auto"
    precision: str = "auto"  # auto, fp32, bf16 (autocast)
    out_dir: str = "runs/default"
    log_every: int = 10
    checkpoint_every: int = 100
    sample_every: int = 0  # write a prompt/query/prediction/target grid every N steps (0: never)
    loss: str = "l1"  # l1 (the paper's) or relative-l1 (each sample's L1 over its identity L1)
    # weight of a term pulling the words' task embedding towards the example's on samples told
    # both ways (the model's alignment_loss: GenLV, CondNAFNet); 0 (default): none. docs/words.md measures it.
    text_alignment: float = 0.0
    # the tasks whose samples that term applies to (task ids from data.tasks); empty: every task.
    # A task whose words name a direction (darker, brighter) can be aligned without pulling the
    # words of tasks whose examples differ in direction (exposure) towards one example's.
    text_alignment_tasks: list[str] = field(default_factory=list)
    # weight of the cross-entropy that teaches a words' router (CondNAFNet with
    # model_overrides.word_anchors) to name the task of the samples told in words; 0: none
    word_routing: float = 0.0
    # refit that router's task classifier to the training split's instructions before the first
    # step, and restart its gate at word_router_gate (CondNAFNet.fit_word_router): a router
    # taught only by word_routing stayed a poor classifier behind a shut gate
    word_router_fit: bool = False
    word_router_gate: float = 0.5
    init_from: str | None = None  # start from a model folder or shipped name instead of random weights
    # torch.compile the model (2.45x faster training steps on an H200, minutes to compile; docs/gpu.md)
    compile: bool = False
    # NHWC activations: 6% faster steps on our CPU (docs/training_speed.md); off so existing runs resume unchanged
    channels_last: bool = False
    # training minutes (the log's wall clock, summed over resumes) at which the model is saved
    # as OUT_DIR/snapshots/minNNN (quality per CPU-minute); empty: none
    snapshot_minutes: list[float] = field(default_factory=list)
    # stop, with a checkpoint to resume from, once the run's training clock (summed over
    # resumes) passes this many minutes; resume with a larger value (or 0) to go on. 0: run to ``steps``
    stop_minutes: float = 0.0

    def validate(self) -> None:
        positive = {
            "steps": self.steps,
            "batch_size": self.batch_size,
            "log_every": self.log_every,
            "checkpoint_every": self.checkpoint_every,
            "data.crop": self.data.crop,
            "data.max_side": self.data.max_side,
        }
        bad = [k for k, v in positive.items() if v < 1]
        if bad:
            raise ValueError(f"must be positive: {bad}")
        _check_finite(self)
        if self.optim.warmup_steps < 0:
            raise ValueError(f"optim.warmup_steps must be 0 or more, got {self.optim.warmup_steps}")
        if self.optim.grad_clip < 0:
            raise ValueError(f"optim.grad_clip must be 0 (off) or positive, got {self.optim.grad_clip}")
        if not 0 <= self.optim.min_lr_ratio <= 1:
            raise ValueError(f"optim.min_lr_ratio must be in [0, 1], got {self.optim.min_lr_ratio}")
        if self.optim.weight_decay < 0:
            raise ValueError(f"optim.weight_decay must be 0 or more, got {self.optim.weight_decay}")
        if self.data.workers < 0:
            raise ValueError(f"data.workers must be 0 or more, got {self.data.workers}")
        if self.sample_every < 0:
            raise ValueError(f"sample_every must be 0 (never) or positive, got {self.sample_every}")
        if not self.data.tasks or not all(isinstance(t, str) and t for t in self.data.tasks):
            raise ValueError(f"data.tasks must be a non-empty list of task id patterns, got {self.data.tasks!r}")
        if self.data.instruction_style not in INSTRUCTION_STYLES:
            raise ValueError(
                f"data.instruction_style must be one of {INSTRUCTION_STYLES}, got {self.data.instruction_style!r}"
            )
        if self.text_alignment < 0:
            raise ValueError(f"text_alignment must be 0 or more, got {self.text_alignment}")
        if self.word_routing < 0:
            raise ValueError(f"word_routing must be 0 or more, got {self.word_routing}")
        if self.word_router_fit and not self.model_overrides.get("word_anchors"):
            raise ValueError("word_router_fit: the model has no words' router (set model_overrides.word_anchors)")
        if self.word_router_gate != 0.5 and not self.word_router_fit:
            raise ValueError("word_router_gate: set word_router_fit: true for the refit it starts the gate of")
        if not 0 < self.word_router_gate < 1:
            raise ValueError(f"word_router_gate must be strictly between 0 and 1, got {self.word_router_gate}")
        if self.text_alignment_tasks and not self.text_alignment:
            raise ValueError("text_alignment_tasks: set text_alignment above 0 for the term they select")
        anchors = self.model_overrides.get("word_anchors") or []
        named_tasks = (("text_alignment_tasks", self.text_alignment_tasks), ("model_overrides.word_anchors", anchors))
        for key, named in named_tasks:
            if not named:  # task ids, matched exactly as the objective does
                continue
            try:
                trained = set(resolve_tasks(self.data.tasks, strict=False))
            except ValueError:
                trained = set()
            unknown = [t for t in named if t not in trained]
            if unknown:
                raise ValueError(f"{key}: {unknown} not among data.tasks (task ids, not patterns)")
        if not 0 <= self.data.measured_words <= 1:
            raise ValueError(f"data.measured_words must be in [0, 1], got {self.data.measured_words}")
        if not 0 <= self.data.people_words <= 1:
            raise ValueError(f"data.people_words must be in [0, 1], got {self.data.people_words}")
        if not 0 <= self.data.backward <= 1:
            raise ValueError(f"data.backward must be in [0, 1], got {self.data.backward}")
        if not 0 <= self.data.instruction_dropout < 1:
            raise ValueError(f"data.instruction_dropout must be in [0, 1), got {self.data.instruction_dropout}")
        if self.data.crop > self.data.max_side:
            raise ValueError(f"data.crop {self.data.crop} is larger than data.max_side {self.data.max_side}")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in self.data.weights.values()):
            raise ValueError(f"data.weights must map task patterns to numbers, got {self.data.weights!r}")
        if self.data.crop % 32:
            raise ValueError(f"data.crop must be a multiple of 32 (GenLV's size multiple), got {self.data.crop}")
        if not 0 < self.optim.lr < 1:
            raise ValueError(f"optim.lr must be in (0, 1), got {self.optim.lr}")
        numbers = all(isinstance(b, int | float) and not isinstance(b, bool) for b in self.optim.betas)
        if len(self.optim.betas) != 2 or not numbers or not all(0 <= b < 1 for b in self.optim.betas):
            raise ValueError(f"optim.betas must be two numbers in [0, 1), got {self.optim.betas}")
        if not 0 <= self.optim.ema_decay < 1:
            raise ValueError(f"optim.ema_decay must be in [0, 1), got {self.optim.ema_decay}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be {' or '.join(LOSSES)}, got {self.loss!r}")
        if self.validation.mode not in ("example", "instruction", "both"):
            raise ValueError(f"validation.mode must be example, instruction or both, got {self.validation.mode!r}")
        if self.validation.mode != "example" and not self.validation.instruction:
            raise ValueError(f"validation.mode {self.validation.mode} needs validation.instruction")
        if self.validation.prompt and len(self.validation.prompt) != 2:
            raise ValueError(f"validation.prompt is an [input, target] pair of files, got {self.validation.prompt}")
        if self.validation.every < 1 or self.validation.patience < 0:
            raise ValueError("validation.every must be positive and validation.patience 0 or more")
        if self.stop_minutes < 0 or any(m <= 0 for m in self.snapshot_minutes):
            raise ValueError("stop_minutes must be 0 (no limit) or positive, and snapshot_minutes positive")
        if self.stop_minutes and self.validation.pairs:
            raise ValueError(
                "stop_minutes with validation.pairs: early stopping's best weights are not kept across sessions; "
                "use one or the other"
            )
        if self.precision not in ("auto", "fp32", "bf16"):
            raise ValueError(f"precision must be auto, fp32 or bf16, got {self.precision!r}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _check_finite(obj: Any, prefix: str = "") -> None:
    """No NaN or infinity anywhere in a config: such a value would silently poison training."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        values = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
        if dataclasses.is_dataclass(value):
            _check_finite(value, f"{prefix}{f.name}.")
        elif any(isinstance(v, float) and not math.isfinite(v) for v in values):
            raise ValueError(f"{prefix}{f.name}: must be finite, got {value}")


class ConfigTypeError(TypeError, ValueError):
    """A config value of the wrong type; a ValueError too, so the CLI reports it as a user error."""


def _check_type(key: str, value: Any, annotation: Any) -> Any:
    """Coerce ``value`` to ``annotation`` where that is lossless (int -> float), else raise."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        if value is None and type(None) in options:
            return None
        for option in options:
            if option is type(None):
                continue
            try:
                return _check_type(key, value, option)
            except ConfigTypeError:
                pass
        raise ConfigTypeError(f"{key}: expected {annotation}, got {value!r}")
    if origin in (list, dict):
        if not isinstance(value, origin):
            raise ConfigTypeError(f"{key}: expected a {origin.__name__}, got {value!r}")
        args = typing.get_args(annotation)
        if origin is list and args and args[0] in (int, float, str):  # e.g. [15, 5e-1]: each item checked
            return [_check_type(f"{key}[{i}]", v, args[0]) for i, v in enumerate(value)]
        return value
    if annotation is Any:
        return value
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if annotation is float and isinstance(value, str):
        try:  # YAML 1.1 reads 2e-4 (no dot) as a string
            return float(value)
        except ValueError:
            pass
    if annotation in (int, float) and isinstance(value, bool):
        raise ConfigTypeError(f"{key}: expected {annotation.__name__}, got a boolean")
    if not isinstance(value, annotation):
        raise ConfigTypeError(f"{key}: expected {annotation.__name__}, got {value!r} ({type(value).__name__})")
    return value


def _apply(obj: Any, updates: dict[str, Any], prefix: str = "") -> None:
    hints = typing.get_type_hints(type(obj))
    names = {f.name for f in dataclasses.fields(obj)}
    for key, value in updates.items():
        path = f"{prefix}{key}"
        if key not in names:
            raise KeyError(f"unknown config key {path!r}; known at this level: {sorted(names)}")
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigTypeError(f"{path}: expected a mapping, got {value!r}")
            _apply(current, value, prefix=f"{path}.")
        else:
            setattr(obj, key, _check_type(path, value, hints[key]))


def _parse_override(text: str) -> dict[str, Any]:
    if "=" not in text:
        raise ValueError(f"override {text!r} is not of the form key=value (e.g. optim.lr=3e-4)")
    key, raw = text.split("=", 1)
    try:
        _refuse_aliases(raw, f"override {key.strip()!r}")
        value = yaml.safe_load(raw)  # numbers, booleans, lists, null as YAML reads them
    except RecursionError:
        raise ValueError(f"override {key.strip()!r}: nested too deeply to read") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"override {key.strip()!r}: not valid YAML ({' '.join(str(exc).split())})") from None
    nested: dict[str, Any] = {}
    node = nested
    parts = key.strip().split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return nested


def _refuse_aliases(text: str, name: str) -> None:
    """A config needs no YAML anchors (aliases of aliases expand exponentially: "billion laughs")
    nor deep nesting (the YAML scanner slows down with the square of the depth)."""
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"{name}: nested {depth:,} levels deep; the limit is {MAX_JSON_DEPTH}")
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise ValueError(f"{name}: uses a YAML alias (*{event.anchor}); write the values out")


def load_config(path: str | os.PathLike | None = None, overrides: list[str] | None = None) -> TrainConfig:
    """Defaults, then the YAML file, then each ``key=value`` override; validated."""
    cfg = TrainConfig()
    if path is not None:
        try:
            if Path(path).exists() and not Path(path).is_dir():
                check_file_size(path, MAX_JSON_BYTES, "YAML config file")  # also refuses devices and FIFOs
            text = Path(path).read_text(encoding="utf-8")
            _refuse_aliases(text, str(path))
            data = yaml.safe_load(text)
        except RecursionError:
            raise ValueError(f"{path}: nested too deeply to read") from None
        except FileNotFoundError:
            raise FileNotFoundError(f"config file {path} does not exist") from None
        except IsADirectoryError:
            raise ValueError(f"{path}: is a folder; give a YAML config file such as configs/tiny.yaml") from None
        except UnicodeDecodeError as exc:
            raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from None
        if data is None:
            raise ValueError(f"{path}: the config file is empty; start from configs/tiny.yaml")
        if not isinstance(data, dict):
            raise ValueError(f"{path}: the top level must be a mapping of config keys")
        _apply(cfg, data)
    for text in overrides or []:
        _apply(cfg, _parse_override(text))
    cfg.validate()
    return cfg


# keys a resumed run may change: how it is logged, and its length (extending a finished run;
# the cosine schedule then follows the new length from the resumed step)
RESUMABLE_CHANGES = frozenset(
    {"out_dir", "log_every", "checkpoint_every", "sample_every", "steps", "snapshot_minutes", "stop_minutes"}
)


def flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"data": {"crop": 64}}`` -> ``{"data.crop": 64}``."""
    out: dict[str, Any] = {}
    for key, value in d.items():
        if isinstance(value, dict) and key not in ("model_overrides", "weights", "condition_modes"):
            out |= flatten(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


def result_differences(saved: dict[str, Any], current: TrainConfig) -> list[str]:
    """The keys (``key: saved -> now``) where ``current`` would train something other than the
    run ``saved`` was written by (:data:`RESUMABLE_CHANGES` may differ)."""
    # a key the saved run predates had its default then (e.g. compile, channels_last)
    old = flatten(TrainConfig().to_dict()) | flatten(saved)
    new = flatten(current.to_dict())
    keys = sorted((set(old) | set(new)) - RESUMABLE_CHANGES)
    return [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys if old.get(k) != new.get(k)]


def save_config(cfg: TrainConfig, path: str | os.PathLike) -> None:
    Path(path).write_text(yaml.safe_dump(json.loads(json.dumps(cfg.to_dict())), sort_keys=False))
