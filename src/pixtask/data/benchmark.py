"""Build a fixed, byte-reproducible benchmark: for each task and level, query pairs from the
test photos plus a set of prompt pairs, each from a different photo.

Every sample is rebuilt from (photo, task, params) alone, and its parameters are drawn from a
generator seeded by (seed, task, level, role, photo), so adding photos or tasks does not change
the others. Images are the photo's centred square at the declared size (shorter side shrunk,
never warped). The manifest (JSON and CSV) records task, level, role, photo and licence,
parameters, files and SHA-256 checksums; it is written last, so a build that was interrupted
has no manifest and is rebuilt from scratch.

A built benchmark is read with ``Benchmark.open(folder)``: its manifest checked once, its
samples as typed :class:`Pair` and :class:`Query` records with resolved paths.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from pixtask.core.atomic_write import write_bytes_atomic
from pixtask.core.geometry import center_square
from pixtask.core.guards import read_json_file
from pixtask.core.image_io import encode_image, to_uint8
from pixtask.core.progress import Progress, no_progress
from pixtask.core.seeding import rng_for
from pixtask.data.photos import Photo, check_split, resolve_photos
from pixtask.tasks import Task, get_task, resolve_tasks
from pixtask.tasks.cache import OperatorCache

FORMAT = "pixtask-bench/1"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BenchmarkConfig:
    """What defines a benchmark; stored in its manifest.

    Attributes:
        photos: 'bundled', 'debian', 'all' or a folder (see pixtask.data.photos).
        size: side of the square test images; a multiple of 32.
        seed: root of every random draw.
        tasks: comma-separated shell patterns of task ids.
        levels: severities to include (None: all a task has).
        prompts: prompt pairs per task and level, each from a different photo.
        max_queries: cap on test photos per task and level (None: all test photos).
    """

    photos: str = "bundled"
    size: int = 256
    seed: int = 0
    tasks: str = "*"
    levels: tuple[int, ...] | None = None
    prompts: int = 20
    max_queries: int | None = None

    def validate(self) -> None:
        if self.size < 32 or self.size % 32:
            raise ValueError(f"size must be a positive multiple of 32, got {self.size}")
        if self.prompts < 1:
            raise ValueError(f"prompts must be at least 1, got {self.prompts}")
        if self.max_queries is not None and self.max_queries < 1:
            raise ValueError(f"max_queries must be at least 1, got {self.max_queries}")
        if self.size > 4096:
            raise ValueError(f"size must be at most 4096, got {self.size}")
        if self.levels is not None and (not self.levels or any(not 1 <= v <= 5 for v in self.levels)):
            raise ValueError(f"levels must be severities from 1 to 5, got {list(self.levels)}")

    def task_ids(self) -> list[str]:
        return resolve_tasks(self.tasks)


@dataclass
class Sample:
    task: str
    level: int | None
    role: str  # "query" or "prompt"
    index: int
    photo: str
    params: dict[str, Any]
    input: str
    target: str
    input_sha256: str = ""
    target_sha256: str = ""


@dataclass
class BuildReport:
    out_dir: Path
    samples: int
    tasks: int
    prompt_photos: int  # distinct prompt photos per task (the minimum over tasks)
    warnings: list[str] = field(default_factory=list)


def _level_name(level: int | None) -> str:
    return "L0" if level is None else f"L{level}"


def _stem(photo: Photo) -> str:
    return photo.id.replace("/", "_").replace(".", "_")


def choose_prompt_photos(photos: list[Photo], count: int, seed: int, task_id: str) -> list[Photo]:
    """Prompt photos for a task: training photos first (seeded order), then test photos if
    the training side has too few. Evaluation skips a prompt whose photo is the query's."""
    rng = rng_for(seed, "prompt-photos", task_id)
    train = [photos[i] for i in rng.permutation(len(photos)) if photos[i].split == "train"]
    test = [photos[i] for i in rng.permutation(len(photos)) if photos[i].split == "test"]
    return (train + test)[:count]


