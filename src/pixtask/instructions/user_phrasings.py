"""Words as people write them: the user-phrasing sets.

Eight or more phrasings per trained task, written apart from the phrase banks and never used
in training, in the styles people use (short requests, descriptions of the result,
explanations of what is wrong, imperatives, a typo), and a few for the opposite change, which a
words evaluation uses as its "opposite direction" control. Two sets (:data:`SETS`):

- ``user`` (``user_phrasings.yaml``): the set evaluation, the studies and the demo report. It
  has been looked at while the training templates were designed, so it is no longer blind;
- ``user-blind`` (``user_phrasings_blind.yaml``): written by a second writer who saw neither the
  phrase banks nor the first set, after the templates last changed, and never used to choose
  anything: the honest test of words the model was not shaped for.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np
import yaml

SETS = {"user": "user_phrasings.yaml", "user-blind": "user_phrasings_blind.yaml"}


@dataclass(frozen=True)
class UserPhrasings:
    """One task's phrasings: ``forward`` asks for what the task does, ``backward`` for the opposite."""

    forward: tuple[str, ...]
    backward: tuple[str, ...]


def check_set(words: str) -> str:
    if words not in SETS:
        raise ValueError(f"no user-phrasing set {words!r}; choose one of {', '.join(SETS)}")
    return words


@functools.cache
def user_phrasings(words: str = "user") -> dict[str, UserPhrasings]:
    """Every task's phrasings in set ``words``, in the file's order (the trained task list's)."""
    file = SETS[check_set(words)]
    raw = yaml.safe_load(resources.files("pixtask.instructions").joinpath(file).read_text(encoding="utf-8"))
    return {
        task: UserPhrasings(tuple(entry["forward"]), tuple(entry.get("backward", ()))) for task, entry in raw.items()
    }


def check_covered(tasks: set[str] | list[str], words: str = "user") -> None:
    """Raise a one-line error naming the tasks set ``words`` has no phrasings for."""
    covered = user_phrasings(words)
    missing = sorted(set(tasks) - set(covered))
    if missing:
        raise ValueError(
            f"the {words} phrasings cover the {len(covered)} trained tasks, not {', '.join(missing)}; "
            "evaluate those with the held-out templates"
        )


def user_phrasing(task: str, rng: np.random.Generator, direction: str = "forward", words: str = "user") -> str:
    """One phrasing of ``task`` from set ``words`` (``direction``: forward, or backward for the
    opposite change)."""
    check_covered([task], words)
    options = getattr(user_phrasings(words)[task], direction)
    if not options:
        raise ValueError(f"the {words} phrasings have no {direction} words for {task}")
    return options[int(rng.integers(len(options)))]
