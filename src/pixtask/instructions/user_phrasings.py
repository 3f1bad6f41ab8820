"""Words as people write them: the user-phrasing set (``user_phrasings.yaml``).

Eight or more phrasings per trained task, written apart from the phrase banks and never used
in training, in the styles people use (short requests, descriptions of the result,
explanations of what is wrong, imperatives, a typo), and a few for the opposite change, which a
words evaluation uses as its "opposite direction" control. It is the held-out set that
evaluation, the studies and the demo report beside the held-out templates.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np
import yaml

FILE = "user_phrasings.yaml"


@dataclass(frozen=True)
class UserPhrasings:
    """One task's phrasings: ``forward`` asks for what the task does, ``backward`` for the opposite."""

    forward: tuple[str, ...]
    backward: tuple[str, ...]


@functools.cache
def user_phrasings() -> dict[str, UserPhrasings]:
    """Every task's phrasings, in the file's order (the order of the trained task list)."""
    raw = yaml.safe_load(resources.files("pixtask.instructions").joinpath(FILE).read_text(encoding="utf-8"))
    return {
        task: UserPhrasings(tuple(entry["forward"]), tuple(entry.get("backward", ()))) for task, entry in raw.items()
    }


def check_covered(tasks: set[str] | list[str]) -> None:
    """Raise a one-line error naming the tasks the set has no phrasings for."""
    missing = sorted(set(tasks) - set(user_phrasings()))
    if missing:
        raise ValueError(
            f"the user phrasings cover the {len(user_phrasings())} trained tasks, not {', '.join(missing)}; "
            "evaluate those with the held-out templates"
        )


def user_phrasing(task: str, rng: np.random.Generator, direction: str = "forward") -> str:
    """One phrasing of ``task`` (``direction``: forward, or backward for the opposite change)."""
    check_covered([task])
    options = getattr(user_phrasings()[task], direction)
    if not options:
        raise ValueError(f"the user phrasings have no {direction} words for {task}")
    return options[int(rng.integers(len(options)))]
