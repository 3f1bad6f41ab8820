"""save_pretrained / from_pretrained over a folder holding config.json + model.safetensors.

config.json holds the architecture's name and its constructor arguments only; what training
recorded (tasks, steps, where it started) goes into training.json beside it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import typing
import warnings
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from pixtask.core.atomic_write import atomic_target, write_bytes_atomic
from pixtask.core.condition import Mode
from pixtask.core.guards import read_json_file
from pixtask.models._registry import ARCHITECTURES, architecture_of, build_model, config_class

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
RECORD_NAME = "training.json"
#: What save_pretrained writes (and a model's assets, such as tokenizer.json).
MODEL_FILES = (CONFIG_NAME, WEIGHTS_NAME, RECORD_NAME, "tokenizer.json")
# keys older folders kept in config.json; they are read as the training record
LEGACY_RECORD_KEYS = frozenset(
    {
        "trained_tasks",
        "trained_steps",
        "init_from",
        "training",
        "from_checkpoint",
        "checkpoint_step",
        "weights",
        "finetuned_from",
        "strategy",
        "source",
    }
)
FORMAT = "pixtask-genlv/1"


PRETRAINED_DIR = Path(__file__).parent / "pretrained"
#: The default of every command: a CondNAFNet told by example, in words or both (the
#: quality-per-CPU-hour study's winner, docs/cpu_hour.md).
DEFAULT_MODEL = "pixtask-naf-base"
DEFAULT_TEXT_MODEL = DEFAULT_MODEL  # the shipped model that reads words, the app's and demo's default
#: The GenLV reference weights (the paper's architecture), still shipped and loadable by name.
GENLV_REFERENCE_MODELS = ("pixtask-tiny", "pixtask-tiny-text")
#: The shipped models a command uses when none is named, in order of preference: the first that
#: can be told the task the way the user told it (by example, in words, or both).
DEFAULTS = (DEFAULT_MODEL, *GENLV_REFERENCE_MODELS)
# A config.json asking for more parameters than this is refused before anything is allocated
# (a typo such as dim: 65536 would otherwise try to allocate a terabyte). genlv-giant has 0.4 B.
MAX_PARAMS = int(os.environ.get("PIXTASK_MAX_PARAMS", 2_000_000_000))
MAX_CONFIG_BYTES = 16 * 1024 * 1024  # config.json and training.json are a few KiB


class WeightsError(ValueError):
    """A weights folder is missing, incomplete, or does not fit the model."""


def list_pretrained() -> list[str]:
    """Names of the models shipped inside the package (each a folder in ``PRETRAINED_DIR``)."""
    if not PRETRAINED_DIR.is_dir():
        return []
    return sorted(p.name for p in PRETRAINED_DIR.iterdir() if (p / WEIGHTS_NAME).is_file())


def resolve_model_folder(name_or_folder: str | os.PathLike) -> Path:
    """A folder path as given, or the folder of a shipped model by name (e.g. ``pixtask-tiny``).

    A path wins over a shipped name, so a user's ``./pixtask-tiny`` folder is never shadowed.
    """
    folder = Path(name_or_folder)
    if folder.is_dir():
        return folder
    if str(name_or_folder) in list_pretrained():
        return PRETRAINED_DIR / str(name_or_folder)
    shipped = ", ".join(list_pretrained()) or "none"
    raise WeightsError(f"{name_or_folder}: neither a model folder nor a shipped model (shipped: {shipped})")


def config_dict(config: object) -> dict:
    """What config.json holds for ``config``: format, architecture, constructor arguments."""
    return {"format": FORMAT, "architecture": architecture_of(config), **dataclasses.asdict(config)}


def default_model(mode: Mode) -> str:
    """The shipped model to use when none is named: the first of :data:`DEFAULTS` whose config
    accepts ``mode`` ("example", "instruction" or "both")."""
    for name in DEFAULTS:
        if name in list_pretrained() and mode in load_config(PRETRAINED_DIR / name).modes:
            return name
    raise WeightsError(f"no shipped model is told that way ({mode}); name one with a model folder")


def save_pretrained(model: nn.Module, folder: str | os.PathLike, record: dict | None = None) -> Path:
    """Write ``config.json`` and ``model.safetensors`` (fp32, contiguous) into ``folder``, and
    ``record`` (what training did) as ``training.json``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to("cpu", torch.float32).contiguous() for k, v in model.state_dict().items()}
    with atomic_target(folder / WEIGHTS_NAME) as tmp:
        save_file(state, tmp, metadata={"format": FORMAT})
    write_bytes_atomic(folder / CONFIG_NAME, json.dumps(config_dict(model.config), indent=1, sort_keys=True).encode())
    if hasattr(model, "save_assets"):  # files a model needs beside its weights (a tokenizer)
        model.save_assets(folder)
    if record:
        write_bytes_atomic(folder / RECORD_NAME, json.dumps(record, indent=1, sort_keys=True).encode())
    else:
        (folder / RECORD_NAME).unlink(missing_ok=True)  # a stale record would describe other weights
    return folder


