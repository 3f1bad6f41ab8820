"""Example pairs the app synthesises from the task library, so a user who has only a photo can
still tell a task by example: a bundled photo other than the input, degraded by the task."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from pixtask.core.geometry import center_square
from pixtask.core.seeding import rng_for
from pixtask.data.photos import Photo, bundled_photos
from pixtask.tasks import get_task

EXAMPLE_SIDE = 256


@lru_cache(maxsize=1)
def example_photos() -> tuple[Photo, ...]:
    """The bundled test photos (never trained on): the app's examples and example-pair sources."""
    return tuple(p for p in bundled_photos() if p.split == "test")


def fingerprint(img: np.ndarray) -> np.ndarray:
    """A 16x16 grey thumbnail: enough to tell whether two photos are the same picture."""
    grey = cv2.cvtColor(np.ascontiguousarray(img, dtype=np.float32), cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, (16, 16), interpolation=cv2.INTER_AREA)


@lru_cache(maxsize=16)
def _photo_square(photo_id: str) -> np.ndarray:
    photo = next(p for p in example_photos() if p.id == photo_id)
    return center_square(photo.load(), EXAMPLE_SIDE)


def example_pair(
    task_id: str, level: int | None, query: np.ndarray, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, str]:
    """(input, target, photo id) of ``task_id`` at ``level`` on the first bundled photo that is
    not the query itself; parameters are drawn from the task for a fixed seed."""
    task = get_task(task_id)
    level = task.check_level(level if task.levels else None)
    own = fingerprint(query)
    for photo in example_photos():
        square = _photo_square(photo.id)
        if np.abs(fingerprint(photo.load()) - own).mean() < 0.01:
            continue  # the input is this photo: its own answer must not be the example
        params = task.sample_params(rng_for(seed, "app-example", task_id, level), level)
        inp, tgt = task.apply(square, params)
        return inp, tgt, photo.id
    raise ValueError("no bundled photo other than the input is available for an example pair")
