"""Mixed degradations: up to one pick from each of five groups, applied in sequence.

GenLV's mixture applied its x-distortion step to the ground truth instead of the running
degraded image, erasing the earlier steps (reference §4.4); here every step degrades the
output of the previous one. The recipe (which degradations, in order) is shared by prompt and
query; each step's own randomness comes from the operator's seed.
"""

from __future__ import annotations

import numpy as np

from pixtask.core.seeding import rng_for
from pixtask.tasks._registry import get_task, register_operator
from pixtask.tasks.spec import LEVELS, Category, Operator, Pairing, Params

#: Five groups in application order; a group contributes nothing with probability ``_SKIP``.
_GROUPS: tuple[tuple[str, ...], ...] = (
    ("derain", "spatter-removal", "deblur-gaussian", "deblur-motion", "deblur-lens"),
    (
        "brighten-correction",
        "darken-correction",
        "saturate-strengthen-correction",
        "saturate-weaken-correction",
    ),
    ("denoise-gaussian", "denoise-poisson", "denoise-speckle"),
    ("deringing", "rl-restoration"),
    ("dejpeg",),
)
_SKIP = 0.5
_MIN_STEPS = 2


def mixed_degradation(img: np.ndarray, recipe: list[str], level: int, seed: int) -> np.ndarray:
    """Apply the degradations of ``recipe`` in order, each with parameters drawn for ``level``."""
    out = img
    for i, task_id in enumerate(recipe):
        task = get_task(task_id)
        params = task.sample_params(rng_for(seed, i, task_id), level if task.levels else None)
        out = task.transform(np.clip(out, 0, 1).astype(np.float32), params)
    return out


def sample_recipe(rng: np.random.Generator, level: int | None) -> Params:
    while True:
        recipe = [g[int(rng.integers(len(g)))] for g in _GROUPS if rng.random() >= _SKIP]
        if len(recipe) >= _MIN_STEPS:
            break
    return {"recipe": recipe, "level": level, "seed": int(rng.integers(0, 2**31 - 1))}


register_operator(
    Operator("mixture", mixed_degradation, sample_recipe, LEVELS),
    id="mixed-restoration",
    name="Mixed-degradation restoration",
    category=Category.RESTORATION,
    direction="restore",
    description="Remove a chain of 2-5 degradations (weather/blur, tone, noise, ringing, JPEG).",
    pairing=Pairing(shared=("recipe",), note="same degradations in the same order; randomness independent"),
)