class _ImageSource:
    """Loads each photo once, as its centred square at the benchmark size."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._images: dict[str, np.ndarray] = {}

    def __call__(self, photo: Photo) -> np.ndarray:
        if photo.id not in self._images:
            self._images[photo.id] = center_square(photo.load(), self.size)
        return self._images[photo.id]

    def admit(self, photo: Photo) -> str | None:
        """Decode the photo once: keep its square, or return why it is too small."""
        img = photo.load()
        h, w = img.shape[:2]
        if min(h, w) < self.size:
            return f"skipped {photo.id}: {w}x{h} is smaller than {self.size}"
        self._images[photo.id] = center_square(img, self.size)
        return None


def plan(
    config: BenchmarkConfig, photos: list[Photo]
) -> Iterator[tuple[Task, int | None, list[tuple[str, int, Photo, dict]]]]:
    """Yield, per task and level, the (role, index, photo, params) of every sample."""
    queries = [p for p in photos if p.split == "test"]
    if config.max_queries is not None:
        queries = queries[: config.max_queries]
    for task_id in config.task_ids():
        task = get_task(task_id)
        levels: list[int | None] = list(task.levels) if task.levels else [None]
        if config.levels is not None and task.levels:
            levels = [lv for lv in levels if lv in config.levels]
        prompt_photos = choose_prompt_photos(photos, config.prompts, config.seed, task_id)
        for level in levels:
            entries = [("query", i, p) for i, p in enumerate(queries)] + [
                ("prompt", i, p) for i, p in enumerate(prompt_photos)
            ]
            # one draw fixes what the pairing policy shares; each sample then draws the rest
            shared_rng = rng_for(config.seed, "shared", task_id, level)
            reference = task.sample_params(shared_rng, level)
            out = []
            for role, index, photo in entries:
                own = task.sample_params(rng_for(config.seed, task_id, level, role, photo.id), level)
                out.append((role, index, photo, task.link(own, reference)))
            yield task, level, out


def check_build_folder(out: Path, config: BenchmarkConfig) -> None:
    """A benchmark is written into a new or empty folder, or over a build of the same settings
    (which it rewrites byte for byte); anything else there would be replaced or orphaned."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out}: exists and is not a folder")
    if not out.is_dir() or not any(out.iterdir()):
        return
    manifest = out / "manifest.json"
    if not manifest.exists() and {p.name for p in out.iterdir()} <= {"images", "manifest.csv", "index.html"}:
        return  # an interrupted build (its manifest is written last): run again to finish it
    try:
        same = manifest.is_file() and _config_from(read_json_file(manifest)["config"]) == config
    except (ValueError, AttributeError, KeyError, TypeError):
        same = False
    if not same:
        raise ValueError(f"{out}: is not empty and holds no benchmark of these settings; choose a new folder")


def build_benchmark(
    out_dir: str | Path,
    config: BenchmarkConfig = BenchmarkConfig(),
    *,
    photos: list[Photo] | None = None,
    progress: Progress = no_progress,
) -> BuildReport:
    """Write the benchmark to ``out_dir`` and return a short report.

    ``progress(done, total, label)`` is called after each task and level.
    """
    config.validate()
    out = Path(out_dir)
    check_build_folder(out, config)
    photos = photos if photos is not None else resolve_photos(config.photos)
    check_split(photos)
    warnings: list[str] = []
    usable = []
    source = _ImageSource(config.size)
    for p in photos:
        reason = source.admit(p)
        if reason:
            warnings.append(reason)
        else:
            usable.append(p)
    if not any(p.split == "test" for p in usable):
        raise ValueError("no test photos large enough for the benchmark")
    if len(usable) < config.prompts:
        warnings.append(
            f"only {len(usable)} photos available, fewer than the {config.prompts} prompt photos requested; "
            "use --photos debian for the full benchmark"
        )
    for w in warnings:
        log.warning(w)

    manifest_path = out / "manifest.json"
    manifest_path.unlink(missing_ok=True)  # the manifest marks a complete build
    cache = OperatorCache(max_items=8)
    samples: list[Sample] = []
    unchanged: list[str] = []  # pairs left out: the task does not change that photo
    work = list(plan(config, usable))
    for done, (task, level, entries) in enumerate(work, start=1):
        for role, index, photo, params in entries:
            rendered = _render(task, source(photo), photo, params, cache, config.size)
            if rendered is None:
                unchanged.append(f"{task.id} {_level_name(level)} {role} {photo.id}")
                continue
            rel = Path("images") / task.id / _level_name(level) / role
            name = f"{index:02d}_{_stem(photo)}"
            sample = Sample(
                task.id,
                level,
                role,
                index,
                photo.id,
                params,
                (rel / f"{name}_input.png").as_posix(),
                (rel / f"{name}_target.png").as_posix(),
            )
            for attr, data in zip(("input", "target"), rendered, strict=True):
                write_bytes_atomic(out / getattr(sample, attr), data)
                setattr(sample, f"{attr}_sha256", hashlib.sha256(data).hexdigest())
            samples.append(sample)
        progress(done, len(work), f"{task.id} {_level_name(level)}")

    if unchanged:
        warnings.append(f"left out {len(unchanged)} pairs that show no change: {', '.join(unchanged)}")
        log.warning(warnings[-1])
    task_ids = list(dict.fromkeys(s.task for s in samples))
    manifest = {
        "format": FORMAT,
        "config": asdict(config),
        "photos": [p.record() for p in usable],
        "tasks": {tid: get_task(tid).summary() for tid in task_ids},
        "warnings": warnings,
        "samples": [asdict(s) for s in samples],
    }
    _write_csv(out / "manifest.csv", samples, {p.id: p.licence for p in usable})
    write_bytes_atomic(manifest_path, json.dumps(manifest, indent=1, sort_keys=True).encode())
    per_task: dict[str, set[str]] = {}
    for s in samples:
        if s.role == "prompt":
            per_task.setdefault(s.task, set()).add(s.photo)
    prompt_photos = min((len(v) for v in per_task.values()), default=0)
    return BuildReport(out, len(samples), len(task_ids), prompt_photos, warnings)


