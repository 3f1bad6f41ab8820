"""``GenLVPipeline``: run a model on photos of any size, told its task by example, in words, or both.

    pipe = GenLVPipeline.from_pretrained("pixtask-naf-base")
    out = pipe("photo.jpg", prompt=("example_in.png", "example_out.png")).image   # by example
    out = pipe("photo.jpg", instruction="the falling streaks of water fade away").image   # in words
    out.told   # "example", "instruction" or "both": what the model was given
    out.way    # the way the network was told in the end (see "Told both ways" below)

Images may be paths, PIL images or numpy arrays, in any size and mode that
:func:`pixtask.core.image_io.as_rgb_float` accepts. Inputs are reflect-padded to the model's
size multiple and cropped back. The prompt pair is centre-cropped to ``prompt_size`` (by
default 256, the size GenLV was trained with) rather than resized, so a degradation keeps its
scale, then encoded once and reused for every tile of a large image.

Told both ways, the pipeline by default *checks*: the example pair is a solved instance of the
task, so it runs the network on the example's input told by example and told in words, and tells
the photo the way whose output is closer (mean squared error) to the example's target; a tie
keeps the example. Told by example, each half of the pair is redone told by the other half, so
the example is not scored on the pixels that told it. That costs about two passes at the
example's size. ``both="fuse"`` instead gives the
network both at once, as it was trained; a CondNAFNet's fused vector is then ruled by the
example (docs/models/cond-nafnet.md).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from pixtask.core.condition import Condition, ConditionError, Mode
from pixtask.core.device import resolve_device, resolve_precision
from pixtask.core.image_io import as_rgb_float, to_uint8
from pixtask.models.cond_nafnet import CondNAFNet
from pixtask.models.condition_encoder import ConditionEncoder
from pixtask.models.genlv import GenLV
from pixtask.models.hub import DEFAULT_MODEL, from_pretrained, save_pretrained
from pixtask.pipelines.file_runner import FileRunner
from pixtask.pipelines.tiling import pad_to_multiple, tiled_apply

ImageLike = str | os.PathLike | Image.Image | np.ndarray
DEFAULT_TILE = 512
EXTREME_ASPECT = 8  # longer side over shorter: tiled even when tiling is off
BOTH_POLICIES = ("check", "fuse")  # told both ways: keep the way that redoes the example, or fuse
KEPT_WAY = {  # told both ways and checked: what a user is told about the way kept
    "example": "checked on your example pair: told by the example alone the model redid it more closely than "
    "told by your words, so your words were not used",
    "instruction": "checked on your example pair: told by your words alone the model redid it more closely than "
    "told by the example, so the example was used only for that check",
}


@dataclass
class PipelineOutput:
    """The prediction as float RGB (H, W, 3) in [0, 1], and as a PIL image; ``told`` says how
    the task was given ("example", "instruction" or "both"), ``way`` how the network was told in
    the end (told both ways and checked: the one way kept)."""

    array: np.ndarray
    told: str = "example"
    way: str = ""

    def __post_init__(self) -> None:
        self.way = self.way or self.told

    @property
    def image(self) -> Image.Image:
        return Image.fromarray(to_uint8(self.array))


class GenLVPipeline(FileRunner):
    """Inference wrapper around a conditioned image model, :class:`GenLV` or
    :class:`~pixtask.models.cond_nafnet.CondNAFNet` (told by example, in words, or both).

    Args:
        model: the network (moved to ``device``, eval mode).
        device: "auto" (CUDA if available), "cpu", "cuda", ...
        precision: "auto" (bf16 autocast where the hardware runs it fast), "fp32" or "bf16".
        tile: process images larger than this in overlapping tiles (None: never tile).
        overlap: overlap between tiles, in pixels.
        both: told both ways, "check" (keep the way that best redoes the example pair) or
            "fuse" (give the network both at once).
    """

    def __init__(
        self,
        model: GenLV | CondNAFNet,
        device: str | torch.device | None = "auto",
        precision: str = "auto",
        tile: int | None = 512,
        overlap: int = 64,
        both: str = "check",
    ) -> None:
        if both not in BOTH_POLICIES:
            raise ValueError(f"both must be one of {', '.join(BOTH_POLICIES)}, got {both!r}")
        self.both = both
        self.device = resolve_device(device)
        self.autocast_dtype = resolve_precision(self.device, precision)
        self.model = model.to(self.device).eval().to(memory_format=torch.channels_last)
        # the condition's owner at inference: the example pair read and padded, the words embedded
        self.encoder = ConditionEncoder(model.config, self.device, memory_format=torch.channels_last)
        self.tile = tile
        self.overlap = overlap

    @classmethod
    def from_pretrained(cls, folder: str | os.PathLike = DEFAULT_MODEL, **kwargs) -> GenLVPipeline:
        """A model folder, or a shipped model by name (default: the shipped ``pixtask-naf-base``)."""
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

    def condition(self, prompt: Sequence[ImageLike] | None = None, instruction: str | None = None) -> Condition:
        """The :class:`Condition` for an example pair and/or an instruction (checked here, so a
        mistake is reported before any image is read)."""
        if prompt is not None and (isinstance(prompt, str | os.PathLike) or len(prompt) != 2):
            raise ConditionError("prompt must be a pair: prompt=(example_input, example_target)")
        return self.accepts(Condition(prompt=tuple(prompt) if prompt is not None else None, instruction=instruction))

    def _encode(self, condition: Condition, prompt_size: int | None):
        if not self.model.config.use_prompt:
            return None
        return self.model.encode_condition(self.encoder(condition, prompt_size=prompt_size))

    @torch.inference_mode()
    def way_for(self, condition: Condition, prompt_size: int | None = 256) -> tuple[Condition, Mode]:
        """The condition the network is told, and the way: as given, unless told both ways under
        ``both="check"``; then the one way (example or words) whose output on the example's input
        is closer to the example's target, a tie keeping the example. The answer does not depend
        on the photo, so a caller telling many photos one condition may ask once and pass the
        returned condition on. The example pair is read here once and passed on as tensors."""
        condition = self.accepts(condition)
        if condition.mode != "both" or self.both != "check" or condition.has_prompt is not None:
            return condition, condition.mode
        src, tgt = self.encoder.read_prompt(condition.prompt, prompt_size)
        with self._autocast():
            errors = {way: self._redo_error(condition.restricted(way), src, tgt) for way in ("example", "instruction")}
        way: Mode = "instruction" if errors["instruction"] < errors["example"] else "example"
        condition = replace(condition, prompt=tuple(pad_to_multiple(t, self.multiple)[0] for t in (src, tgt)))
        return condition.restricted(way), way

    def _redo(self, src: torch.Tensor, told: Condition) -> torch.Tensor:
        """The network's output on ``src`` (padded, then cropped back), told ``told``."""
        h, w = src.shape[-2:]
        encoded = self.model.encode_condition(self.encoder(told))
        return self.model(pad_to_multiple(src, self.multiple)[0], encoded=encoded)[..., :h, :w].float().clamp(0, 1)

    def _redo_error(self, told: Condition, src: torch.Tensor, tgt: torch.Tensor) -> float:
        """Mean squared error of one way on the example pair. Told by example, the pair is cut in
        two halves along its longer side and each half is redone told by the other half alone:
        a way is never scored on the pixels that told it, which favoured the example
        (benchmarks/both_check.py). A pair too small to halve is redone told by itself."""
        if told.prompt is None:
            return float((self._redo(src, told) - tgt.float()).square().mean())
        axis = -1 if src.shape[-1] >= src.shape[-2] else -2
        cut = src.shape[axis] // 2
        if cut < self.multiple:
            pair = tuple(pad_to_multiple(t, self.multiple)[0] for t in (src, tgt))
            return float((self._redo(src, replace(told, prompt=pair)) - tgt.float()).square().mean())
        halves = [(t.narrow(axis, 0, cut), t.narrow(axis, cut, t.shape[axis] - cut)) for t in (src, tgt)]
        total = 0.0
        for shown, held in ((0, 1), (1, 0)):
            pair = tuple(pad_to_multiple(half[shown], self.multiple)[0] for half in halves)
            redone = self._redo(halves[0][held], replace(told, prompt=pair))
            total += float((redone - halves[1][held].float()).square().sum())
        return total / tgt.numel()

    @torch.inference_mode()
    def __call__(
        self,
        image: ImageLike,
        prompt: Sequence[ImageLike] | None = None,
        *,
        instruction: str | None = None,
        condition: Condition | None = None,
        prompt_size: int | None = 256,
        tile: int | str | None = "default",
        on_tile: Callable[[int, int], None] | None = None,
    ) -> PipelineOutput:
        """Predict the target for ``image`` told by the example pair ``prompt``, the
        explanatory ``instruction``, or both (or a ready ``condition``)."""
        condition = self.resolve_condition(prompt, instruction, condition)
        tile = self.tile if tile == "default" else tile
        if tile is not None and (not isinstance(tile, int) or isinstance(tile, bool) or tile < self.multiple):
            raise ValueError(f"tile must be None or an integer of at least {self.multiple} pixels, got {tile!r}")
        if prompt_size is not None and (not isinstance(prompt_size, int) or prompt_size < self.multiple):
            raise ValueError(f"prompt_size must be None or at least {self.multiple} pixels, got {prompt_size!r}")
        query = as_rgb_float(image, "input image")
        if tile is None and max(query.shape[:2]) > EXTREME_ASPECT * min(query.shape[:2]):
            tile = self.tile or DEFAULT_TILE  # a long strip is padded to the size multiple: tile it
        told = condition.mode
        condition, _ = self.way_for(condition, prompt_size)
        with self._autocast():
            encoded = self._encode(condition, prompt_size)
            x, (h, w) = pad_to_multiple(self._tensor(query), self.multiple)

            def run(t: torch.Tensor) -> torch.Tensor:
                return self.model(t, encoded=encoded)

            if tile is not None and max(x.shape[-2:]) > tile:
                y = tiled_apply(run, x, tile, self.overlap, self.multiple, on_tile)
            else:
                y = run(x)
        if not torch.isfinite(y).all():
            raise ValueError(
                "the model produced NaN or infinite values; its weights or the precision (try precision='fp32') "
                "are broken, so no image was written"
            )
        out = y[0, :, :h, :w].float().clamp(0, 1).permute(1, 2, 0).cpu().numpy()
        return PipelineOutput(np.ascontiguousarray(out), told, condition.mode)

    def predictor(self) -> Callable[[np.ndarray, Condition], np.ndarray]:
        """``(query, condition) -> prediction`` on float arrays, untiled and with the prompt at
        full size: the signature benchmark evaluation and the studies call."""

        def predict(query: np.ndarray, condition: Condition) -> np.ndarray:
            return self(query, condition=condition, prompt_size=None, tile=None).array

        return predict
