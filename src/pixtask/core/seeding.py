"""Seeds derived from names, so every random draw in pixtask is reproducible and independent.

Python's ``hash`` is salted per process, so keys are hashed with SHA-256 instead.
"""

from __future__ import annotations

import hashlib

import numpy as np


def derive_seed(seed: int, *keys: object) -> int:
    """A 63-bit seed that depends only on ``seed`` and the string form of ``keys``.

    >>> derive_seed(0, "denoise-gaussian", 3) == derive_seed(0, "denoise-gaussian", 3)
    True
    """
    text = "\x1f".join([str(int(seed)), *map(str, keys)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little") >> 1


def rng_for(seed: int, *keys: object) -> np.random.Generator:
    """A numpy Generator seeded by :func:`derive_seed`; never the global numpy RNG."""
    return np.random.default_rng(derive_seed(seed, *keys))
