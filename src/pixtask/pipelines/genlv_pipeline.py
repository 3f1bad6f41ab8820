"""``GenLVPipeline``: run a visual-prompt model on photos of any size.

    pipe = GenLVPipeline.from_pretrained("path/to/model")
    out = pipe("photo.jpg", prompt=("example_in.png", "example_out.png")).image   # PIL image

Images may be paths, PIL images or numpy arrays, in any size and mode that
:func:`pixtask.core.image_io.as_rgb_float` accepts. Inputs are reflect-padded to the model's
size multiple and cropped back. The prompt pair is centre-cropped to ``prompt_size`` (by
default 256, the size GenLV was trained with) rather than resized, so a degradation keeps its
scale, then encoded once and reused for every tile of a large image.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from pixtask.core.device import resolve_device, resolve_precision
from pixtask.core.image_io import as_rgb_float, to_uint8, write_image
from pixtask.models.genlv import GenLV
from pixtask.models.hub import DEFAULT_MODEL, from_pretrained, save_pretrained
from pixtask.pipelines.tiling import pad_to_multiple, tiled_apply

ImageLike = str | os.PathLike | Image.Image | np.ndarray


@dataclass
class PipelineOutput:
    """The prediction as float RGB (H, W, 3) in [0, 1], and as a PIL image."""

    array: np.ndarray

    @property
    def image(self) -> Image.Image:
        return Image.fromarray(to_uint8(self.array))


class GenLVPipeline:
    """Inference wrapper around a :class:`GenLV` model.

    Args:
        model: the network (moved to ``device``, eval mode).
        device: "auto" (CUDA if available), "cpu", "cuda", ...
        precision: "auto" (bf16 autocast where the hardware runs it fast), "fp32" or "bf16".
        tile: process images larger than this in overlapping tiles (None: never tile).
        overlap: overlap between tiles, in pixels.
    """

    def __init__(
        self,
        model: GenLV,
        device: str | torch.device | None = "auto",
        precision: str = "auto",
        tile: int | None = 512,
        overlap: int = 64,
    ) -> None:
        self.device = resolve_device(device)
        self.autocast_dtype = resolve_precision(self.device, precision)
        self.model = model.to(self.device).eval().to(memory_format=torch.channels_last)
        self.tile = tile
        self.overlap = overlap

    @classmethod
    def from_pretrained(cls, folder: str | os.PathLike = DEFAULT_MODEL, **kwargs) -> GenLVPipeline:
        """A model folder, or a shipped model by name (default: the shipped ``pixtask-tiny``)."""
        return cls(from_pretrained(folder), **kwargs)

    def save_pretrained(self, folder: str | os.PathLike) -> Path:
        return save_pretrained(self.model, folder)

    @property
    def multiple(self) -> int:
        return self.model.config.size_multiple

    def _tensor(self, img: np.ndarray) -> torch.Tensor:
        t = torch.from_numpy(img.transpose(2, 0, 1)).unsqueeze(0).to(self.device)
        return t.contiguous(memory_format=torch.channels_last)

    def _autocast(self):
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.autocast_dtype)

    def _prompt_tokens(self, prompt: Sequence[ImageLike] | None, prompt_size: int | None):
        if not self.model.config.use_prompt:
            return None
        if prompt is None or len(prompt) != 2:
            raise ValueError("this model needs a prompt pair: prompt=(example_input, example_target)")
        src, tgt = (as_rgb_float(p, name) for p, name in zip(prompt, ("prompt input", "prompt target"), strict=True))
        if src.shape != tgt.shape:
            raise ValueError(
                f"the prompt images must have the same size; got {src.shape[1]}x{src.shape[0]} "
                f"and {tgt.shape[1]}x{tgt.shape[0]}"
            )
        if prompt_size is not None:
            h, w = src.shape[:2]
            ch, cw = min(h, prompt_size), min(w, prompt_size)
            top, left = (h - ch) // 2, (w - cw) // 2
            src, tgt = (a[top : top + ch, left : left + cw] for a in (src, tgt))
        src_t, _ = pad_to_multiple(self._tensor(src), self.multiple)
        tgt_t, _ = pad_to_multiple(self._tensor(tgt), self.multiple)
        return self.model.encode_prompt(src_t, tgt_t)

    @torch.inference_mode()
    def __call__(
        self,
        image: ImageLike,
        prompt: Sequence[ImageLike] | None = None,
        *,
        prompt_size: int | None = 256,
        tile: int | str | None = "default",
        on_tile: Callable[[int, int], None] | None = None,
    ) -> PipelineOutput:
        """Predict the target for ``image`` given the example pair ``prompt``."""
        query = as_rgb_float(image, "input image")
        tile = self.tile if tile == "default" else tile
        with self._autocast():
            tokens = self._prompt_tokens(prompt, prompt_size)
            x, (h, w) = pad_to_multiple(self._tensor(query), self.multiple)

            def run(t: torch.Tensor) -> torch.Tensor:
                return self.model(t, prompt_tokens=tokens)

            if tile is not None and max(x.shape[-2:]) > tile:
                y = tiled_apply(run, x, tile, self.overlap, self.multiple, on_tile)
            else:
                y = run(x)
        out = y[0, :, :h, :w].float().clamp(0, 1).permute(1, 2, 0).cpu().numpy()
        return PipelineOutput(np.ascontiguousarray(out))

    def predictor(self) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
        """``(query, prompt_input, prompt_target) -> prediction`` on float arrays, untiled and with
        the prompt at full size: the signature benchmark evaluation and the studies call."""

        def predict(query: np.ndarray, prompt_input: np.ndarray, prompt_target: np.ndarray) -> np.ndarray:
            return self(query, (prompt_input, prompt_target), prompt_size=None, tile=None).array

        return predict

    def run_folder(
        self,
        inputs: Sequence[Path],
        out_dir: str | os.PathLike,
        prompt: Sequence[ImageLike],
        progress: Callable[[int, int, Path], None] | None = None,
    ) -> list[Path]:
        """Run every input file and write PNGs of the same stem into ``out_dir``."""
        out_dir = Path(out_dir)
        written = []
        for i, path in enumerate(inputs, start=1):
            target = out_dir / f"{Path(path).stem}.png"
            write_image(target, self(path, prompt).array)
            written.append(target)
            if progress:
                progress(i, len(inputs), Path(path))
        return written