def load_config(folder: str | os.PathLike, max_params: int = MAX_PARAMS):
    """The model config of a saved folder, checked: a JSON object of the right format, each
    field of the right type, and at most ``max_params`` parameters (raise it, or set
    ``PIXTASK_MAX_PARAMS``, for a genuinely larger model)."""
    path = Path(folder) / CONFIG_NAME
    if not path.is_file():
        raise WeightsError(f"{folder}: no {CONFIG_NAME}; expected a folder written by save_pretrained")
    raw = _read_json(path)
    if not isinstance(raw, dict):
        raise WeightsError(f"{path}: expected a JSON object of config fields, got a {type(raw).__name__}")
    if raw.get("format") != FORMAT:
        raise WeightsError(f"{path}: format {raw.get('format')!r}, expected {FORMAT!r}")
    architecture = raw.get("architecture", "GenLV")
    if not isinstance(architecture, str) or architecture not in ARCHITECTURES:
        raise WeightsError(f"{path}: unknown architecture {architecture!r}; known: {', '.join(ARCHITECTURES)}")
    config_cls = config_class(architecture)
    hints = typing.get_type_hints(config_cls)
    values = {k: v for k, v in raw.items() if k not in ("format", "architecture") and k not in LEGACY_RECORD_KEYS}
    unknown = sorted(set(values) - set(hints))
    if unknown:
        raise WeightsError(f"{path}: unknown {architecture} config field(s) {unknown}")
    for key, value in values.items():
        if not _has_type(value, hints[key]):
            raise WeightsError(f"{path}: {key} must be {_type_name(hints[key])}, got {value!r}")
    try:
        config = config_cls(**values)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise WeightsError(f"{path}: invalid config ({exc or type(exc).__name__})") from None
    check_model_size(config, str(path), max_params=max_params)
    return config


def _read_json(path: Path) -> object:
    try:
        return read_json_file(path, max_bytes=MAX_CONFIG_BYTES)
    except ValueError as exc:
        raise WeightsError(str(exc)) from None


