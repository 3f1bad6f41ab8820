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
import re
import tarfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from pixtask.core.atomic_write import atomic_target, write_bytes_atomic
from pixtask.core.guards import MAX_SEED, check_number, check_text, loads_json, printable, read_json_file
from pixtask.core.image_io import decode_image, encode_image
from pixtask.core.output_plan import plan_folder
from pixtask.core.seeding import derive_seed, rng_for
from pixtask.data.crops import PairSampler
from pixtask.data.photos import resolve_photos
from pixtask.data.task_instructions import describe_task
from pixtask.instructions.measured import describe_pair
from pixtask.tasks import get_task, resolve_tasks

Format = Literal["parquet", "webdataset"]
FORMATS: tuple[str, ...] = ("parquet", "webdataset")
MANIFEST = "pixtask_triplets.json"
FORMAT_VERSION = 2  # 2: each record also carries words measured from its own pair
# the record's fields besides the two images, in order (the WebDataset .json and Parquet columns)
FIELDS = (
    "key",
    "instruction",
    "measured_instruction",
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
DIRECTIONS = ("forward", "backward")
#: Bounds of a build's settings (a manifest read back is held to them too).
MAX_PAIRS = 10_000_000
MAX_PAIRS_PER_SHARD = 4096  # a shard is built in memory: 4096 pairs of 256 px crops is ~3 GB
MIN_CROP, MAX_CROP = 16, 2048
MAX_SIDE = 4096  # decoded photos are kept at this side: 3 bytes x 4096^2 = 48 MiB each
MAX_TASK_PATTERNS = 1000
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_SHARD_MEMBER_BYTES = 256 * 1024 * 1024  # one file inside a WebDataset tar
#: check_number's range for each numeric setting
LIMITS: dict[str, dict[str, Any]] = {
    "pairs": {"low": 1, "high": MAX_PAIRS, "integer": True},
    "pairs_per_shard": {"low": 1, "high": MAX_PAIRS_PER_SHARD, "integer": True},
    "crop": {"low": MIN_CROP, "high": MAX_CROP, "integer": True},
    "max_side": {"low": MIN_CROP, "high": MAX_SIDE, "integer": True},
    "seed": {"low": 0, "high": MAX_SEED, "integer": True},
    "heldout_fraction": {"low": 0, "high": 1},
}
_KEY = re.compile(r"^(?P<index>\d{8,})-(?P<direction>forward|backward)$")


def check_settings(values: Mapping[str, Any], name: Callable[[str], str] = str) -> None:
    """Check a build's settings (any subset of :class:`TripletConfig`'s fields); errors start
    with ``name(field)``: the field itself, a CLI option (``--max-side``) or a manifest key."""
    for key, limits in LIMITS.items():
        if key in values:
            check_number(values[key], name(key), **limits)
    if "crop" in values and "max_side" in values and values["crop"] > values["max_side"]:
        raise ValueError(f"{name('crop')}: {values['crop']} is larger than {name('max_side')} {values['max_side']}")
    if "format" in values and (not isinstance(values["format"], str) or values["format"] not in FORMATS):
        raise ValueError(f"{name('format')}: must be one of {', '.join(FORMATS)}, got {values['format']!r}")
    if "photos" in values:
        check_text(values["photos"], name("photos"), max_chars=4096)
    for key in ("tasks", "task_ids"):
        if key not in values:
            continue
        items = values[key]
        if not isinstance(items, list | tuple) or (key == "tasks" and not items):
            raise ValueError(f"{name(key)}: must be a non-empty list of task names, got {items!r:.80}")
        if len(items) > MAX_TASK_PATTERNS:
            raise ValueError(f"{name(key)}: {len(items):,} entries; the limit is {MAX_TASK_PATTERNS}")
        for item in items:
            check_text(item, name(key), max_chars=200)


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
        check_settings({f.name: getattr(self, f.name) for f in fields(self)})
        object.__setattr__(self, "tasks", list(self.tasks))  # a tuple would not equal the manifest's list
        object.__setattr__(self, "task_ids", list(self.task_ids))

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
        # words about this very pair, as the paper's VLM would write them (own stream: the
        # template words above stay what they were)
        measured = describe_pair(a, b, rng_for(config.seed, "triplets-measured", index, direction))
        records.append(
            {
                "key": f"{index:08d}-{direction}",
                "input": encode_image(a),
                "output": encode_image(b),
                "instruction": words,
                "measured_instruction": measured,
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
            "measured_instruction": Value("string"),
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


def _key_name(key: object) -> str:
    """A key from a file, as written there (long ones cut, control characters escaped)."""
    text = printable(str(key))
    return text if len(text) <= 80 else text[:80] + "..."


def read_manifest(path: str | Path) -> TripletConfig:
    """The build settings in a manifest, checked against a schema (types, ranges, no unknown
    keys): every error names the manifest and the key."""
    path = Path(path)
    raw = read_json_file(path, max_bytes=MAX_MANIFEST_BYTES)
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: must be a JSON object with format_version and config, got {type(raw).__name__}")
    unknown = [k for k in raw if k not in ("format_version", "config")]
    if unknown:
        raise ValueError(f"{path}: {_key_name(unknown[0])}: unknown key (known: format_version, config)")
    if raw.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{path}: format_version: {raw.get('format_version')!r:.40} is not {FORMAT_VERSION}; "
            "written by another pixtask version"
        )
    config = raw.get("config")
    if not isinstance(config, dict):
        raise ValueError(f"{path}: config: must be a JSON object, got {type(config).__name__}")
    known = [f.name for f in fields(TripletConfig)]
    unknown = [k for k in config if k not in known]
    if unknown:
        raise ValueError(f"{path}: config.{_key_name(unknown[0])}: unknown key (known: {', '.join(known)})")
    missing = [k for k in known if k not in config]
    if missing:
        raise ValueError(f"{path}: config.{missing[0]}: missing")
    check_settings(config, lambda key: f"{path}: config.{key}")
    return TripletConfig(**config)


def _check_manifest(out: Path, config: TripletConfig, inputs: list[Path]) -> None:
    """Start a build in ``out`` (a new or empty folder), or resume one of the same settings;
    refuse anything else before a file is written."""
    manifest = out / MANIFEST
    wanted = {"format_version": FORMAT_VERSION, "config": asdict(config)}
    if manifest.exists() or manifest.is_symlink():
        found = asdict(read_manifest(manifest))
        if found != wanted["config"]:
            changed = sorted(k for k in wanted["config"] if found[k] != wanted["config"][k])
            raise ValueError(
                f"{out}: holds a triplet build with other settings ({', '.join(changed)}); choose another output folder"
            )
        plan_folder(out, overwrite=True, names=(), inputs=inputs)
        return
    if out.is_dir() and any(out.iterdir()):
        raise ValueError(f"{out}: not empty and not a triplet build; choose another output folder")
    plan_folder(out, inputs=inputs)
    write_bytes_atomic(manifest, json.dumps(wanted, indent=1, sort_keys=True).encode(), overwrite=False)


def build_triplets(
    config: TripletConfig, out: str | Path, *, on_shard: Callable[[int, int, bool], None] | None = None
) -> TripletConfig:
    """Write (or finish writing) the shards of ``config`` into ``out``; returns the config with
    its task patterns resolved. ``on_shard(done, total, skipped)`` reports progress.

    ``out`` must be new, empty, or a build of the same settings (then the shards not yet
    written are added: a shard is written whole or not at all, so one that exists is done)."""
    out = Path(out)
    if not config.task_ids:
        config = TripletConfig(**{**asdict(config), "task_ids": resolve_tasks(config.tasks)})
    photos = [p for p in resolve_photos(config.photos) if p.split == "train"]
    if not photos:
        raise ValueError(f"photo source {config.photos!r} has no training photos")
    inputs = [Path(config.photos)] if Path(config.photos).is_dir() else []
    _check_manifest(out, config, inputs)
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
    """The settings of the build in folder ``out`` (its manifest, checked)."""
    manifest = Path(out) / MANIFEST
    if not manifest.is_file():
        raise FileNotFoundError(f"{out}: no {MANIFEST}; not a folder written by `pixtask data build`")
    return read_manifest(manifest)


def written_shards(out: str | Path, config: TripletConfig | None = None) -> list[Path]:
    """The shard files of the build in ``out`` that exist, in order (found by listing the
    folder, so a manifest claiming millions of shards costs nothing)."""
    config = config or read_config(out)
    data = Path(out) / "data"
    if not data.is_dir():
        return []
    suffix = "parquet" if config.format == "parquet" else "tar"
    pattern = re.compile(rf"^train-(\d{{5,}})-of-{config.shards:05d}\.{suffix}$")
    found = {}
    for p in data.iterdir():
        m = pattern.match(p.name)
        if m and int(m[1]) < config.shards and p.name == Path(config.shard_name(int(m[1]))).name and p.is_file():
            found[int(m[1])] = p
    return [found[i] for i in sorted(found)]


def iter_triplets(out: str | Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Records of a build, images decoded to float32 RGB (pixtask's own reader, for `data show`
    and tests; other tools read the shards with ``datasets`` or ``webdataset``). Shards are read
    as they are needed: ``limit`` records cost ``limit`` records. Every record is checked
    (fields, types, UTF-8 words, images no larger than a crop can be); errors name the shard
    and the record."""
    config = read_config(out)
    count = 0
    for path in written_shards(out, config):  # an unfinished build: show what there is
        for record in _read_shard(path):
            _check_record(record, path)
            for name in ("input", "output"):
                record[name] = decode_image(
                    record[name], name=f"{path}: {record['key']}.{name}", max_pixels=MAX_CROP * MAX_CROP
                )
            yield record
            count += 1
            if limit is not None and count >= limit:
                return


def _check_record(record: dict[str, Any], path: Path) -> None:
    key = record.get("key")
    m = _KEY.match(key) if isinstance(key, str) else None
    if m is None:
        raise ValueError(f"{path}: key: {_key_name(key)!r} is not a record key like 00000012-forward")
    where = f"{path}: {key}"
    missing = [k for k in (*FIELDS, "input", "output") if k not in record]
    if missing:
        raise ValueError(f"{where}: {missing[0]}: missing")
    check_text(record["instruction"], f"{where}: instruction")
    check_text(record["measured_instruction"], f"{where}: measured_instruction")
    if record["direction"] != m["direction"]:
        raise ValueError(f"{where}: direction: {_key_name(record['direction'])!r} does not match the key")
    for name in ("task", "params", "photo", "licence", "source"):
        check_text(record[name], f"{where}: {name}", max_chars=100_000)
    if record["level"] is not None:
        check_number(record["level"], f"{where}: level", integer=True)
    check_number(record["seed"], f"{where}: seed", integer=True)
    if not isinstance(record["heldout"], bool):
        raise ValueError(f"{where}: heldout: must be true or false, got {_key_name(record['heldout'])}")
    for name in ("input", "output"):
        if not isinstance(record[name], bytes):
            raise ValueError(f"{where}: {name}: must be image bytes, got {type(record[name]).__name__}")


def _read_shard(path: Path) -> Iterator[dict[str, Any]]:
    """A shard's records as stored (images as bytes), read a batch at a time; a file that is
    not a readable shard is an error naming it."""
    import pyarrow as pa

    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            shard = pq.ParquetFile(path)
            columns = set(shard.schema_arrow.names)
            missing = [k for k in (*FIELDS, "input", "output") if k not in columns]
            if missing:
                raise ValueError(f"{path}: {missing[0]}: missing column; not a triplet shard")
            for batch in shard.iter_batches(batch_size=16):
                for row in batch.to_pylist():
                    yield {**row, "input": _image_bytes(row["input"]), "output": _image_bytes(row["output"])}
            return
        yield from _read_tar(path)
    except (pa.ArrowException, tarfile.TarError, EOFError, OSError) as exc:
        raise ValueError(f"{path}: not a readable shard ({' '.join(str(exc).split())})") from None


def _image_bytes(cell: object) -> object:
    return cell.get("bytes") if isinstance(cell, dict) else cell


def _read_tar(path: Path) -> Iterator[dict[str, Any]]:
    """WebDataset records: the files of one key are consecutive (``KEY.input.png``,
    ``KEY.output.png``, ``KEY.json``)."""
    suffixes = ("input.png", "output.png", "json")
    with tarfile.open(path) as tar:
        key, parts = None, {}
        for member in tar:
            name = _key_name(member.name)
            stem, dot, suffix = member.name.partition(".")
            if not member.isfile() or not dot or suffix not in suffixes:
                raise ValueError(f"{path}: {name}: not a triplet record file (KEY.input.png, KEY.output.png, KEY.json)")
            if member.size > MAX_SHARD_MEMBER_BYTES:
                raise ValueError(
                    f"{path}: {name}: {member.size:,} bytes is over the limit of {MAX_SHARD_MEMBER_BYTES:,}"
                )
            if stem != key:
                if key is not None:
                    yield _tar_record(path, key, parts)
                key, parts = stem, {}
            if suffix in parts:
                raise ValueError(f"{path}: {name}: appears twice")
            parts[suffix] = tar.extractfile(member).read()
        if key is not None:
            yield _tar_record(path, key, parts)


def _tar_record(path: Path, key: str, parts: dict[str, bytes]) -> dict[str, Any]:
    missing = [s for s in ("input.png", "output.png", "json") if s not in parts]
    if missing:
        raise ValueError(f"{path}: {_key_name(key)}.{missing[0]}: missing")
    name = f"{path}: {_key_name(key)}.json"
    if len(parts["json"]) > MAX_MANIFEST_BYTES:
        raise ValueError(f"{name}: {len(parts['json']):,} bytes is over the limit of {MAX_MANIFEST_BYTES:,}")
    try:
        text = parts["json"].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name}: is not UTF-8 text (byte {exc.start})") from None
    try:
        meta = loads_json(text, name)
    except ValueError as exc:  # e.g. an integer of 5,000 digits: name the file all the same
        if str(exc).startswith(f"{name}: "):
            raise
        raise ValueError(f"{name}: not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise ValueError(f"{name}: must be a JSON object, got {type(meta).__name__}")
    if meta.get("key") != key:
        raise ValueError(f"{path}: {_key_name(key)}.json: key: does not match the file name")
    return {**meta, "input": parts["input.png"], "output": parts["output.png"]}
