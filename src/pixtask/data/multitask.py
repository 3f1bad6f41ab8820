"""Multi-task training samples for visual-prompt models.

Each sample is a prompt pair and a query pair of one task: a task drawn by weight, a level,
parameters linked by the task's pairing policy, crops of two *different* training photos, and
one random flip/rotation applied to all four images. Everything is a pure function of
(seed, index), so a run that resumes at sample k sees exactly the samples it would have seen,
whatever the number of DataLoader workers.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

import numpy as np
import torch
from torch.utils.data import Dataset

from pixtask.core.condition import MODES
from pixtask.core.seeding import rng_for
from pixtask.data.crops import PairSampler
from pixtask.data.paired_folder import PAIR_SOURCE_PREFIXES, PairedFolder
from pixtask.data.photos import Photo
from pixtask.data.task_instructions import describe_task
from pixtask.instructions import terminological
from pixtask.instructions.measured import describe_pair
from pixtask.instructions.people_requests import people_requests
from pixtask.tasks import get_task, resolve_tasks
from pixtask.tasks.cache import OperatorCache

INSTRUCTION_STYLES = ("explanatory", "terminological")  # how registry tasks are told in words


@dataclass
class TaskMixture:
    """Task ids and their sampling weights (normalised when drawn)."""

    weights: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_patterns(cls, patterns: list[str], weights: dict[str, float] | None = None) -> TaskMixture:
        """Every registered task matching ``patterns`` (shell-style) at weight 1, unless
        ``weights`` (pattern -> weight; the last matching pattern wins) says otherwise. A weight
        that matches none of the tasks is an error: a typo would otherwise silently do nothing."""
        ids = resolve_tasks(patterns)
        unused = [p for p in weights or {} if not any(fnmatch.fnmatch(t, p) for t in ids)]
        if unused:
            raise ValueError(f"data.weights {unused} match none of the tasks {ids}")
        out = {}
        for tid in ids:
            w = 1.0
            for pattern, value in (weights or {}).items():
                if fnmatch.fnmatch(tid, pattern):
                    w = float(value)
            if w < 0:
                raise ValueError(f"negative weight {w} for task {tid!r}")
            if w > 0:
                out[tid] = w
        if not out:
            raise ValueError(f"no tasks with positive weight from {patterns}")
        return cls(out)

    def draw(self, rng: np.random.Generator) -> str:
        ids = list(self.weights)
        p = np.array([self.weights[t] for t in ids], dtype=np.float64)
        return ids[int(rng.choice(len(ids), p=p / p.sum()))]


def dihedral(img: np.ndarray, k: int) -> np.ndarray:
    """One of the 8 flips/rotations of the square (k in 0..7)."""
    out = np.rot90(img, k % 4)
    return np.ascontiguousarray(out[:, ::-1] if k >= 4 else out)


class MultiTaskDataset(Dataset):
    """``dataset[i]`` -> {"images": (4, 3, crop, crop) float32 [prompt_in, prompt_target,
    query_in, query_target], "task": id, "level": int (0 when the task has none),
    "prompt_source" and "query_source": the photo (or paired file) each pair came from,
    and the sample's condition: "has_prompt" (whether its example counts) and "instruction"
    (an explanatory instruction of the query's change from the training split, "" for none)}.

    ``condition_modes`` (mode -> weight) is condition dropout: each sample is told its task by
    example, in words, or both, drawn by weight. Paired folders have no words of their own: their
    samples are told by example unless ``folder_instruction`` gives words for them. DECVT sources
    have each pair's words and are told by them alone. ``instruction_style`` "terminological"
    tells registry tasks by their name instead of an explanatory instruction (for the paper's
    comparison). The
    condition is drawn from its own random stream, so the images of index i do not depend on it.

    ``backward`` is the share of restoration samples told the *opposite* change: both pairs
    swapped (clean in, degraded out) and the words describing the degradation. Without it every
    input is degraded and every target goes one way, so the image alone decides the direction
    and the words need not be read; with it, the same clean photo is told to change both ways.
    Only tasks of direction "restore" are turned (their degradation is the backward change).

    ``people_words`` is the share of the template-told samples told instead by a whole request
    as people type it (:mod:`pixtask.instructions.people_requests`), for the tasks that have them.

    ``length`` is nominal: any non-negative index is valid, so training samples a stream by
    global sample index.
    """

    def __init__(
        self,
        photos: list[Photo],
        mixture: TaskMixture,
        crop: int = 64,
        seed: int = 0,
        length: int = 1_000_000,
        augment: bool = True,
        max_side: int = 512,
        cache_dir: str | None = None,
        paired_folders: list[PairedFolder] | None = None,
        condition_modes: dict[str, float] | None = None,
        folder_instruction: str | None = None,
        instruction_style: str = "explanatory",
        measured_words: float = 0.0,
        backward: float = 0.0,
        people_words: float = 0.0,
    ) -> None:
        if instruction_style not in INSTRUCTION_STYLES:
            raise ValueError(f"instruction_style must be one of {INSTRUCTION_STYLES}, got {instruction_style!r}")
        self.instruction_style = instruction_style
        if not 0 <= measured_words <= 1:
            raise ValueError(f"measured_words is a share in [0, 1], got {measured_words}")
        self.measured_words = measured_words
        if not 0 <= backward <= 1:
            raise ValueError(f"backward is a share in [0, 1], got {backward}")
        if backward and instruction_style == "terminological":
            raise ValueError("backward needs explanatory words: a task's name says nothing of the opposite change")
        self.backward = backward
        if not 0 <= people_words <= 1:
            raise ValueError(f"people_words is a share in [0, 1], got {people_words}")
        if people_words and instruction_style == "terminological":
            raise ValueError("people_words are explanatory words; terminological instructions name the task")
        self.people_words = people_words
        test = [p.id for p in photos if p.split != "train"]
        if test:
            raise ValueError(f"training photos must come from the training split; got test photos {test[:3]}")
        self.folders = {f.task_id: f for f in (paired_folders or [])}
        unknown = [t for t in mixture.weights if t.startswith(PAIR_SOURCE_PREFIXES) and t not in self.folders]
        if unknown:
            raise ValueError(f"mixture names paired folders that were not given: {unknown}")
        self.photos, self.mixture, self.crop, self.seed = photos, mixture, crop, seed
        self.length, self.augment, self.max_side, self.cache_dir = length, augment, max_side, cache_dir
        self._sampler: PairSampler | None = None  # built lazily, once per DataLoader worker
        self.folder_instruction = folder_instruction
        self.condition_modes = dict(condition_modes or {"example": 1.0})
        bad = [m for m in self.condition_modes if m not in MODES]
        if bad or not any(w > 0 for w in self.condition_modes.values()) or min(self.condition_modes.values()) < 0:
            raise ValueError(f"condition_modes must weigh some of {MODES} (non-negative), got {self.condition_modes}")

    def __len__(self) -> int:
        return self.length

    @property
    def sampler(self) -> PairSampler:
        if self._sampler is None:
            cache = OperatorCache(self.cache_dir) if self.cache_dir else OperatorCache()
            self._sampler = PairSampler(self.photos, crop=self.crop, max_side=self.max_side, cache=cache)
        return self._sampler

    def preload(self) -> int:
        """Decode every training photo now (bytes kept; 0 when only paired folders are mixed).
        The trainer calls this before its DataLoader workers fork, so they share one copy."""
        if all(t in self.folders for t in self.mixture.weights):
            return 0
        return self.sampler.preload()

    def sample(self, index: int) -> tuple[list[np.ndarray], str, int, tuple[str, str], dict]:
        if index < 0:
            raise IndexError(index)
        rng = rng_for(self.seed, "multitask", index)
        task_id = self.mixture.draw(rng)
        if task_id in self.folders:
            folder = self.folders[task_id]
            first = folder.sample_crop(rng, self.crop)
            others = [s for s in folder.stems if s != first[2]] or list(folder.stems)
            second = folder.sample_crop(rng, self.crop, stem=others[int(rng.integers(len(others)))])
            images, level = [first[0], first[1], second[0], second[1]], 0
            sources = (f"{task_id}/{first[2]}", f"{task_id}/{second[2]}")
            params = {"stem": second[2]}  # the query pair, whose own words a DECVT source has
        else:
            task = get_task(task_id)
            level = int(rng.choice(task.levels)) if task.levels else None
            prompt, query = self.sampler.sample_prompt_and_query(task, rng, level)
            images, level = [prompt.input, prompt.target, query.input, query.target], level or 0
            sources = (prompt.photo, query.photo)
            params = query.params
        if self.augment:
            k = int(rng.integers(8))
            images = [dihedral(img, k) for img in images]
        direction = "backward" if self.turned(index, task_id) else "forward"
        if direction == "backward":
            images = [images[1], images[0], images[3], images[2]]
        query = (images[2], images[3])
        return images, task_id, level, sources, self.condition(index, task_id, params, level, query, direction)

    def turned(self, index: int, task_id: str) -> bool:
        """Whether sample ``index`` is told the opposite change (its own random stream, so the
        images and the condition mode of index i do not depend on the share)."""
        if not self.backward or task_id in self.folders or get_task(task_id).direction != "restore":
            return False
        return bool(rng_for(self.seed, "backward", index).random() < self.backward)

    def condition(
        self,
        index: int,
        task_id: str,
        params: dict | None,
        level: int,
        query: tuple[np.ndarray, np.ndarray] | None = None,
        direction: str = "forward",
    ) -> dict:
        """The sample's condition under dropout: {"has_prompt": bool, "instruction": str}. Of
        the samples told in words, ``measured_words`` are told by words about their own
        ``query`` pair (what was measured to change in it), ``people_words`` of the rest by a
        request as people type it, the rest by their task's template, in ``direction``
        (``backward``: the task's degradation)."""
        rng = rng_for(self.seed, "condition", index)
        modes = list(self.condition_modes)
        p = np.array([self.condition_modes[m] for m in modes], dtype=np.float64)
        mode = modes[int(rng.choice(len(modes), p=p / p.sum()))]
        folder = self.folders.get(task_id)
        if folder is not None and folder.instructions:
            # a source with each pair's own words (DECVT): its pairs need not share a task, so
            # another of its pairs is no example of this one; told in words only
            return {"has_prompt": False, "instruction": folder.instructions[params["stem"]]}
        if mode == "example" or (task_id in self.folders and not self.folder_instruction):
            return {"has_prompt": True, "instruction": ""}
        if task_id in self.folders:
            text = self.folder_instruction
        elif self.instruction_style == "terminological":
            text = terminological(task_id)
        elif query is not None and self.measured_words and rng.random() < self.measured_words:
            text = describe_pair(query[0], query[1], rng)
        elif self.people_words and (said := people_requests(task_id, direction)) and rng.random() < self.people_words:
            text = said[int(rng.integers(len(said)))]
        else:
            text = describe_task(task_id, params, rng, level=level or None, direction=direction).text
        return {"has_prompt": mode == "both", "instruction": text}

    def __getitem__(self, index: int) -> dict:
        images, task_id, level, (prompt_src, query_src), condition = self.sample(int(index))
        stacked = np.stack([img.transpose(2, 0, 1) for img in images]).astype(np.float32)
        return {
            "images": torch.from_numpy(stacked),
            "task": task_id,
            "level": level,
            "prompt_source": prompt_src,
            "query_source": query_src,
            "backward": self.turned(int(index), task_id),
            **condition,
        }
