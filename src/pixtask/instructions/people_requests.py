"""Training requests as people type them: whole sentences per task (``people_requests.yaml``).

The phrase banks and their requests are templates; people write otherwise ("ugh, it's all
grainy", "can u bring the colour back"). A reader trained only on templates learns the
templates' words, not the request. These sentences, written apart from the banks and from both
user-phrasing sets, are told whole, as a sample's instruction, to a share of the samples told in
words (``data.people_words``). A fifth of each list is held out.
"""

from __future__ import annotations

import functools
from importlib import resources

import yaml

from pixtask.instructions.engine import Direction, Split

HELDOUT_EVERY = 5  # the 5th, 10th, ... line of each list is held out


@functools.cache
def _requests() -> dict[str, dict[str, tuple[str, ...]]]:
    text = resources.files("pixtask.instructions").joinpath("people_requests.yaml").read_text(encoding="utf-8")
    return {task: {side: tuple(lines) for side, lines in sides.items()} for task, sides in yaml.safe_load(text).items()}


def people_requests(task_id: str, direction: Direction = "forward", split: Split = "train") -> tuple[str, ...]:
    """The task's requests in ``direction`` that ``split`` may use; () for a task without any."""
    lines = _requests().get(task_id, {}).get(direction, ())
    held = split != "train"
    return tuple(line for i, line in enumerate(lines) if ((i + 1) % HELDOUT_EVERY == 0) == held)


def tasks_with_requests() -> tuple[str, ...]:
    return tuple(_requests())