def count_parameters(config: object) -> int:
    """Parameters of the model ``config`` builds, counted without allocating them."""
    with torch.device("meta"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "zero-element tensors": the sizes are checked, not used
        return sum(p.numel() for p in build_model(config).parameters())


def available_memory() -> int:
    """Bytes this process may still allocate: the machine's available memory (Linux), else its total."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_model_size(config: object, source: str, *, max_params: int = MAX_PARAMS, bytes_per_param: int = 4) -> int:
    """The parameter count of ``config``, refused before anything is allocated when it is over
    ``max_params`` or would need more memory than the machine has (``bytes_per_param``: 4 to
    hold fp32 weights, about 20 to train them with AdamW, gradients and an EMA copy)."""
    try:
        params = count_parameters(config)
    except (RuntimeError, ValueError, TypeError, ZeroDivisionError, OverflowError) as exc:
        raise WeightsError(f"{source}: this config cannot be built ({' '.join(str(exc).split())})") from None
    if params > max_params:
        raise WeightsError(
            f"{source}: this config builds {params:,} parameters, over the limit of {max_params:,} "
            "(set PIXTASK_MAX_PARAMS to load a genuinely larger model)"
        )
    need, have = params * bytes_per_param, available_memory()
    if need > have:
        raise WeightsError(
            f"{source}: this config builds {params:,} parameters, needing about {need / 2**30:.1f} GiB, "
            f"more than the {have / 2**30:.1f} GiB of memory available"
        )
    return params


def build_checked(config: object, source: str, *, bytes_per_param: int = 4) -> nn.Module:
    """:func:`build_model` after :func:`check_model_size`; an allocation that still fails (the
    estimate is of parameters, not activations) is a one-line error naming ``source``."""
    params = check_model_size(config, source, bytes_per_param=bytes_per_param)
    try:
        return build_model(config)
    except (MemoryError, RuntimeError) as exc:
        if isinstance(exc, RuntimeError) and "alloc" not in str(exc).lower():
            raise
        raise WeightsError(f"{source}: could not allocate the {params:,} parameters this config builds") from None


def _has_type(value: object, annotation: object) -> bool:
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return isinstance(value, list) and all(_has_type(v, item) for v in value)
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, annotation) and not isinstance(value, bool)


def _type_name(annotation: object) -> str:
    if typing.get_origin(annotation) is list:
        return f"a list of {_type_name(typing.get_args(annotation)[0])}"
    return {int: "an integer", float: "a number", bool: "true or false"}.get(annotation, str(annotation))


def load_weights(path: Path) -> dict[str, torch.Tensor]:
    """A safetensors file's tensors (never a pickle), all finite; errors name the file."""
    try:
        state = load_file(str(path), device="cpu")
    except (SafetensorError, OSError, ValueError) as exc:
        raise WeightsError(f"{path}: not a readable safetensors file ({exc})") from None
    bad = [k for k, v in state.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    if bad:
        raise WeightsError(f"{path}: {len(bad)} tensor(s) hold NaN or infinite values (e.g. {bad[0]})")
    return state


def model_info(folder: str | os.PathLike) -> dict:
    """config.json and the training record together (e.g. ``trained_tasks``), so studies can
    tell seen tasks from held-out ones."""
    folder = resolve_model_folder(folder)
    load_config(folder)  # validates
    info = _read_json(folder / CONFIG_NAME)
    record = folder / RECORD_NAME
    if record.is_file():
        extra = _read_json(record)
        if not isinstance(extra, dict):
            raise WeightsError(f"{record}: expected a JSON object, got a {type(extra).__name__}")
        info |= extra
    return info


def from_pretrained(folder: str | os.PathLike = DEFAULT_MODEL, device: str | torch.device = "cpu") -> nn.Module:
    """Rebuild the model config.json's architecture names, then load the weights strictly (eval mode).

    ``folder`` is a folder written by :func:`save_pretrained` or a shipped model's name.
    """
    folder = resolve_model_folder(folder)
    config = load_config(folder)
    weights = folder / WEIGHTS_NAME
    if not weights.is_file():
        raise WeightsError(f"{folder}: no {WEIGHTS_NAME}")
    state = load_weights(weights)
    model = build_checked(config, str(folder / CONFIG_NAME))
    load_state(model, state, source=str(weights))
    if hasattr(model, "load_assets"):
        model.load_assets(folder)
    return model.to(device).eval()


def load_state(model: nn.Module, state: dict[str, torch.Tensor], source: str) -> None:
    """Strict load with an error that lists what is missing, unexpected or mis-shaped."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = [
        f"{k}: {tuple(state[k].shape)} vs {tuple(own[k].shape)}"
        for k in own
        if k in state and state[k].shape != own[k].shape
    ]
    if missing or unexpected or shapes:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing (e.g. {missing[:3]})")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected (e.g. {unexpected[:3]})")
        if shapes:
            parts.append(f"{len(shapes)} with another shape (e.g. {shapes[:2]})")
        raise WeightsError(f"{source} does not fit this model config: " + "; ".join(parts))
    model.load_state_dict(state, strict=True)
