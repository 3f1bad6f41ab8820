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

Splits: about a fifth of every phrase list (at least one entry) is held out, chosen by a
stable hash of the phrase rather than its position, and so is one severity word per level and
a fifth of the sentence structures. A phrase held out anywhere is held out everywhere, and so
is every phrase that contains one, so a held-out phrase of any task appears in no training
instruction of any task (:data:`HELDOUT_PHRASES`). A *train* instruction uses no held-out part
and a *heldout* one uses held-out structures and phrases only, so "unseen" instructions really
are composed of unseen parts. Generation is a pure function of its arguments and the random
generator it is given.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from pixtask.instructions.asks import ASKS
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
# structures that lead with the request in the result's words ({ask}, :mod:`pixtask.instructions.asks`); a
# bank without asks is told by the two kinds above only
REQUEST = (
    "{Ask}.",
    "{Ask}: {change}.{keep}",
    "{Ask}, so {after}.{keep}",
    "{Ask}. {Change}, so {after}.{keep}",
    "{Ask}; in the end {after}.",
)
KEEP = (
    "",
    " Keep the composition and every object where it is.",
    " Nothing else in the scene moves or changes shape.",
    " The framing and the content stay exactly as they are.",
    " Leave the layout of the scene untouched.",
)
# the paper's banned phrases, and "correct" (a task name's suffix: "brighten-correction")
# (whole words, so each inflection is listed: "image a" must not catch "image and")
BANNED = (
    *("image a", "image b", "into image", "first image", "second image"),
    *("transform", "transforms", "transformed", "transforming", "transformation", "task", "tasks"),
    *("correct", "corrects", "corrected", "correcting", "correction"),
)


@dataclass(frozen=True)
class Instruction:
    text: str
    direction: Direction
    split: Split
    structure: str  # "paragraph", "steps" or "request"


HELDOUT_SHARE = 0.2


def _slots() -> list[tuple[str, ...]]:
    """Every list a split is drawn from: each bank's five phrase lists, the structures, the
    clauses about what stays and each level's severity words."""
    slots = [PARAGRAPH, STEPS, KEEP, *SEVERITY.values()]
    for bank in BANKS.values():
        slots += [bank.what, bank.appear, bank.vanish, bank.after_appear, bank.after_vanish]
    slots.append(REQUEST)  # after the older slots, so their order (and splits) stay as they were
    for ask in ASKS.values():
        slots += [ask.vanish, ask.appear]
    return slots


def _stable_order(entry: str) -> str:
    return hashlib.sha256(entry.encode()).hexdigest()


