"""What a task is: an operator (a pure image function plus its seeded parameter sampler), a
direction, and the facts a benchmark needs (category, metric, levels, pairing policy).

An operator ``op`` turns a clean photo into a transformed one. A task reads it one way:

* ``restore``: input = op(clean), target = clean  (denoising, deblurring, edges -> photo)
* ``apply``:   input = clean, target = op(clean)    (edge extraction, stylization, CLAHE)

so every operator yields a task and, where it makes sense, its inverse, with one code path.
Parameters are plain JSON values (stochastic operators take a ``seed``), so a benchmark sample
can be rebuilt from its manifest entry alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import numpy as np

from pixtask.core.validate import check_image

Params = dict[str, Any]
OperatorFn = Callable[..., np.ndarray]
Sampler = Callable[[np.random.Generator, int | None], Params]
Direction = Literal["restore", "apply"]

#: The GLV-Bench severity scale.
LEVELS: tuple[int, ...] = (1, 2, 3, 4, 5)


class Category(StrEnum):
    """The four GLV-Bench task families."""

    RESTORATION = "restoration"
    ENHANCEMENT = "enhancement"
    STYLIZATION = "stylization"
    FEATURE_EXTRACTION = "feature extraction"


class Metric(StrEnum):
    """The headline metric of a task (see pixtask.evaluation.metrics for the conventions)."""

    PSNR = "psnr"  # restoration, enhancement, X->photo
    MAE = "mae"  # feature maps, in 8-bit units as GLV-Bench reports them
    PERCEPTUAL = "perceptual-proxy"  # stylization: LPIPS weights are unavailable offline


@dataclass(frozen=True)
class Operator:
    """A pure image transformation with a seeded sampler for its parameters.

    Attributes:
        name: stable identifier, part of cache keys.
        fn: ``fn(img, **params) -> img``; (H, W, 3) float32 in [0, 1] in and out.
        sample: ``sample(rng, level) -> params``; ``level`` is None when ``levels`` is empty.
        levels: severity levels the operator understands, empty if it has none.
        slow: True when ``fn`` is too slow to run per training crop (a neural net or a
            sparse solver); the data layer then computes it once per photo and serves crops.
        version: bump when ``fn`` changes its output, to invalidate cached results.
    """

    name: str
    fn: OperatorFn
    sample: Sampler
    levels: tuple[int, ...] = ()
    slow: bool = False
    version: int = 1

    def __call__(self, img: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
        out = self.fn(img, **params)
        return np.clip(out.astype(np.float32, copy=False), 0.0, 1.0)


@dataclass(frozen=True)
class Pairing:
    """What a prompt pair must share with the query pair for the prompt to define the task.

    Prompt and query always use one severity level. ``shared`` names parameters copied from a
    reference draw to every pair ("*" copies all, e.g. one style or one filter); anything else
    (noise seeds, line positions, rain density) is drawn independently per image.
    """

    shared: tuple[str, ...] = ()
    note: str = ""

    def describe(self) -> str:
        parts = ["same level"]
        if self.shared == ("*",):
            parts.append("all parameters shared")
        elif self.shared:
            parts.append("shared: " + ", ".join(self.shared))
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


@dataclass(frozen=True)
class Task:
    """One image-to-image task, e.g. ``denoise-gaussian`` or ``canny``."""

    id: str
    name: str
    category: Category
    operator: Operator
    direction: Direction
    metric: Metric
    description: str
    pairing: Pairing = field(default_factory=Pairing)
    inverse_id: str | None = None

    @property
    def levels(self) -> tuple[int, ...]:
        return self.operator.levels

    @property
    def slow(self) -> bool:
        return self.operator.slow

    def check_level(self, level: int | None) -> int | None:
        """Return a valid level: None for level-less tasks, the middle level if none is given."""
        if not self.levels:
            if level is not None:
                raise ValueError(f"task {self.id!r} has no severity levels; got level={level}")
            return None
        if level is None:
            return self.levels[len(self.levels) // 2]
        if level not in self.levels:
            raise ValueError(f"task {self.id!r} has levels {list(self.levels)}; got level={level}")
        return int(level)

    def sample_params(self, rng: np.random.Generator, level: int | None = None) -> Params:
        return self.operator.sample(rng, self.check_level(level))

    def link(self, params: Params, reference: Mapping[str, Any]) -> Params:
        """Copy into ``params`` what the pairing policy says a pair shares with ``reference``."""
        keys = reference.keys() if self.pairing.shared == ("*",) else self.pairing.shared
        params.update({key: reference[key] for key in keys if key in reference})
        return params

    def sample_linked_params(self, rng: np.random.Generator, level: int | None, count: int) -> list[Params]:
        """``count`` parameter sets that share what the pairing policy says (a prompt set and
        its queries); everything else is drawn independently for each."""
        reference = self.sample_params(rng, level)
        return [self.link(self.sample_params(rng, level), reference) for _ in range(count)]

    def sample_pair_params(self, rng: np.random.Generator, level: int | None = None) -> tuple[Params, Params]:
        """Parameters for a (prompt, query) pair under this task's pairing policy."""
        prompt, query = self.sample_linked_params(rng, level, 2)
        return prompt, query

    def transform(self, clean: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
        """op(clean): the transformed image, whichever side of the pair it lands on."""
        check_image(clean, "clean image")
        return self.operator(clean, params)

    def apply(self, clean: np.ndarray, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """Deterministic (input, target) for the given parameters."""
        return self.orient(clean, self.transform(clean, params))

    def orient(self, clean: np.ndarray, transformed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Place the clean and transformed images as (input, target) by the task's direction."""
        return (transformed, clean) if self.direction == "restore" else (clean, transformed)

    def __call__(
        self, clean: np.ndarray, rng: np.random.Generator, level: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(clean image, rng, level) -> (input, target)."""
        return self.apply(clean, self.sample_params(rng, level))

    def summary(self) -> dict[str, Any]:
        """JSON-ready description, as ``pixtask tasks list --json`` prints it."""
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category.value,
            "metric": self.metric.value,
            "levels": list(self.levels),
            "direction": self.direction,
            "operator": self.operator.name,
            "inverse": self.inverse_id,
            "pairing": self.pairing.describe(),
            "cached": self.slow,
            "description": self.description,
        }
