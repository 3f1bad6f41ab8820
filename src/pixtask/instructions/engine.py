"""Explanatory instructions: a task told by describing the change, never by its name.

An instruction is composed from an operator's phrase bank (:mod:`.banks`): a clause saying
what changes, one saying what the photo looks like afterwards, a sentence structure (a single
paragraph or numbered steps) and, sometimes, a clause about what stays. Severity words follow
the task's level; details follow its parameters (a motion blur's direction, a cast's colour,
a photographic look's palette).

Directions: *forward* describes input -> target, *backward* target -> input. A task that
restores (input = op(photo)) is told forward by the bank's ``vanish`` clauses, and one that
applies its operator by ``appear``; backward swaps them, so one bank serves a task, its
inverse, and both directions of each.

Splits: the last entry of every phrase list and of every structure list is held out; a
*train* instruction uses none of them and a *heldout* one uses held-out structures and
phrases only, so "unseen" instructions really are composed of unseen parts. Generation is a
pure function of its arguments and the random generator it is given.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from pixtask.instructions.banks import BANKS, Bank

Direction = Literal["forward", "backward"]
Split = Literal["train", "heldout"]
Orientation = Literal["restore", "apply"]

SEVERITY: dict[int | None, tuple[str, ...]] = {
    1: ("faint", "slight", "barely noticeable", "very light"),
    2: ("light", "mild", "gentle", "modest"),
    3: ("moderate", "noticeable", "clear", "medium"),
    4: ("strong", "heavy", "thick", "pronounced"),
    5: ("severe", "very heavy", "intense", "extreme"),
    None: ("noticeable", "visible", "clear", "distinct"),
}
# sentence structures; {change} and {after} are clauses, {keep} an optional clause about what stays
PARAGRAPH = (
    "{Change}, so {after}.{keep}",
    "{Change}; as a result, {after}.{keep}",
    "{After} once {change}.{keep}",
    "{Change}. Afterwards {after}.{keep}",
    "Make it so that {change}; in the end {after}.{keep}",
)
STEPS = (
    "Step 1: {change}. Step 2: {after}.{keep}",
    "First, {change}. Then check that {after}.{keep}",
    "1) {Change}. 2) Make sure {after}.{keep}",
    "Begin with the whole frame: {change}. Finish when {after}.{keep}",
)
KEEP = (
    "",
    " Keep the composition and every object where it is.",
    " Nothing else in the scene moves or changes shape.",
    " The framing and the content stay exactly as they are.",
    " Leave the layout of the scene untouched.",
)
BANNED = ("image a", "image b", "transform", " into image", "first image", "second image", "task")


@dataclass(frozen=True)
class Instruction:
    text: str
    direction: Direction
    split: Split
    structure: str  # "paragraph" or "steps"


def _part(options: tuple[str, ...], split: Split) -> tuple[str, ...]:
    """The entries a split may use: all but the last for train, only the last for held out."""
    return options[:-1] if split == "train" else options[-1:]


def _clauses(orientation: Orientation, direction: Direction, bank: Bank) -> tuple[tuple[str, ...], tuple[str, ...]]:
    removing = (orientation == "restore") == (direction == "forward")
    return (bank.vanish, bank.after_vanish) if removing else (bank.appear, bank.after_appear)


def _severity(level: int | None, split: Split) -> tuple[str, ...]:
    words = SEVERITY.get(level, SEVERITY[None])
    return words if split == "train" else words[-1:]


def _render(structure: str, change: str, after: str, keep: str) -> str:
    text = structure.format(
        change=change,
        Change=change[:1].upper() + change[1:],
        after=after,
        After=after[:1].upper() + after[1:],
        keep=keep,
    )
    return re.sub(r"\s+", " ", text).replace(" ,", ",").replace(" .", ".").strip()


def _fill(clause: str, what: str, sev: str, detail: str) -> str:
    return clause.format(what=what, sev=sev, detail=detail)


def _choices(operator: str, orientation: Orientation, direction: Direction, level: int | None, split: Split):
    bank = BANKS[operator]
    changes, afters = _clauses(orientation, direction, bank)
    structures = [("paragraph", s) for s in _part(PARAGRAPH, split)] + [("steps", s) for s in _part(STEPS, split)]
    return (
        bank,
        structures,
        _part(changes, split),
        _part(afters, split),
        _part(bank.what, split),
        _severity(level, split),
    )


def explain(
    operator: str,
    orientation: Orientation,
    params: dict[str, Any],
    rng: np.random.Generator,
    *,
    level: int | None = None,
    direction: Direction = "forward",
    split: Split = "train",
) -> Instruction:
    """One explanatory instruction for a task on ``operator`` read as ``orientation``."""
    if operator not in BANKS:
        raise KeyError(f"no phrase bank for operator {operator!r}")
    bank, structures, changes, afters, whats, sevs = _choices(operator, orientation, direction, level, split)
    kind, structure = structures[int(rng.integers(len(structures)))]
    detail = bank.detail(params) if bank.detail else ""
    change = _fill(
        changes[int(rng.integers(len(changes)))],
        whats[int(rng.integers(len(whats)))],
        sevs[int(rng.integers(len(sevs)))],
        detail,
    )
    after = afters[int(rng.integers(len(afters)))]
    keeps = _part(KEEP, split)
    keep = keeps[int(rng.integers(len(keeps)))]
    return Instruction(_render(structure, change, after, keep), direction, split, kind)


def all_instructions(
    operator: str,
    orientation: Orientation,
    params: dict[str, Any],
    *,
    level: int | None = None,
    direction: Direction = "forward",
    split: Split = "train",
) -> Iterator[str]:
    """Every instruction :func:`explain` can give for these arguments (for counts and tests)."""
    bank, structures, changes, afters, whats, sevs = _choices(operator, orientation, direction, level, split)
    detail = bank.detail(params) if bank.detail else ""
    for (_, structure), change, after, what, sev, keep in itertools.product(
        structures, changes, afters, whats, sevs, _part(KEEP, split)
    ):
        yield _render(structure, _fill(change, what, sev, detail), after, keep)


def banned_words(task_id: str, operator: str) -> tuple[str, ...]:
    """What an instruction for this task may not contain: its id, its terms and the phrases
    the paper bans ("image A", "transform X into Y")."""
    return (task_id.replace("-", " "), task_id, *BANKS[operator].terms, *BANNED)


def names_the_task(text: str, task_id: str, operator: str) -> str | None:
    """The banned word or phrase ``text`` contains (matched from a word start), or None."""
    low = text.lower()
    for word in banned_words(task_id, operator):
        if re.search(r"(?<![a-z])" + re.escape(word.lower().strip()), low):
            return word
    return None


def terminological(task_id: str, code: int | None = None) -> str:
    """The paper's comparison: the task's name, or an opaque "Task X" code."""
    if code is not None:
        return f"Task {code}"
    return task_id.replace("-", " ")