def _write_csv(path: Path, samples: list[Sample], licences: dict[str, str]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(
        [
            "task",
            "level",
            "role",
            "index",
            "photo",
            "licence",
            "params",
            "input",
            "target",
            "input_sha256",
            "target_sha256",
        ]
    )
    for s in samples:
        writer.writerow(
            [
                s.task,
                "" if s.level is None else s.level,
                s.role,
                s.index,
                s.photo,
                licences[s.photo],
                json.dumps(s.params, sort_keys=True),
                s.input,
                s.target,
                s.input_sha256,
                s.target_sha256,
            ]
        )
    write_bytes_atomic(path, buf.getvalue().encode())


def load_manifest(bench_dir: str | Path) -> dict[str, Any]:
    """Read a benchmark's manifest, with a clear error for a missing, unfinished, damaged or
    unsafe one (every image path must stay inside the benchmark's images/ folder)."""
    path = Path(bench_dir) / "manifest.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"{bench_dir} has no manifest.json: not a benchmark, or its build was interrupted "
            "(run `pixtask bench build` again)"
        )
    try:
        manifest = read_json_file(path)
    except ValueError as exc:
        raise ValueError(f"{exc}; rebuild the benchmark") from None
    if not isinstance(manifest, dict):
        raise ValueError(f"{path}: expected a JSON object")
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{path}: unsupported benchmark format {manifest.get('format')!r}, expected {FORMAT}")
    missing = [k for k, kind in (("tasks", dict), ("samples", list)) if not isinstance(manifest.get(k), kind)]
    if missing:
        raise ValueError(f"{path}: missing or malformed key(s) {missing}; rebuild the benchmark")
    for i, sample in enumerate(manifest["samples"]):
        for attr in ("input", "target"):
            rel = sample.get(attr) if isinstance(sample, dict) else None
            if not isinstance(rel, str) or not _inside_images(rel):
                raise ValueError(f"{path}: samples[{i}].{attr} = {rel!r} is not a path inside images/")
    return manifest


def _inside_images(rel: str) -> bool:
    parts = Path(rel).parts
    return bool(parts) and parts[0] == "images" and not Path(rel).is_absolute() and ".." not in parts


def verify_benchmark(bench_dir: str | Path, *, rebuild: bool = False) -> list[str]:
    """Everything that differs from an intact benchmark (empty list: intact), checked both ways:
    files missing or changed against the manifest, files the manifest does not list, and
    samples the manifest's own config does or does not plan (dropped or added entries).

    ``rebuild`` also renders every sample again from its photo (builds are byte-reproducible)
    and compares the bytes, which catches a file edited together with its manifest checksum."""
    root = Path(bench_dir)
    manifest = load_manifest(root)
    problems: list[str] = []
    listed: set[str] = set()
    for s in manifest["samples"]:
        for attr in ("input", "target"):
            listed.add(s[attr])
            file = root / s[attr]
            if not file.is_file():
                problems.append(f"{s[attr]}: missing")
            elif hashlib.sha256(file.read_bytes()).hexdigest() != s.get(f"{attr}_sha256"):
                problems.append(f"{s[attr]}: differs from the manifest's checksum")
    images = root / "images"
    if images.is_dir():
        for file in sorted(images.rglob("*")):
            rel = file.relative_to(root).as_posix()
            if file.is_file() and rel not in listed:
                problems.append(f"{rel}: not in the manifest")
    if not isinstance(manifest.get("config"), dict) or not isinstance(manifest.get("photos"), list):
        raise ValueError(f"{root / 'manifest.json'}: no 'config' and 'photos' to check the samples against")
    config = _config_from(manifest["config"])
    photos = [Photo(r["id"], Path(r["path"]), r["licence"], r["split"], r["group"]) for r in manifest["photos"]]
    planned = {
        _sample_key(task.id, level, role, index, photo.id, params): (task, photo, params)
        for task, level, entries in plan(config, photos)
        for role, index, photo, params in entries
    }
    recorded = {
        _sample_key(s["task"], s["level"], s["role"], s["index"], s["photo"], s["params"]): s
        for s in manifest["samples"]
    }
    for key in sorted(set(planned) - set(recorded)):
        problems.append(f"sample {key}: planned by the benchmark's config but missing from the manifest")
    for key in sorted(set(recorded) - set(planned)):
        problems.append(f"sample {key}: in the manifest but not planned by its config")
    if rebuild:
        photo_sha = {r["id"]: r["sha256"] for r in manifest["photos"]}
        problems += _compare_with_rebuild(root, config, planned, recorded, photo_sha)
    return problems