def _contains(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole words (placeholders count as words)."""
    pattern = r"(?<![\w{])" + re.escape(phrase.lower()) + r"(?![\w}])"
    return re.search(pattern, text.lower()) is not None


def _is_phrase(text: str) -> bool:
    """Two or more words, not counting placeholders."""
    return len(re.sub(r"\{\w+\}", " ", text).split()) >= 2


def _heldout_phrases() -> frozenset[str]:
    """A fifth of each slot (at least one entry, by a stable hash of the text), then closed: a
    phrase that contains a held-out phrase is held out too, in every slot, so no training
    instruction can carry a held-out phrase (two or more words) inside a longer one."""
    held: set[str] = set()
    for slot in _slots():
        phrases = [e for e in dict.fromkeys(slot) if e]
        k = max(1, round(HELDOUT_SHARE * len(phrases)))
        held.update(sorted(phrases, key=_stable_order)[:k])
    everything = {e for slot in _slots() for e in slot if e}
    while True:  # single words ("grain", "light") are words, not phrases: they may recur
        phrases = [h for h in held if _is_phrase(h)]
        grown = {e for e in everything - held if any(_contains(e, h) for h in phrases)}
        if not grown:
            return frozenset(held)
        held |= grown


HELDOUT_PHRASES = _heldout_phrases()


def _part(options: tuple[str, ...], split: Split) -> tuple[str, ...]:
    """The entries a split may use. The empty clause about what stays belongs to both."""
    if split == "train":
        return tuple(e for e in options if e not in HELDOUT_PHRASES)
    return tuple(e for e in options if e in HELDOUT_PHRASES or not e)


def _removing(orientation: Orientation, direction: Direction) -> bool:
    return (orientation == "restore") == (direction == "forward")


def _clauses(orientation: Orientation, direction: Direction, bank: Bank) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (bank.vanish, bank.after_vanish) if _removing(orientation, direction) else (bank.appear, bank.after_appear)


def _asks(operator: str, orientation: Orientation, direction: Direction) -> tuple[str, ...]:
    ask = ASKS.get(operator)
    if ask is None:
        return ()
    return ask.vanish if _removing(orientation, direction) else ask.appear


def _severity(level: int | None, split: Split) -> tuple[str, ...]:
    return _part(SEVERITY.get(level, SEVERITY[None]), split)


def _render(structure: str, change: str, after: str, keep: str, ask: str = "") -> str:
    text = structure.format(
        ask=ask,
        Ask=ask[:1].upper() + ask[1:],
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
    asks = _part(_asks(operator, orientation, direction), split)
    structures = [("paragraph", s) for s in _part(PARAGRAPH, split)] + [("steps", s) for s in _part(STEPS, split)]
    if asks:
        structures += [("request", s) for s in _part(REQUEST, split)]
    return (
        bank,
        structures,
        _part(changes, split),
        _part(afters, split),
        _part(bank.what, split),
        _severity(level, split),
        asks,
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
    bank, structures, changes, afters, whats, sevs, asks = _choices(operator, orientation, direction, level, split)
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
    # drawn last; the phrase splits stay as they were
    ask = asks[int(rng.integers(len(asks)))] if kind == "request" else ""
    return Instruction(_render(structure, change, after, keep, ask), direction, split, kind)


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
    bank, structures, changes, afters, whats, sevs, asks = _choices(operator, orientation, direction, level, split)
    detail = bank.detail(params) if bank.detail else ""
    for (kind, structure), change, after, what, sev, keep in itertools.product(
        structures, changes, afters, whats, sevs, _part(KEEP, split)
    ):
        for ask in asks if kind == "request" else ("",):
            yield _render(structure, _fill(change, what, sev, detail), after, keep, ask)


def instruction_parts(
    operator: str,
    orientation: Orientation,
    params: dict[str, Any],
    *,
    level: int | None = None,
    direction: Direction = "forward",
    split: Split = "train",
) -> set[str]:
    """The filled clauses and the fixed words of the structures that :func:`all_instructions`
    composes its instructions of: what a check of every instruction's words needs to read,
    without the whole product."""
    bank, structures, changes, afters, whats, sevs, asks = _choices(operator, orientation, direction, level, split)
    detail = bank.detail(params) if bank.detail else ""
    filled = {_fill(c, w, s, detail) for c, w, s in itertools.product(changes, whats, sevs)}
    fixed = {re.sub(r"\{\w+\}", " ", structure) for _, structure in structures}
    return filled | set(afters) | {k for k in _part(KEEP, split) if k} | fixed | set(asks)


def distinct_phrases(
    operator: str,
    orientation: Orientation,
    *,
    levels: tuple[int | None, ...] = (None,),
    direction: Direction = "forward",
    split: Split = "train",
) -> int:
    """How many distinct phrases the instructions of a task, direction and split are composed
    of (structures, clauses, nouns, severity words at ``levels``, clauses about what stays):
    beside the count of their combinations, the honest measure of variety."""
    _, structures, changes, afters, whats, _, asks = _choices(operator, orientation, direction, None, split)
    severities = {w for level in levels for w in _severity(level, split)}
    keeps = [k for k in _part(KEEP, split) if k]
    return len(structures) + len(changes) + len(afters) + len(whats) + len(severities) + len(keeps) + len(asks)


def leaked_phrases() -> list[tuple[str, str]]:
    """Held-out phrases (two or more words) found inside a training phrase of any task, with
    the training phrase: the phrase-level leak check (empty by construction)."""
    held = {e for slot in _slots() for e in _part(slot, "heldout") if e and _is_phrase(e)}
    train = {e for slot in _slots() for e in _part(slot, "train") if e}
    return sorted((h, t) for h in held for t in train if _contains(t, h))


def banned_words(task_id: str, operator: str) -> tuple[str, ...]:
    """What an instruction for this task may not contain: its id, its terms and the phrases
    the paper bans ("image A", "transform X into Y")."""
    return (task_id.replace("-", " "), task_id, *BANKS[operator].terms, *BANNED)


def banned_phrase(text: str, phrases: tuple[str, ...] = BANNED) -> str | None:
    """The first of ``phrases`` that ``text`` contains as whole words, or None: "image a" is
    banned, "the whole image and" is not."""
    low = text.lower()
    for phrase in phrases:
        if re.search(r"(?<![a-z0-9])" + re.escape(phrase.lower().strip()) + r"(?![a-z0-9])", low):
            return phrase
    return None


def names_the_task(text: str, task_id: str, operator: str) -> str | None:
    """The task term or banned phrase ``text`` contains, or None. Task terms match from a word
    start ("dehaz" catches "dehazing"); the paper's banned phrases match whole words."""
    low = text.lower()
    for word in (task_id.replace("-", " "), task_id, *BANKS[operator].terms):
        if re.search(r"(?<![a-z])" + re.escape(word.lower().strip()), low):
            return word
    return banned_phrase(text)


def terminological(task_id: str, code: int | None = None) -> str:
    """The paper's comparison: the task's name, or an opaque "Task X" code."""
    if code is not None:
        return f"Task {code}"
    return task_id.replace("-", " ")
