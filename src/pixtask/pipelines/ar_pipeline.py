"""``ARPipeline``: run the token-autoregressive model on photos, told the task in words.

    pipe = load_pipeline("ar-tiny")
    out = pipe("photo.jpg", instruction="the falling streaks of water fade away").image

The model works at one square side (64 px for ar-tiny): the photo is resized to it (area
filter), the output block is sampled (:class:`~pixtask.models.ar.decoding.GenerationConfig`:
temperature, top-k, guidance, seed) and decoded, and the result is resized back to the photo's
size (bicubic). So outputs are as coarse as the model's resolution; the GenLV models work at
full resolution.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np
import torch

from pixtask.core.condition import Condition, ConditionError
from pixtask.core.device import resolve_device
from pixtask.core.image_io import as_rgb_float
from pixtask.models.ar.decoding import GenerationConfig
from pixtask.models.ar.model import ARModel
from pixtask.models.hub import from_pretrained, save_pretrained
from pixtask.pipelines.file_runner import FileRunner
from pixtask.pipelines.genlv_pipeline import ImageLike, PipelineOutput


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    h, w = image.shape[:2]
    if (h, w) == (height, width):
        return image
    interp = cv2.INTER_AREA if h * w > height * width else cv2.INTER_CUBIC
    return np.clip(cv2.resize(image, (width, height), interpolation=interp), 0, 1).astype(np.float32)


class ARPipeline(FileRunner):
    model_name = "the token-AR model"

    """Inference wrapper around an :class:`ARModel` (told in words only).

    Args:
        model: the model (moved to ``device``, eval mode).
        device: "auto" (CUDA if available), "cpu", "cuda", ...
        generation: sampling settings (default: temperature 1, top-k a quarter of the codebook,
            no guidance, seed 0: the same call gives the same image).
    """

    def __init__(
        self,
        model: ARModel,
        device: str | torch.device | None = "auto",
        generation: GenerationConfig | None = None,
        **_: object,  # tile, overlap, precision: GenLV options that do not apply here
    ) -> None:
        self.device = resolve_device(device)
        self.model = model.to(self.device).eval()
        self.generation = generation or GenerationConfig()

    @classmethod
    def from_pretrained(cls, folder: str | os.PathLike, **kwargs) -> ARPipeline:
        model = from_pretrained(folder)
        if not isinstance(model, ARModel):
            raise ValueError(f"{folder}: a {type(model).__name__}, not a token-AR model; use load_pipeline")
        return cls(model, **kwargs)

    def save_pretrained(self, folder: str | os.PathLike) -> Path:
        return save_pretrained(self.model, folder)

    @property
    def size(self) -> int:
        return self.model.config.image_size

    def condition(self, prompt: Sequence[ImageLike] | None = None, instruction: str | None = None) -> Condition:
        if prompt is None and instruction is None:
            raise ConditionError("the token-AR model needs an instruction describing the change")
        return self.accepts(Condition(prompt=tuple(prompt) if prompt is not None else None, instruction=instruction))

    @torch.inference_mode()
    def __call__(
        self,
        image: ImageLike,
        prompt: Sequence[ImageLike] | None = None,
        *,
        instruction: str | None = None,
        condition: Condition | None = None,
        generation: GenerationConfig | None = None,
        on_tile: Callable[[int, int], None] | None = None,
        **_: object,
    ) -> PipelineOutput:
        """The output for ``image`` told by ``instruction`` (or a ready ``condition`` in words)."""
        condition = self.resolve_condition(prompt, instruction, condition)
        if condition.prompt is not None or not isinstance(condition.instruction, str):
            condition = self.condition(condition.prompt, condition.instruction if condition.has_text else None)
        query = as_rgb_float(image, "input image")
        h, w = query.shape[:2]
        small = resize(query, self.size, self.size)
        x = torch.from_numpy(small.transpose(2, 0, 1).copy()).to(self.device)
        y = self.model.generate(x, condition.instruction, generation or self.generation)
        out = y.float().permute(1, 2, 0).cpu().numpy()
        if on_tile:
            on_tile(1, 1)
        return PipelineOutput(np.ascontiguousarray(resize(out, h, w)), condition.mode)

    def predictor(self) -> Callable[[np.ndarray, Condition], np.ndarray]:
        """``(query, condition) -> prediction``, the signature evaluation calls."""

        def predict(query: np.ndarray, condition: Condition) -> np.ndarray:
            return self(query, condition=condition).array

        return predict