def _sample_key(task: str, level: int | None, role: str, index: int, photo: str, params: dict) -> str:
    return f"{task} L{level} {role} {index} {photo} {json.dumps(params, sort_keys=True)}"


def _config_from(raw: dict[str, Any]) -> BenchmarkConfig:
    raw = dict(raw)
    if raw.get("levels") is not None:
        raw["levels"] = tuple(raw["levels"])
    return BenchmarkConfig(**raw)


def _compare_with_rebuild(
    root: Path, config: BenchmarkConfig, planned: dict, recorded: dict, photo_sha: dict[str, str]
) -> list[str]:
    problems = []
    source, cache = _ImageSource(config.size), OperatorCache(max_items=8)
    for key in sorted(set(planned) & set(recorded)):
        task, photo, params = planned[key]
        if not photo.path.is_file() or photo.sha256 != photo_sha[photo.id]:
            problems.append(f"{photo.path}: the photo is missing or changed, so {key} cannot be rebuilt")
            continue
        rendered = _render(task, source(photo), photo, params, cache, config.size)
        for attr, data in zip(("input", "target"), rendered, strict=True):
            file = root / recorded[key][attr]
            if file.is_file() and file.read_bytes() != data:
                problems.append(f"{recorded[key][attr]}: differs from a rebuild of its sample")
    return problems


