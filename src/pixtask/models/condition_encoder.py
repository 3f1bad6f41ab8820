"""The condition encoder: a :class:`~pixtask.core.condition.Condition` turned into the tensors a
network reads, apart from the network (as diffusers keeps the text encoder apart from the UNet).

It owns the frozen instruction encoder (MiniLM, with its memory and disk cache) and the
preparation of the example pair (read, centre-cropped, padded to the network's size multiple).
The pipeline owns one at inference and the training objective owns one in training, so a
network's forward never runs MiniLM: networks take ``(query, ConditionTensors)``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from pixtask.core.condition import Condition, ConditionError, Mode, check_accepted
from pixtask.core.geometry import pad_to_multiple
from pixtask.core.image_io import as_rgb_float
from pixtask.models.text_encoder import EncodedText, TextEncoder, encode_batch, shared_encoder

_ROLES = ("prompt input", "prompt target")


@dataclass(frozen=True)
class ConditionTensors:
    """A condition as tensors: the example pair as (B or 1, 3, h, w) tensors, which samples'
    examples count (``has_prompt``, (B,) booleans; None: all), and the words as MiniLM
    embeddings (:class:`~pixtask.models.text_encoder.EncodedText`; None: no words)."""

    prompt: tuple[torch.Tensor, torch.Tensor] | None = None
    has_prompt: torch.Tensor | None = None
    text: EncodedText | None = None

    @classmethod
    def from_condition(cls, condition: Condition) -> ConditionTensors:
        """A condition told by example only, whose prompt already holds tensors (no encoder needed)."""
        if condition.has_text:
            raise ConditionError(
                "a network reads words as embeddings: encode the condition with a ConditionEncoder first"
            )
        if condition.prompt is not None and not all(isinstance(t, torch.Tensor) for t in condition.prompt):
            raise ConditionError("a network reads the example pair as tensors: use a ConditionEncoder")
        return cls(condition.prompt, condition.has_prompt, None)

    def told_both(self, device: torch.device | str) -> torch.Tensor | None:
        """(B,) True on the samples told by their example and their words alike (what an
        alignment term compares); None when no sample is."""
        if self.prompt is None or self.text is None:
            return None
        both = self.text.mask.any(1).to(device)
        if self.has_prompt is not None:
            both = both & self.has_prompt.to(device).bool()
        return both if bool(both.any()) else None

    def to(self, device: torch.device | str) -> ConditionTensors:
        prompt = None if self.prompt is None else tuple(t.to(device) for t in self.prompt)
        has = None if self.has_prompt is None else self.has_prompt.to(device)
        return ConditionTensors(prompt, has, None if self.text is None else self.text.to(torch.device(device)))


class ConditionEncoder:
    """``encoder(condition) -> ConditionTensors`` for a network whose config declares ``modes``.

    Args:
        config: the network's config (its ``modes`` and ``size_multiple``).
        device: where the tensors go.
        text_encoder: the instruction encoder (default: the process's shared MiniLM, loaded on
            first use, so a condition without words never loads it).
        memory_format: of the prompt tensors (the pipeline runs channels-last).
    """

    def __init__(
        self,
        config: Any,
        device: str | torch.device = "cpu",
        text_encoder: TextEncoder | None = None,
        memory_format: torch.memory_format = torch.contiguous_format,
    ) -> None:
        self.modes: tuple[Mode, ...] = config.modes
        self.multiple = getattr(config, "size_multiple", 1)
        self.device = torch.device(device)
        self._text_encoder = text_encoder
        self.memory_format = memory_format

    @property
    def text_encoder(self) -> TextEncoder:
        if self._text_encoder is None:
            self._text_encoder = shared_encoder()
        return self._text_encoder

    def check(self, condition: Condition, model: str = "this model") -> Condition:
        """``condition`` if the network can be told it (see :func:`~pixtask.core.condition.check_accepted`)."""
        return check_accepted(condition, self.modes, model)

    def __call__(
        self, condition: Condition, *, batch: int | None = None, prompt_size: int | None = None
    ) -> ConditionTensors:
        """The tensors of ``condition``. Example images that are not tensors yet (paths, PIL,
        arrays) are read and centre-cropped to ``prompt_size`` (None: whole); ``batch`` is the
        number of samples the words are for (default: the prompt's batch, else the words')."""
        self.check(condition)
        prompt = None
        if condition.prompt is not None:
            prompt = self.prompt_tensors(condition.prompt, prompt_size)
        text = None
        if condition.has_text:
            n = batch or (prompt[0].shape[0] if prompt is not None else None)
            if n is None:
                n = len(condition.instruction) if isinstance(condition.instruction, list) else 1
            text = encode_batch(condition.texts(n), self.text_encoder).to(self.device)
        has = condition.has_prompt
        has = None if has is None else torch.as_tensor(has).to(self.device)
        return ConditionTensors(prompt, has, text)

    def prompt_tensors(
        self, prompt: Sequence[Any], prompt_size: int | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The example pair as tensors on the device, padded to the size multiple (tensors are
        taken as they are)."""
        if all(isinstance(t, torch.Tensor) for t in prompt):
            return self.read_prompt(prompt, prompt_size)
        return tuple(pad_to_multiple(t, self.multiple)[0] for t in self.read_prompt(prompt, prompt_size))  # type: ignore[return-value]

    def read_prompt(self, prompt: Sequence[Any], prompt_size: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The example pair as tensors on the device, read and centre-cropped but not padded."""
        if all(isinstance(t, torch.Tensor) for t in prompt):
            src, tgt = prompt
            return tuple(t.to(self.device, memory_format=self.memory_format) for t in (src, tgt))  # type: ignore[return-value]
        names = [str(p) if isinstance(p, str | os.PathLike) else role for p, role in zip(prompt, _ROLES, strict=True)]
        src, tgt = (as_rgb_float(p, name) for p, name in zip(prompt, names, strict=True))
        if src.shape != tgt.shape:
            raise ValueError(
                f"the prompt images must have the same size; {names[0]} is {src.shape[1]}x{src.shape[0]} "
                f"and {names[1]} is {tgt.shape[1]}x{tgt.shape[0]}"
            )
        if prompt_size is not None:
            h, w = src.shape[:2]
            ch, cw = min(h, prompt_size), min(w, prompt_size)
            top, left = (h - ch) // 2, (w - cw) // 2
            src, tgt = (a[top : top + ch, left : left + cw] for a in (src, tgt))
        return self._tensor(src), self._tensor(tgt)

    def _tensor(self, img: np.ndarray) -> torch.Tensor:
        t = torch.from_numpy(img.transpose(2, 0, 1)).unsqueeze(0).to(self.device)
        return t.contiguous(memory_format=self.memory_format)
