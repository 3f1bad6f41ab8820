"""What every family's banks share: the :class:`Bank` record, its shorthand and the direction words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Detail = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class Bank:
    what: tuple[str, ...]
    appear: tuple[str, ...]
    vanish: tuple[str, ...]
    after_appear: tuple[str, ...]
    after_vanish: tuple[str, ...]
    detail: Detail | None = None
    # words that name the task as a term; an instruction for it must not contain them
    terms: tuple[str, ...] = field(default_factory=tuple)


def direction(angle: float) -> str:
    a = abs(float(angle)) % 180
    if a < 22.5 or a >= 157.5:
        return "from side to side"
    if 67.5 <= a < 112.5:
        return "up and down"
    return "along a diagonal"


B = Bank
