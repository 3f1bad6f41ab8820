"""Explanatory instructions for registry tasks: the bridge between a task (operator, direction,
parameters, level) and the phrase-bank engine of :mod:`pixtask.instructions`.

A mixed-degradation task is described as a chain, as the Explanatory Instructions paper merges
multi-turn edits: forwards, the component removals in reverse order of application joined into
one instruction; backwards, the component degradations in the order they were applied.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pixtask.core.seeding import rng_for
from pixtask.instructions import BANKS, Instruction, all_instructions, explain, names_the_task
from pixtask.instructions.engine import Direction, Split, distinct_phrases
from pixtask.instructions.people_requests import people_requests
from pixtask.tasks import get_task, list_tasks

TEMPLATES_PER_TASK = 150
REQUEST_REPEATS = 5  # a task has about 30 training requests as people type them against 150 templates

JOINERS = (" Next: ", " After that, ", " Then: ")


def describe_task(
    task_id: str,
    params: dict[str, Any],
    rng: np.random.Generator,
    *,
    level: int | None = None,
    direction: Direction = "forward",
    split: Split = "train",
) -> Instruction:
    """One explanatory instruction for ``task_id`` with these parameters."""
    task = get_task(task_id)
    if task.operator.name != "mixture":
        return explain(task.operator.name, task.direction, params, rng, level=level, direction=direction, split=split)
    steps = []
    for i, component in enumerate(params["recipe"]):
        sub = get_task(component)
        sub_params = sub.sample_params(rng_for(params.get("seed", 0), i, component), level if sub.levels else None)
        steps.append(describe_task(component, sub_params, rng, level=level, direction=direction, split=split))
    if direction == "forward":  # undo the last degradation first
        steps.reverse()
    joiner = JOINERS[int(rng.integers(len(JOINERS)))]
    text = joiner.join(s.text for s in steps)
    return Instruction(text, direction, split, "chain")


def instruction_counts(seed: int = 0, levels: tuple[int, ...] = (1, 3, 5)) -> dict[str, dict[str, int]]:
    """Distinct instructions per task and split, over both directions and ``levels`` (one
    parameter draw per level; mixtures are chains of their components and are not counted), and
    the distinct phrases they are composed of per direction (``"<split>_phrases"``)."""
    counts: dict[str, dict[str, int]] = {}
    for task_id in list_tasks("*"):
        task = get_task(task_id)
        if task.operator.name not in BANKS:
            continue
        per_split = {}
        for split in ("train", "heldout"):
            seen: set[str] = set()
            for level in levels if task.levels else (None,):
                params = task.sample_params(rng_for(seed, "instructions", task_id, level), level)
                for direction in ("forward", "backward"):
                    seen.update(
                        all_instructions(
                            task.operator.name, task.direction, params, level=level, direction=direction, split=split
                        )
                    )
            per_split[split] = len(seen)
            per_split[f"{split}_phrases"] = {
                direction: distinct_phrases(
                    task.operator.name,
                    task.direction,
                    levels=levels if task.levels else (None,),
                    direction=direction,
                    split=split,
                )
                for direction in ("forward", "backward")
            }
        counts[task_id] = per_split
    return counts


def task_violation(task_id: str, text: str) -> str | None:
    """The task term or banned phrase ``text`` contains, or None (see the engine's banned_words)."""
    task = get_task(task_id)
    return names_the_task(text, task_id, task.operator.name) if task.operator.name in BANKS else None


def task_sentences(tasks: list[str], seed: int) -> tuple[list[str], list[str]]:
    """Training-split sentences asking for each task in its trained direction, and the task each
    asks for: ``TEMPLATES_PER_TASK`` template instructions (levels 1, 3 and 5 in turn, parameters
    drawn per sentence) and the task's training requests as people type them, each
    ``REQUEST_REPEATS`` times. What a words' router's task classifier is fitted to."""
    texts: list[str] = []
    labels: list[str] = []
    for task_id in tasks:
        task = get_task(task_id)
        told = []
        for i in range(TEMPLATES_PER_TASK):
            rng = rng_for(seed, "word-router", task_id, i)
            level = (1, 3, 5)[i % 3] if task.levels else None
            told.append(describe_task(task_id, task.sample_params(rng, level), rng, level=level).text)
        told += list(people_requests(task_id, "forward", "train")) * REQUEST_REPEATS
        texts += told
        labels += [task_id] * len(told)
    return texts, labels
