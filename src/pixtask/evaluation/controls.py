"""The words a benchmark query is told, and the controls that show whether a model reads them.

A model can score well "in words" without reading them: a restoration model often sees the
degradation in the image itself. So every words evaluation also tells the same query:

- ``empty``: a lone full stop, the least a user can send (a blank is no instruction at all);
- ``wrong-task``: another trained task's words (the one halfway round the trained list);
- ``opposite``: words asking for the opposite change (brighten/darken, sharpen/blur,
  remove/add noise, saturate/desaturate, stylize/undo).

A task is *told in words* when its words beat identity by :data:`TOLD_MARGIN` dB and beat the
wrong-task words by as much. Where the task moves one image statistic (brightness, contrast,
saturation, fine detail), its words and the opposite words must move it in opposite directions.
"""

from __future__ import annotations

import hashlib

import cv2
import numpy as np

from pixtask.core.seeding import rng_for
from pixtask.data.benchmark import Pair
from pixtask.data.task_instructions import describe_task
from pixtask.instructions import terminological
from pixtask.instructions.user_phrasings import SETS as USER_SETS
from pixtask.instructions.user_phrasings import check_covered, user_phrasing, user_phrasings
from pixtask.tasks import get_task

CONTROLS = ("empty", "wrong-task", "opposite")
EMPTY_WORDS = "."
TOLD_MARGIN = 0.3  # dB: words must beat identity and the wrong-task words by this much
SPLITS = (*USER_SETS, "heldout", "train", "terminological")
#: what each split's words are, for reports and model cards
SPLIT_WORDS = {
    "user": "phrasings as people write them, never used in training",
    "user-blind": "a second set of phrasings, written blind to the phrase banks; never used in training or design",
    "heldout": "templates and phrase banks never used in training",
    "train": "the training templates",
    "terminological": "the task's name",
}

# the statistic a task's change moves one way and its opposite the other way
DIRECTION_STATISTIC = {
    "lowlight-enhancement": "brightness",
    "darken-correction": "brightness",
    "brighten-correction": "brightness",
    "contrast-strengthen-correction": "contrast",
    "contrast-weaken-correction": "contrast",
    "clahe": "contrast",
    "saturate-weaken-correction": "saturation",
    "saturate-strengthen-correction": "saturation",
    "deblur-gaussian": "detail",
    "deblur-motion": "detail",
    "sr-x2": "detail",
    "denoise-gaussian": "detail",
    "denoise-poisson": "detail",
    "denoise-impulse": "detail",
    "cartoon": "detail",
    "watercolor": "detail",
}


def image_statistic(name: str, image: np.ndarray) -> float:
    """Mean brightness or saturation, contrast (std of luma) or fine detail (mean absolute
    Laplacian of luma) of an RGB image in [0, 1]."""
    rgb = np.ascontiguousarray(image, dtype=np.float32)
    luma = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if name == "brightness":
        return float(luma.mean())
    if name == "contrast":
        return float(luma.std())
    if name == "saturation":
        return float(cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)[..., 1].mean())
    if name == "detail":
        return float(np.abs(cv2.Laplacian(luma, cv2.CV_32F, ksize=3)).mean())
    raise ValueError(f"unknown image statistic {name!r}")


def check_split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"instructions: choose one of {', '.join(SPLITS)}, not {split!r}")
    return split


def wrong_task(task: str) -> str:
    """Another trained task, the same for every model and run: halfway round the trained list
    (a trained task), or a stable pick from it (any other task)."""
    order = list(user_phrasings())
    if task in order:
        return order[(order.index(task) + len(order) // 2) % len(order)]
    pick = int(hashlib.sha256(task.encode()).hexdigest(), 16) % len(order)
    return order[pick] if order[pick] != task else order[(pick + 1) % len(order)]


def query_instruction(query: Pair, split: str = "heldout", seed: int = 0) -> str:
    """The words a benchmark query is told with: a user phrasing of its task (``user``), an
    explanatory instruction of its own parameters and level from the held-out or training
    templates, or the task's name (``terminological``, the paper's comparison). The same for
    every model and run."""
    check_split(split)
    if split == "terminological":
        return terminological(query.task)
    rng = rng_for(seed, "eval-instruction", query.task, query.photo, query.level)
    if split in USER_SETS:
        return user_phrasing(query.task, rng, words=split)
    return describe_task(query.task, query.params, rng, level=query.level, split=split).text


def control_words(query: Pair, split: str = "heldout", seed: int = 0) -> dict[str, str]:
    """The control instructions of a query, told in ``split``'s style ({} for terminological
    words, which have no opposite and no explanatory form)."""
    check_split(split)
    if split == "terminological":
        return {}
    rng = rng_for(seed, "eval-controls", query.task, query.photo, query.level)
    other = wrong_task(query.task)
    if split in USER_SETS:
        return {
            "empty": EMPTY_WORDS,
            "wrong-task": user_phrasing(other, rng, words=split),
            "opposite": user_phrasing(query.task, rng, "backward", words=split),
        }
    other_task = get_task(other)
    level = query.level if other_task.levels else None
    other_params = other_task.sample_params(rng_for(seed, "eval-controls", other, query.photo), level)
    return {
        "empty": EMPTY_WORDS,
        "wrong-task": describe_task(other, other_params, rng, level=level, split=split).text,
        "opposite": describe_task(
            query.task, query.params, rng, level=query.level, direction="backward", split=split
        ).text,
    }


def check_tasks_have_words(tasks: set[str], split: str) -> None:
    """The user phrasings cover the trained tasks only: a clear error for the others."""
    if check_split(split) in USER_SETS:
        check_covered(tasks, split)
