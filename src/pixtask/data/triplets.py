"""DECVT-style triplets: (input image, explanatory instruction, output image), written as shards
that the ``datasets`` library and WebDataset read without pixtask.

Each source pair (a task applied to a crop of a training photo) is written in both directions,
each with its own instruction: *forward* input -> target told by the forward description,
*backward* target -> input told by the backward one (the paper's bidirectional expansion).

Shards hold ``pairs_per_shard`` pairs and are written whole or not at all (temporary file,
then rename). Shard ``i`` depends only on the build settings and ``i``, so a killed build
resumes where it stopped and the same settings give the same bytes.

Formats:
- ``parquet``: ``data/train-XXXXX-of-YYYYY.parquet`` with Hugging Face ``Image`` features
  (``datasets.load_dataset("parquet", data_files=...)``, or ``load_dataset(OUT)``).
- ``webdataset``: ``data/train-XXXXX-of-YYYYY.tar``; per record ``KEY.input.png``,
  ``KEY.output.png`` and ``KEY.json`` (everything else).
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from pixtask.core.atomic_write import atomic_target, write_bytes_atomic
from pixtask.core.image_io import decode_image, encode_image
from pixtask.core.seeding import derive_seed, rng_for
from pixtask.data.crops import PairSampler
from pixtask.data.photos import resolve_photos
from pixtask.data.task_instructions import describe_task
from pixtask.tasks import get_task, resolve_tasks

Format = Literal["parquet", "webdataset"]
FORMATS: tuple[str, ...] = ("parquet", "webdataset")
MANIFEST = "pixtask_triplets.json"
FORMAT_VERSION = 1
# the record's fields besides the two images, in order (the WebDataset .json and Parquet columns)
FIELDS = (
    "key",
    "instruction",
    "direction",
    "task",
    "level",
    "params",
    "seed",
    "photo",
    "licence",
    "heldout",
    "source",
)


@dataclass(frozen=True)
class TripletConfig:
    """What a build makes; stored in the output's manifest, and a resumed build must match it."""

    tasks: list[str]
    pairs: int
    format: Format = "parquet"
    photos: str = "bundled"
    crop: int = 256
    seed: int = 0
    heldout_fraction: float = 0.1  # of pairs told with instructions from the held-out split
    pairs_per_shard: int = 256
    max_side: int = 512
    task_ids: list[str] = field(default_factory=list)  # the patterns resolved (filled in by the build)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, got {self.format!r}")
        if self.pairs < 1 or self.pairs_per_shard < 1:
            raise ValueError("pairs and pairs_per_shard must be at least 1")
        if not 0 <= self.heldout_fraction <= 1:
            raise ValueError(f"heldout_fraction must be in [0, 1], got {self.heldout_fraction}")

    @property
    def shards(self) -> int:
        return -(-self.pairs // self.pairs_per_shard)

    def shard_name(self, index: int) -> str:
        suffix = "parquet" if self.format == "parquet" else "tar"
        return f"data/train-{index:05d}-of-{self.shards:05d}.{suffix}"


def pair_records(config: TripletConfig, index: int, sampler: PairSampler, licences: dict[str, str]) -> list[dict]:
    """The two records (forward, backward) of source pair ``index``."""
    rng = rng_for(config.seed, "triplets", index)
    task_id = config.task_ids[index % len(config.task_ids)]
    task = get_task(task_id)
    level = int(rng.choice(task.levels)) if task.levels else None
    crop = sampler.sample(task, rng, level)
    heldout = bool(rng.random() < config.heldout_fraction)
    split = "heldout" if heldout else "train"
    base = {
        "task": task_id,
        "level": level,
        "params": json.dumps(crop.params, sort_keys=True),
        "seed": derive_seed(config.seed, "triplets", index),
        "photo": crop.photo,
        "licence": licences[crop.photo],
        "heldout": heldout,
        "source": "synthetic",
    }
    records = []
    for direction, (a, b) in (("forward", (crop.input, crop.target)), ("backward", (crop.target, crop.input))):
        words = describe_task(task_id, crop.params, rng, level=level, direction=direction, split=split).text
        records.append(
            {
                "key": f"{index:08d}-{direction}",
                "input": encode_image(a),
                "output": encode_image(b),
                "instruction": words,
                "direction": direction,
                **base,
            }
        )
    return records


def _features():
    from datasets import Features, Image, Value

    return Features(
        {
            "key": Value("string"),
            "input": Image(),
            "output": Image(),
            "instruction": Value("string"),
            "direction": Value("string"),
            "task": Value("string"),
            "level": Value("int32"),
            "params": Value("string"),
            "seed": Value("int64"),
            "photo": Value("string"),
            "licence": Value("string"),
            "heldout": Value("bool"),
            "source": Value("string"),
        }
    )


def _write_parquet(records: list[dict], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _features().arrow_schema
    columns = {name: [r[name] for r in records] for name in schema.names}
    for image in ("input", "output"):
        columns[image] = [{"bytes": b, "path": None} for b in columns[image]]
    table = pa.Table.from_pydict(columns, schema=schema)
    with atomic_target(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _write_tar(records: list[dict], path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for r in records:
            meta = json.dumps({k: r[k] for k in FIELDS}, sort_keys=True).encode()
            for suffix, data in (("input.png", r["input"]), ("output.png", r["output"]), ("json", meta)):
                info = tarfile.TarInfo(f"{r['key']}.{suffix}")
                info.size, info.mtime, info.mode = len(data), 0, 0o644  # fixed: same settings, same bytes
                tar.addfile(info, io.BytesIO(data))
    write_bytes_atomic(path, buffer.getvalue())


def _check_manifest(out: Path, config: TripletConfig) -> None:
    manifest = out / MANIFEST
    wanted = {"format_version": FORMAT_VERSION, "config": asdict(config)}
    if manifest.exists():
        found = json.loads(manifest.read_text())
        if found != wanted:
            changed = sorted(k for k in wanted["config"] if found.get("config", {}).get(k) != wanted["config"][k])
            raise ValueError(
                f"{out}: holds a triplet build with other settings ({', '.join(changed) or 'format version'}); "
                "choose another output folder"
            )
        return
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out}: not empty and not a triplet build; choose another output folder")
    write_bytes_atomic(manifest, json.dumps(wanted, indent=1, sort_keys=True).encode())


def build_triplets(
    config: TripletConfig, out: str | Path, *, on_shard: Callable[[int, int, bool], None] | None = None
) -> TripletConfig:
    """Write (or finish writing) the shards of ``config`` into ``out``; returns the config with
    its task patterns resolved. ``on_shard(done, total, skipped)`` reports progress."""
    out = Path(out)
    if not config.task_ids:
        config = TripletConfig(**{**asdict(config), "task_ids": resolve_tasks(config.tasks)})
    photos = [p for p in resolve_photos(config.photos) if p.split == "train"]
    if not photos:
        raise ValueError(f"photo source {config.photos!r} has no training photos")
    _check_manifest(out, config)
    sampler = PairSampler(photos, crop=config.crop, max_side=config.max_side)
    licences = {p.id: p.licence for p in photos}
    write = _write_parquet if config.format == "parquet" else _write_tar
    for shard in range(config.shards):
        path = out / config.shard_name(shard)
        skipped = path.exists()
        if not skipped:
            first, last = shard * config.pairs_per_shard, min(config.pairs, (shard + 1) * config.pairs_per_shard)
            records = [r for i in range(first, last) for r in pair_records(config, i, sampler, licences)]
            write(records, path)
        if on_shard:
            on_shard(shard + 1, config.shards, skipped)
    return config


def read_config(out: str | Path) -> TripletConfig:
    manifest = Path(out) / MANIFEST
    if not manifest.exists():
        raise FileNotFoundError(f"{out}: no {MANIFEST}; not a folder written by `pixtask data build`")
    return TripletConfig(**json.loads(manifest.read_text())["config"])


def iter_triplets(out: str | Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Records of a build, images decoded to float32 RGB (pixtask's own reader, for `data show`
    and tests; other tools read the shards with ``datasets`` or ``webdataset``)."""
    config = read_config(out)
    count = 0
    for shard in range(config.shards):
        path = Path(out) / config.shard_name(shard)
        if not path.exists():
            continue  # an unfinished build: show what there is
        for record in _read_shard(path):
            record["input"] = decode_image(record["input"], name=f"{path}:{record['key']}.input")
            record["output"] = decode_image(record["output"], name=f"{path}:{record['key']}.output")
            yield record
            count += 1
            if limit is not None and count >= limit:
                return


def _read_shard(path: Path) -> Iterator[dict[str, Any]]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        for row in pq.read_table(path).to_pylist():
            yield {**row, "input": row["input"]["bytes"], "output": row["output"]["bytes"]}
        return
    with tarfile.open(path) as tar:
        members: dict[str, dict[str, bytes]] = {}
        for member in tar.getmembers():
            key, suffix = member.name.split(".", 1)
            members.setdefault(key, {})[suffix] = tar.extractfile(member).read()
    for parts in members.values():
        yield {**json.loads(parts["json"]), "input": parts["input.png"], "output": parts["output.png"]}
