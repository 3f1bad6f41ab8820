"""Parameter and MAC counting, in two conventions.

* ``plain``: every parameter, ``sum(p.numel())``.
* ``thop``: what the thop profiler reports, the convention of GenLV's Table I. Parameters of
  leaf Conv, Linear and ``nn.LayerNorm`` modules only (raw parameters of custom modules, such
  as the MDTA temperature, the relative-position tables and the channel-LayerNorm affine, are
  not counted). MACs: convs ``Cin/groups * k^2`` per output element, Linear ``in_features``
  per output element, ``4 * numel`` per affine ``nn.LayerNorm``; attention matmuls, softmax,
  activations and shuffles are not counted. The prompt encoder runs on both prompt images, so
  its MACs count twice.

The forward pass runs on the ``meta`` device: only shapes are computed, so even the 400M
giant variant is counted in seconds without allocating its weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from pixtask.core.condition import Condition
from pixtask.models._registry import build_model


@dataclass(frozen=True)
class Counts:
    params_plain: int
    params_thop: int
    macs_thop: int  # multiply-accumulates for one sample (query + prompt pair)

    def summary(self) -> dict[str, float]:
        return {
            "params_plain_M": round(self.params_plain / 1e6, 4),
            "params_thop_M": round(self.params_thop / 1e6, 4),
            "gmacs_thop": round(self.macs_thop / 1e9, 2),
        }


_COUNTED = (nn.Conv2d, nn.Linear, nn.LayerNorm)


def _macs(module: nn.Module, output: torch.Tensor) -> int:
    if isinstance(module, nn.Conv2d):
        k = module.kernel_size[0] * module.kernel_size[1]
        return output.numel() * (module.in_channels // module.groups) * k
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features
    if isinstance(module, nn.LayerNorm) and module.elementwise_affine:
        return 4 * output.numel()
    return 0


def count(config, height: int = 256, width: int = 256) -> Counts:
    """Count a model built from ``config`` (GenLV or CondNAFNet) for one (height x width) query
    and prompt pair."""
    with torch.device("meta"):
        model = build_model(config)
        query = torch.empty(1, 3, height, width)
    total = 0

    def hook(module: nn.Module, inputs, output) -> None:
        nonlocal total
        total += _macs(module, output)

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, _COUNTED)]
    try:
        with torch.no_grad():
            model(query, Condition(prompt=(query, query))) if config.use_prompt else model(query)
    finally:
        for h in handles:
            h.remove()
    params_thop = sum(
        p.numel() for m in model.modules() if isinstance(m, _COUNTED) for p in m.parameters(recurse=False)
    )
    params_plain = sum(p.numel() for p in model.parameters())
    return Counts(params_plain, params_thop, total)
