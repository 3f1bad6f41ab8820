"""How a model is told its task: an example pair, an explanatory instruction, or both.

A :class:`Condition` is the one type that carries the task from data to model to pipeline to
CLI. It holds whatever images a layer works with (numpy arrays in the pipeline, (B, 3, H, W)
tensors in the model) and the instruction text; the model turns the text into embeddings.

Batches made under condition dropout carry, per sample, whether its example counts
(``has_prompt``) and its instruction (``""`` where it has none), so one batch can mix the
three modes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Literal

from pixtask.core.guards import check_text

Mode = Literal["example", "instruction", "both"]
MODES: tuple[Mode, ...] = ("example", "instruction", "both")


class ConditionError(ValueError):
    """A condition that tells nothing, or tells it in a form the receiver cannot read."""


def has_words(text: str) -> bool:
    """Whether ``text`` shows anything: not only spaces or invisible format characters (U+200B)."""
    return any(not c.isspace() and unicodedata.category(c) != "Cf" for c in text)


def check_accepted(condition: Condition, modes: tuple[Mode, ...], model: str = "this model") -> Condition:
    """``condition`` if a model that accepts ``modes`` (its config's ``modes``) can be told it."""
    check_mode(condition.mode, modes, model)
    return condition


def check_mode(mode: Mode, modes: tuple[Mode, ...], model: str = "this model") -> Mode:
    """``mode`` if a model that accepts ``modes`` can be told that way: the one place that
    decides, so the CLI, the app, evaluation and training agree."""
    if mode in modes:
        return mode
    if not modes:
        raise ConditionError(f"{model} is not told a task; it is not an image-to-image model")
    if mode != "example" and modes == ("example",):
        raise ConditionError(
            f"{model} is told by example only and reads no instructions; give an example pair, or use a "
            "model that reads words (e.g. pixtask-naf-base)"
        )
    if mode != "instruction" and modes == ("instruction",):
        raise ConditionError(
            f"{model} is told in words only; give an instruction without an example pair, or use a model "
            "that reads examples (e.g. pixtask-naf-base)"
        )
    told = {"example": "by example", "instruction": "in words", "both": "by example and words"}
    raise ConditionError(f"{model} is told {' or '.join(told[m] for m in modes)}, not {told[mode]}")


def _checked(text: str, name: str) -> None:
    try:
        check_text(text, name)
    except ValueError as exc:
        raise ConditionError(str(exc)) from None


@dataclass(frozen=True)
class Condition:
    """``prompt``: the (input, target) example pair; ``instruction``: words describing the change
    (a list of strings for a batch); ``has_prompt``: per-sample (B,) booleans when only some
    samples of a batch may use their example."""

    prompt: tuple[Any, Any] | None = None
    instruction: str | list[str] | None = None
    has_prompt: Any = None

    def __post_init__(self) -> None:
        if self.prompt is not None and (not isinstance(self.prompt, tuple | list) or len(self.prompt) != 2):
            raise ConditionError("a condition's prompt is an (input, target) pair of images")
        if self.prompt is not None:
            object.__setattr__(self, "prompt", tuple(self.prompt))
        text = self.instruction
        if isinstance(text, str):
            _checked(text, "the instruction")  # UTF-8, no control characters, bounded length
            if not has_words(text):
                raise ConditionError("the instruction is empty; describe the change in words or give no instruction")
        elif text is not None and not (isinstance(text, list) and all(isinstance(t, str) for t in text)):
            raise ConditionError(f"an instruction is a string (or a list of strings for a batch), got {text!r}")
        elif text is not None:
            for i, t in enumerate(text):
                _checked(t, f"instruction {i}")
        if self.prompt is None and not self.has_text:
            raise ConditionError("a condition needs an example pair, an instruction, or both")

    @property
    def has_text(self) -> bool:
        if isinstance(self.instruction, list):
            return any(has_words(t) for t in self.instruction)
        return self.instruction is not None

    @property
    def mode(self) -> Mode:
        """ "example", "instruction" or "both" (for a mixed batch: what it holds at all)."""
        if self.prompt is not None and self.has_text:
            return "both"
        return "example" if self.prompt is not None else "instruction"

    def texts(self, batch: int) -> list[str]:
        """The instruction per sample ("" for none), ``batch`` long."""
        if self.instruction is None:
            return [""] * batch
        if isinstance(self.instruction, str):
            return [self.instruction] * batch
        if len(self.instruction) != batch:
            raise ConditionError(f"{len(self.instruction)} instructions for a batch of {batch}")
        return list(self.instruction)

    def restricted(self, mode: Mode) -> Condition:
        """The same condition told one way only (``mode`` must be among what it holds)."""
        if mode not in MODES:
            raise ConditionError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        if mode != "instruction" and self.prompt is None:
            raise ConditionError(f"mode {mode!r} needs an example pair, and this condition has none")
        if mode != "example" and not self.has_text:
            raise ConditionError(f"mode {mode!r} needs an instruction, and this condition has none")
        if mode == "both":
            return self
        if mode == "example":
            return replace(self, instruction=None)
        return replace(self, prompt=None, has_prompt=None)

    def describe(self) -> str:
        """A short account for logs and the CLI: which ways the task was told."""
        parts = []
        if self.prompt is not None:
            parts.append("an example pair")
        if isinstance(self.instruction, str):
            text = self.instruction if len(self.instruction) <= 70 else self.instruction[:67] + "..."
            parts.append(f'the instruction "{text}"')
        elif self.has_text:
            parts.append("instructions")
        return " and ".join(parts)
