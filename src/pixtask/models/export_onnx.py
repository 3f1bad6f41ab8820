"""Export a conditioned image model (GenLV, CondNAFNet) to ONNX (torch.onnx dynamo exporter) and
check it with onnxruntime.

The exported graph is the visual path (told by example; a model that also reads words exports
without its text layers): it takes ``query``, ``prompt_input`` and ``prompt_target`` as float32 RGB
(1, 3, H, W) tensors in [0, 1], H and W multiples of the model's size multiple (dynamic, up to ``max_side``), and
returns ``prediction``. Padding and tiling stay in the Python pipeline.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from pixtask.core.atomic_write import atomic_target
from pixtask.core.condition import Condition
from pixtask.models.cond_nafnet import CondNAFNet
from pixtask.models.genlv import GenLV

INPUT_NAMES = ("query", "prompt_input", "prompt_target")


class _ExportWrapper(nn.Module):
    def __init__(self, model: GenLV) -> None:
        super().__init__()
        self.model = model

    def forward(self, query: torch.Tensor, prompt_input: torch.Tensor, prompt_target: torch.Tensor) -> torch.Tensor:
        return self.model(query, Condition(prompt=(prompt_input, prompt_target)))


def export_onnx(model: GenLV, path: str | os.PathLike, sample_size: int = 64, max_side: int = 2048) -> Path:
    """Write ``path`` (.onnx). Dynamic height and width: multiples of the model's size multiple."""
    try:
        import onnxscript  # noqa: F401  (the dynamo exporter needs it)
    except ImportError:
        raise RuntimeError("ONNX export needs the optional packages: pip install 'pixtask[export]'") from None
    if not isinstance(model, GenLV | CondNAFNet):
        raise ValueError(f"ONNX export supports GenLV and CondNAFNet models only, not a {type(model).__name__}")
    if not model.config.use_prompt:
        raise ValueError("ONNX export supports prompt models only")
    m = model.config.size_multiple
    if max_side < 4 * m:  # the traced sample (and the parity check's 96x128 query) must fit
        raise ValueError(f"max_side: must be at least {4 * m} for this model, got {max_side}")
    wrapper = _ExportWrapper(model.eval().float().to("cpu")).eval()
    # distinct tensors of distinct sizes, so the exporter neither aliases the inputs nor ties
    # the query's dimensions to the prompt's
    query = torch.rand(1, 3, sample_size, sample_size + m)
    prompt_in, prompt_out = torch.rand(1, 3, sample_size, sample_size), torch.rand(1, 3, sample_size, sample_size)
    dim = torch.export.Dim
    qh, qw = dim("height", min=1, max=max_side // m) * m, dim("width", min=1, max=max_side // m) * m
    ph, pw = dim("prompt_height", min=1, max=max_side // m) * m, dim("prompt_width", min=1, max=max_side // m) * m
    dynamic = {"query": {2: qh, 3: qw}, "prompt_input": {2: ph, 3: pw}, "prompt_target": {2: ph, 3: pw}}
    program = torch.onnx.export(
        wrapper,
        (query, prompt_in, prompt_out),
        dynamo=True,
        input_names=list(INPUT_NAMES),
        output_names=["prediction"],
        dynamic_shapes=dynamic,
        verbose=False,
    )
    path = Path(path)
    with atomic_target(path) as tmp:  # callers decide whether an existing file may be replaced
        program.save(str(tmp))
    return path


def onnx_max_difference(model: GenLV, path: str | os.PathLike, query: torch.Tensor, prompt: torch.Tensor) -> float:
    """Largest absolute difference between onnxruntime and PyTorch outputs on the given inputs."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = dict(zip(INPUT_NAMES, (query.numpy(), prompt.numpy(), prompt.numpy()), strict=True))
    ours = session.run(None, feeds)[0]
    with torch.no_grad():
        ref = model.eval()(query, Condition(prompt=(prompt, prompt))).numpy()
    return float(np.abs(ours - ref).max())
