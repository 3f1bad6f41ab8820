"""Example pairs that start a words' router's anchors (CondNAFNet's ``word_anchors``).

When a router is added to trained weights, each task's anchor starts at the mean embedding of
that task's example pairs, so routing words to a task starts by telling the network what an
example of it tells. The pairs are cut from the run's training photos, seeded by the run.
A stage that refits the router (``word_router_fit``) fits its classifier to the training
split's instructions of the anchor tasks (:func:`pixtask.data.task_instructions.task_sentences`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from pixtask.core.seeding import rng_for
from pixtask.data.crops import PairSampler
from pixtask.data.photos import resolve_photos
from pixtask.tasks import get_task

if TYPE_CHECKING:
    from pixtask.training.config import TrainConfig

PAIRS_PER_TASK = 24
CROP = 128  # at most: larger than the training crop, as the example encoder pools over space


def anchor_examples(tasks: list[str], cfg: TrainConfig) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Per task, ``PAIRS_PER_TASK`` (input, target) square crops as (N, 3, side, side) tensors
    (``CROP``, or the shortest side of the photos at ``data.max_side`` if that is shorter),
    levels 1, 3 and 5 in turn for tasks that have levels."""
    photos = [p for p in resolve_photos(cfg.data.photos) if p.split == "train"]
    sampler = PairSampler(photos, crop=1, max_side=cfg.data.max_side)
    sampler.crop = min(CROP, *(min(sampler.working_image(p).shape[:2]) for p in photos))
    examples = {}
    for task_id in tasks:
        task = get_task(task_id)
        crops = []
        for i in range(PAIRS_PER_TASK):
            level = (1, 3, 5)[i % 3] if task.levels else None
            crops.append(sampler.sample(task, rng_for(cfg.seed, "word-anchors", task_id, i), level))
        inputs, targets = (
            torch.from_numpy(np.ascontiguousarray(np.stack([getattr(c, side) for c in crops]).transpose(0, 3, 1, 2)))
            for side in ("input", "target")
        )
        examples[task_id] = (inputs, targets)
    return examples