def shows_no_change(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two images agree to within one grey level of 8 bits everywhere: a pair that shows
    no change (a saturation change on a grey photo) tests nothing, and its capped identity PSNR
    (up to 100 dB) would swamp a task's mean."""
    return int(np.abs(to_uint8(a).astype(np.int16) - to_uint8(b)).max()) <= 1


def _render(task: Task, clean: np.ndarray, photo: Photo, params: dict, cache: OperatorCache, size: int):
    """The PNG bytes of one sample's (input, target), or None when the pair shows no change."""
    if task.slow:
        transformed = cache.get_or_compute(task.operator, clean, f"{photo.sha256}:{size}", params)
    else:
        transformed = task.transform(clean, params)
    pair = task.orient(clean, transformed)
    if shows_no_change(*pair):
        return None
    return tuple(encode_image(img, ".png") for img in pair)


# --- reading a built benchmark -------------------------------------------------------------


@dataclass(frozen=True)
class TaskInfo:
    """What a benchmark's manifest records of one of its tasks."""

    id: str
    category: str
    metric: str
    direction: str  # "restore" or "apply"


@dataclass(frozen=True)
class Pair:
    """One benchmark sample: an (input, target) pair of image files, paths resolved against
    the benchmark folder."""

    task: str
    level: int | None
    role: str  # "query" or "prompt"
    index: int
    photo: str
    params: dict[str, Any]
    input: Path
    target: Path


@dataclass(frozen=True)
class Query(Pair):
    """A query pair with the prompt pairs of its task and level (in manifest order)."""

    prompts: tuple[Pair, ...] = ()

    @property
    def prompt(self) -> Pair:
        """The prompt pair the query is scored with: the first one from another photo, so a
        model never sees its own query's answer."""
        for p in self.prompts:
            if p.photo != self.photo:
                return p
        raise ValueError(f"{self.task} level {self.level}: no prompt from a photo other than {self.photo}")

    def other_prompts(self) -> list[Pair]:
        """Every prompt pair from a photo other than the query's."""
        return [p for p in self.prompts if p.photo != self.photo]


_ROLES = ("query", "prompt")


class Benchmark:
    """A built benchmark, read and checked once: ``Benchmark.open(folder)``.

    ``tasks`` maps task ids to :class:`TaskInfo`, ``pairs`` holds every sample in manifest
    order and ``manifest`` the raw manifest (config, photos, warnings)."""

    def __init__(self, root: Path, manifest: dict[str, Any], tasks: dict[str, TaskInfo], pairs: tuple[Pair, ...]):
        self.root = root
        self.manifest = manifest
        self.tasks = tasks
        self.pairs = pairs
        self._index = {(p.task, p.level, p.role, p.photo): p for p in pairs}

    @classmethod
    def open(cls, folder: str | Path | Benchmark) -> Benchmark:
        """Read ``folder``'s manifest (an open benchmark is returned as it is). A missing,
        unfinished, damaged or unsafe manifest, or a malformed sample, raises a one-line error
        that names the manifest."""
        if isinstance(folder, Benchmark):
            return folder
        root = Path(folder)
        manifest = load_manifest(root)
        path = root / "manifest.json"
        tasks = {tid: _task_info(path, tid, raw) for tid, raw in manifest["tasks"].items()}
        pairs = tuple(_pair(path, root, i, s, tasks) for i, s in enumerate(manifest["samples"]))
        return cls(root, manifest, tasks, pairs)

    def __repr__(self) -> str:
        return f"Benchmark({str(self.root)!r}, {len(self.tasks)} tasks, {len(self.pairs)} samples)"

    def groups(self, tasks: Iterable[str] | None = None) -> dict[tuple[str, int | None], list[Query]]:
        """The queries of ``tasks`` (None: all) by ``(task, level)``, groups in the order they
        first appear in the manifest and queries in manifest order (a group is never empty)."""
        wanted = None if tasks is None else set(tasks)
        pairs: dict[tuple[str, int | None], dict[str, list[Pair]]] = {}
        for p in self.pairs:
            if wanted is None or p.task in wanted:
                pairs.setdefault((p.task, p.level), {"query": [], "prompt": []})[p.role].append(p)
        out: dict[tuple[str, int | None], list[Query]] = {}
        for key, roles in pairs.items():
            if not roles["query"]:
                continue
            prompts = tuple(roles["prompt"])
            out[key] = [
                Query(**{f.name: getattr(q, f.name) for f in fields(Pair)}, prompts=prompts) for q in roles["query"]
            ]
        return out

    def queries(self, tasks: Iterable[str] | None = None) -> list[Query]:
        """Every query of ``tasks`` (None: all), group by group as :meth:`groups` orders them."""
        return [q for group in self.groups(tasks).values() for q in group]

    def pair(self, task: str, level: int | None, role: str, photo: str) -> Pair:
        """The sample of ``task`` at ``level`` in ``role`` made from ``photo``."""
        try:
            return self._index[(task, level, role, photo)]
        except KeyError:
            raise KeyError(f"{self.root}: no {role} of {task} level {level} from {photo}") from None


def _task_info(path: Path, task_id: str, raw: object) -> TaskInfo:
    fields = ("category", "metric", "direction")
    if not isinstance(raw, dict) or not all(isinstance(raw.get(f), str) for f in fields):
        raise ValueError(f"{path}: tasks[{task_id!r}] needs {', '.join(fields)} as text; rebuild the benchmark")
    return TaskInfo(task_id, raw["category"], raw["metric"], raw["direction"])


def _pair(path: Path, root: Path, i: int, sample: dict, tasks: dict[str, TaskInfo]) -> Pair:
    """One manifest sample, checked (``load_manifest`` has checked its image paths)."""

    def bad(key: str, what: str) -> ValueError:
        shown = repr(sample.get(key))
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return ValueError(f"{path}: samples[{i}].{key} = {shown} is not {what}; rebuild the benchmark")

    if sample.get("task") not in tasks:
        raise bad("task", "one of the manifest's tasks")
    level = sample.get("level")
    if level is not None and (not isinstance(level, int) or isinstance(level, bool)):
        raise bad("level", "an integer or null")
    if sample.get("role") not in _ROLES:
        raise bad("role", "'query' or 'prompt'")
    index = sample.get("index")
    if not isinstance(index, int) or isinstance(index, bool):
        raise bad("index", "an integer")
    if not isinstance(sample.get("photo"), str):
        raise bad("photo", "a photo id")
    params = sample.get("params", {})
    if not isinstance(params, dict):
        raise bad("params", "an object")
    return Pair(
        sample["task"],
        level,
        sample["role"],
        index,
        sample["photo"],
        params,
        root / sample["input"],
        root / sample["target"],
    )
