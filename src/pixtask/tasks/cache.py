"""Cache of operator outputs keyed by photo checksum, operator name/version and parameters.

Slow operators (HED, RTV, pencil drawing, WLS tone manipulation, JPEG 2000) run once per photo
at full resolution; training crops and benchmark pairs are then cut from the cached result,
as GenLV's pipeline precomputed such targets offline. Entries live in memory (bounded LRU)
and optionally on disk as float32 .npy files (exact, so a cached result is
bit-identical to a fresh one) written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from pixtask.core.atomic_write import atomic_target
from pixtask.tasks.spec import Operator


def operator_cache_key(operator: Operator, photo_sha256: str, params: Mapping[str, Any]) -> str:
    blob = json.dumps(
        {"op": operator.name, "version": operator.version, "photo": photo_sha256, "params": params},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


class OperatorCache:
    """Memoise ``operator(image, params)`` for whole photos.

    Args:
        directory: where to keep results across runs (None: memory only).
        max_items: how many results to keep in memory.
    """

    def __init__(self, directory: str | os.PathLike | None = None, max_items: int = 64) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.max_items = max_items
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get_or_compute(
        self,
        operator: Operator,
        image: np.ndarray | Callable[[], np.ndarray],
        photo_sha256: str,
        params: Mapping[str, Any],
    ) -> np.ndarray:
        """The cached result, or ``operator(image, params)``; ``image`` may be a callable that
        makes the input, so a hit never pays for preparing it."""
        key = operator_cache_key(operator, photo_sha256, params)
        if key in self._memory:
            self._memory.move_to_end(key)
            self.hits += 1
            return self._memory[key]
        result = self._load(key)
        if result is None:
            self.misses += 1
            result = operator(image() if callable(image) else image, params)
            self._store(key, result)
        else:
            self.hits += 1
        self._remember(key, result)
        return result

    def _remember(self, key: str, value: np.ndarray) -> None:
        self._memory[key] = value
        while len(self._memory) > self.max_items:
            self._memory.popitem(last=False)

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.npy"

    def _load(self, key: str) -> np.ndarray | None:
        if self.directory is None:
            return None
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            return np.load(path, allow_pickle=False).astype(np.float32)
        except (OSError, ValueError):
            path.unlink(missing_ok=True)  # a damaged entry is recomputed, never trusted
            return None

    def _store(self, key: str, value: np.ndarray) -> None:
        if self.directory is None:
            return
        with atomic_target(self._path(key)) as tmp, tmp.open("wb") as fh:
            np.save(fh, value.astype(np.float32), allow_pickle=False)
