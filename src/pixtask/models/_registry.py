"""Architectures and named model variants, created with ``create_model(name, **overrides)``
like timm's. A saved config.json names its architecture; :func:`build_model` dispatches on it."""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
from collections.abc import Callable
from typing import Any

from torch import nn

from pixtask.models.ar.model import ARConfig, ARModel
from pixtask.models.cond_nafnet import CondNAFNet, CondNAFNetConfig
from pixtask.models.genlv import GenLV, GenLVConfig
from pixtask.models.vq import VQConfig, VQTokenizer

# architecture name (as config.json records it) -> (model class, config class)
ARCHITECTURES: dict[str, tuple[type[nn.Module], type]] = {
    "GenLV": (GenLV, GenLVConfig),
    "VQTokenizer": (VQTokenizer, VQConfig),
    "ARModel": (ARModel, ARConfig),
    "CondNAFNet": (CondNAFNet, CondNAFNetConfig),
}
_VARIANTS: dict[str, Callable[[], Any]] = {}
_NOTES: dict[str, str] = {}


def register_architecture(name: str, model_cls: type[nn.Module], config_cls: type) -> None:
    """Make ``name`` buildable from a config.json (the model takes its config as sole argument)."""
    if name in ARCHITECTURES and ARCHITECTURES[name] != (model_cls, config_cls):
        raise KeyError(f"architecture {name!r} is already registered")
    ARCHITECTURES[name] = (model_cls, config_cls)


def architecture_of(config: Any) -> str:
    """The registered name of ``config``'s architecture."""
    for name, (_, config_cls) in ARCHITECTURES.items():
        if type(config) is config_cls:
            return name
    raise KeyError(f"{type(config).__name__} belongs to no registered architecture")


def config_class(architecture: str) -> type:
    if architecture not in ARCHITECTURES:
        raise KeyError(f"unknown architecture {architecture!r}; known: {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[architecture][1]


def build_model(config: Any) -> nn.Module:
    """A freshly initialised model of ``config``'s architecture."""
    return ARCHITECTURES[architecture_of(config)][0](config)


def register_variant(name: str, note: str = ""):
    """Decorator: register a function returning the variant's default config."""

    def wrap(fn: Callable[[], GenLVConfig]) -> Callable[[], GenLVConfig]:
        if name in _VARIANTS:
            raise KeyError(f"model variant {name!r} is already registered")
        _VARIANTS[name] = fn
        _NOTES[name] = note
        return fn

    return wrap


def list_models(pattern: str = "*") -> list[str]:
    return [n for n in _VARIANTS if fnmatch.fnmatch(n, pattern)]


def model_note(name: str) -> str:
    return _NOTES[name]


def get_config(name: str, **overrides) -> Any:
    """The variant's config with ``overrides`` applied; unknown names and fields fail clearly."""
    if name not in _VARIANTS:
        close = difflib.get_close_matches(name, _VARIANTS, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else f"; known: {', '.join(_VARIANTS)}"
        raise KeyError(f"unknown model {name!r}{hint}")
    config = _VARIANTS[name]()
    fields = {f.name for f in dataclasses.fields(config)}
    unknown = sorted(set(overrides) - fields)
    if unknown:
        raise TypeError(f"unknown config field(s) {unknown} for {name!r}; fields: {sorted(fields)}")
    return dataclasses.replace(config, **overrides)


def create_model(name: str, **overrides) -> nn.Module:
    """Build a freshly initialised model by variant name, e.g. ``create_model("genlv-tiny")``.

    >>> create_model("genlv-tiny", prompt_nf=8).config.prompt_nf
    8
    """
    return build_model(get_config(name, **overrides))


# --- variants -----------------------------------------------------------------------------
# The paper's variants (Table I). Head counts stay [1, 2, 4, 8] in every official variant.
@register_variant("genlv-base", "paper Table I: 38.77M thop params, 296.55 GMAC at 256x256 (prompt_nf=64)")
def _base() -> GenLVConfig:
    return GenLVConfig(dim=48, num_blocks=[2, 4, 4, 4], num_refinement=4)


@register_variant("genlv-large", "paper Table I: 100.48M thop params, 603.59 GMAC")
def _large() -> GenLVConfig:
    return GenLVConfig(dim=64, num_blocks=[4, 6, 6, 8], num_refinement=6)


@register_variant("genlv-huge", "paper Table I: 211.11M thop params, 1141.18 GMAC")
def _huge() -> GenLVConfig:
    return GenLVConfig(dim=80, num_blocks=[6, 8, 8, 12], num_refinement=8)


@register_variant("genlv-giant", "official code only: 401.57M thop params, 2175.78 GMAC")
def _giant() -> GenLVConfig:
    return GenLVConfig(dim=96, num_blocks=[8, 12, 12, 16], num_refinement=12)


# CPU-trainable variants: the same architecture, smaller.
@register_variant("genlv-tiny", "CPU-trainable: 1.83M params")
def _tiny() -> GenLVConfig:
    return GenLVConfig(dim=16, num_blocks=[1, 1, 1, 1], num_refinement=1, prompt_nf=16)


@register_variant("genlv-small", "CPU-trainable: 5.01M params")
def _small() -> GenLVConfig:
    return GenLVConfig(dim=24, num_blocks=[1, 2, 2, 2], num_refinement=1, prompt_nf=16)


# Told by example, in words, or both: MiniLM token embeddings join the prompt cross-attention.
@register_variant("genlv-tiny-text", "genlv-tiny that also reads instructions (MiniLM, 384-d)")
def _tiny_text() -> GenLVConfig:
    return dataclasses.replace(_tiny(), text_dim=384, global_residual=True)


# CPU-efficient conditioned NAFNets (told by example, in words, or both): sizes a test checks.
@register_variant("naf-tiny", "conditioned NAFNet, width 12, 4 levels: 1.13M params")
def _naf_tiny() -> CondNAFNetConfig:
    return CondNAFNetConfig(width=12, enc_blocks=[1, 1, 1, 1], middle_blocks=1, dec_blocks=[1, 1, 1, 1], cond_dim=64)


@register_variant("naf-small", "conditioned NAFNet, width 16, 4 levels: 2.36M params")
def _naf_small() -> CondNAFNetConfig:
    return CondNAFNetConfig(width=16, enc_blocks=[1, 1, 1, 2], middle_blocks=2, dec_blocks=[1, 1, 1, 1], cond_dim=64)


@register_variant("naf-base", "conditioned NAFNet, width 24, 4 levels: 4.99M params")
def _naf_base() -> CondNAFNetConfig:
    return CondNAFNetConfig(width=24, enc_blocks=[1, 1, 2, 2], middle_blocks=2, dec_blocks=[1, 1, 1, 1], cond_dim=96)


# The token-autoregressive model (Explanatory Instructions paper) and its image tokenizer, at
# the CPU scale of shared/reference/explanatory-and-ar.md §8.
@register_variant("vq-tiny", "VQ image tokenizer: 8x downsampling, 512 codes of 32-d (64x64 -> 8x8 codes)")
def _vq_tiny() -> VQConfig:
    return VQConfig()


@register_variant("ar-tiny-lm", "token-AR transformer: d192, 4 layers, 6 heads (1.77M non-embedding), 64x64 images")
def _ar_tiny() -> ARConfig:
    return ARConfig(dim=192, layers=4, heads=6)
