"""Training pairs cut from whole photos: a random crop of a random photo, transformed by a task.

Fast operators run on the crop. Slow ones (``Operator.slow``) run once per photo and parameter
set at the photo's working resolution, through :class:`~pixtask.tasks.cache.OperatorCache`, and
every crop is cut from the cached result; that is what keeps them off the training loop's
critical path.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from pixtask.core.image_io import to_float, to_uint8
from pixtask.data.photos import Photo
from pixtask.tasks.cache import OperatorCache
from pixtask.tasks.spec import Params, Task


@dataclass(frozen=True)
class Crop:
    """One (input, target) crop and where it came from."""

    input: np.ndarray
    target: np.ndarray
    photo: str
    box: tuple[int, int, int, int]  # top, left, height, width in the working image
    params: Params


class PairSampler:
    """Draw task crops from a list of photos (pass training photos only).

    Every photo is decoded once, shrunk to its working resolution and kept as uint8 (3 bytes a
    pixel, so at most ``len(photos) * max_side**2 * 3`` bytes: 55 photos at ``max_side`` 512
    need under 45 MiB). Re-decoding multi-megapixel JPEGs on every draw cost 90% of a sample's
    time when only some photos were kept. Crops are converted to float32 as they are cut.

    Args:
        photos: where crops come from.
        crop: side of the square crops.
        max_side: photos are shrunk (area filter, aspect kept) so the longer side is at most
            this; it bounds memory and the cost of slow operators.
        cache: operator cache for slow tasks (a memory-only one by default).
        photos_in_memory: how many decoded photos to keep (None: all of them). A smaller
            number bounds memory for huge photo sets, at the price of decoding again.
    """

    def __init__(
        self,
        photos: list[Photo],
        crop: int = 256,
        max_side: int = 1024,
        cache: OperatorCache | None = None,
        photos_in_memory: int | None = None,
    ) -> None:
        if not photos:
            raise ValueError("PairSampler needs at least one photo")
        if photos_in_memory is not None and photos_in_memory < 1:
            raise ValueError(f"photos_in_memory must be at least 1 (or None for all), got {photos_in_memory}")
        self.photos = photos
        self.crop = crop
        self.max_side = max_side
        self.cache = cache if cache is not None else OperatorCache()
        self._images: OrderedDict[str, np.ndarray] = OrderedDict()  # photo id -> uint8 working image
        self._photos_in_memory = photos_in_memory
        self.decodes = 0  # how many times a photo file was decoded (a test keeps this honest)

    def _stored(self, photo: Photo) -> np.ndarray:
        """The uint8 working image, decoded on first use and then kept."""
        if photo.id in self._images:
            self._images.move_to_end(photo.id)
            return self._images[photo.id]
        img = photo.load()
        self.decodes += 1
        h, w = img.shape[:2]
        if max(h, w) > self.max_side:
            scale = self.max_side / max(h, w)
            img = cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        if min(img.shape[:2]) < self.crop:
            raise ValueError(f"{photo.id}: {img.shape[1]}x{img.shape[0]} is smaller than the crop size {self.crop}")
        stored = to_uint8(img)
        self._images[photo.id] = stored
        while self._photos_in_memory is not None and len(self._images) > self._photos_in_memory:
            self._images.popitem(last=False)
        return stored

    def working_image(self, photo: Photo) -> np.ndarray:
        """The photo at its working resolution, float32 RGB in [0, 1]."""
        return to_float(self._stored(photo))

    def preload(self) -> int:
        """Decode every photo now; returns the bytes kept. Called before DataLoader workers
        fork, the decoded photos are shared by all of them (copy-on-write) instead of decoded
        again in each."""
        for photo in self.photos:
            self._stored(photo)
        return self.memory_bytes

    @property
    def memory_bytes(self) -> int:
        return sum(img.nbytes for img in self._images.values())

    def sample(
        self,
        task: Task,
        rng: np.random.Generator,
        level: int | None = None,
        *,
        params: Params | None = None,
        photo: Photo | None = None,
    ) -> Crop:
        """One crop pair; ``params``/``photo`` fix those draws (e.g. for a linked prompt)."""
        photo = photo or self.photos[int(rng.integers(len(self.photos)))]
        params = params if params is not None else task.sample_params(rng, level)
        img = self._stored(photo)
        h, w = img.shape[:2]
        top, left = int(rng.integers(0, h - self.crop + 1)), int(rng.integers(0, w - self.crop + 1))
        window = (slice(top, top + self.crop), slice(left, left + self.crop))
        clean = to_float(img[window])
        if task.slow:
            key = f"{photo.sha256}:{self.max_side}:u8"  # the operator sees the uint8-stored photo
            full = self.cache.get_or_compute(task.operator, lambda: to_float(img), key, params)
            transformed = np.ascontiguousarray(full[window])
        else:
            transformed = task.transform(clean, params)
        inp, tgt = task.orient(clean, transformed)
        return Crop(inp, tgt, photo.id, (top, left, self.crop, self.crop), params)

    def sample_prompt_and_query(
        self, task: Task, rng: np.random.Generator, level: int | None = None
    ) -> tuple[Crop, Crop]:
        """A prompt crop and a query crop from two different photos (when there are two),
        with parameters linked by the task's pairing policy."""
        prompt_params, query_params = task.sample_pair_params(rng, level)
        first = int(rng.integers(len(self.photos)))
        second = first
        if len(self.photos) > 1:
            second = (first + 1 + int(rng.integers(len(self.photos) - 1))) % len(self.photos)
        prompt = self.sample(task, rng, params=prompt_params, photo=self.photos[first])
        query = self.sample(task, rng, params=query_params, photo=self.photos[second])
        return prompt, query

    def stats(self) -> dict[str, Any]:
        return {
            "cache_hits": self.cache.hits,
            "cache_misses": self.cache.misses,
            "photos": len(self._images),
            "photo_bytes": self.memory_bytes,
            "decodes": self.decodes,
        }
