"""DECVT JSON (the Explanatory Instructions release) in and out.

Released items are flat JSON objects: image paths under task-specific keys ending in ``_img_A``,
``_img_B`` (and ``_img_C`` for three-image items), ``Task_Descriptions_from_A_to_B`` /
``..._B_to_A`` (and ``_A_to_C`` / ``_C_to_A``), optional ``Image_A_Caption`` / ``Image_B_Caption``.
They carry no task label: an imported pair's task is ``"unknown"`` unless the item has our own
explicit ``task`` field, never guessed from key or file names.

Multi-turn edits (SEED-style items: ``source_image``, ``edit_image_k``, ``instruction_k``,
``inverse_instruction_k``) become one pair per contiguous chain i..j: forwards the step
instructions joined in order ("α + β" for A -> B -> C), backwards the inverse instructions joined
in reverse order.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pixtask.core.atomic_write import write_bytes_atomic
from pixtask.core.guards import (
    MAX_INSTRUCTION_CHARS,
    MAX_JSON_BYTES,
    MAX_JSON_DEPTH,
    check_label,
    check_text,
    json_depth,
    printable,
    read_json_file,
    read_text_file,
)
from pixtask.core.image_io import encode_image
from pixtask.core.output_plan import plan_file, plan_folder
from pixtask.data.paired_folder import PairedFolder

UNKNOWN_TASK = "unknown"
CHAIN_JOINER = " "  # "α + β": the step instructions, one after the other
#: Longest multi-turn chain read: a chain of n edits gives n(n+1)/2 pairs, so it is capped.
MAX_CHAIN_EDITS = 16
#: Most pairs one file may give, and most characters of instructions in all of them.
MAX_DECVT_PAIRS = 2_000_000
MAX_DECVT_TEXT_CHARS = MAX_JSON_BYTES
MAX_ID_CHARS = 200
MAX_PATH_CHARS = 4096
EXPORT_MARKER = ".pixtask_export.json"  # an unfinished export: which build it is of
_IMAGE_KEY = re.compile(r"^(?P<prefix>.*)_img_(?P<letter>[A-Z])$")
_EDIT_KEY = re.compile(r"^edit_image_(?P<k>\d+)$")


@dataclass(frozen=True)
class DecvtPair:
    """Two images and the instruction for each direction (either may be missing)."""

    id: str
    a: Path
    b: Path
    a_to_b: str | None
    b_to_a: str | None
    task: str = UNKNOWN_TASK
    captions: dict[str, str] = field(default_factory=dict)  # "A"/"B" -> caption


def _key(key: object) -> str:
    """A key as written in the file (control characters escaped, very long ones cut)."""
    text = printable(str(key))
    return text if len(text) <= 80 else text[:80] + "..."


def _json(text: str, name: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as exc:  # e.g. an integer of 5,000 digits
        raise ValueError(f"{name}: not valid JSON ({' '.join(str(exc).split())})") from None


def _load_items(path: Path) -> list[dict]:
    """The items of a JSON or JSON Lines file: size, UTF-8 and nesting checked before parsing."""
    text = read_text_file(path, what="DECVT file")
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"{path}: nested {depth:,} levels deep; the limit is {MAX_JSON_DEPTH}")
    try:
        data = _json(text, str(path))
    except json.JSONDecodeError as whole:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        if len(lines) < 2:
            raise ValueError(f"{path}: not JSON or JSON Lines ({whole.msg} at line {whole.lineno})") from None
        data = []
        for n, line in lines:  # JSON Lines
            try:
                data.append(_json(line, f"{path} line {n}"))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: not JSON or JSON Lines ({exc.msg} at line {n})") from None
    if isinstance(data, dict):
        data = data.get("items", [data])
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of DECVT items (JSON objects), got {type(data).__name__}")
    for n, item in enumerate(data):
        if not isinstance(item, dict):
            raise ValueError(f"{path} item {n}: must be a JSON object, got {type(item).__name__}")
    return data


def _resolve(root: Path, item: dict, key: str, where: str) -> Path:
    value = item[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {_key(key)}: image path must be a non-empty string")
    p = Path(check_text(value, f"{where}: {_key(key)}", max_chars=MAX_PATH_CHARS))
    return p if p.is_absolute() else root / p


def _text(item: dict, key: str, where: str) -> str | None:
    """The words under ``key`` (None when absent or blank); anything but text is an error."""
    value = item.get(key)
    if value is None:
        return None
    check_text(value, f"{where}: {_key(key)}")
    return value.strip() or None


def _label(item: dict, key: str, where: str, default: str) -> str:
    """An item's ``id`` or ``task``: text or an integer, short."""
    if key not in item:
        return default
    value = item[key]
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return check_label(value, f"{where}: {key}", max_chars=MAX_ID_CHARS)


def _where(path: Path, n: int, item: dict) -> str:
    where = f"{path} item {n}"
    if "id" in item:
        where += f" (id {_label(item, 'id', where, '')})"
    return where


def _joined(parts: list[str | None], where: str, keys: str) -> str | None:
    if not all(parts):
        return None
    text = CHAIN_JOINER.join(parts)
    if len(text) > MAX_INSTRUCTION_CHARS:
        raise ValueError(
            f"{where}: {keys}: the instructions joined are {len(text):,} characters long; "
            f"an instruction may have at most {MAX_INSTRUCTION_CHARS:,}"
        )
    return text


def _chain_pairs(item: dict, root: Path, where: str) -> list[DecvtPair]:
    edits: dict[int, str] = {}  # step -> its key as written in the file (edit_image_01 stays that)
    for key in item:
        if not (m := _EDIT_KEY.match(key)):
            continue
        if len(m["k"]) > 6 or int(m["k"]) > MAX_CHAIN_EDITS:
            raise ValueError(
                f"{where}: {_key(key)}: beyond the longest chain read (MAX_CHAIN_EDITS = {MAX_CHAIN_EDITS} edits)"
            )
        if int(m["k"]) in edits:
            raise ValueError(f"{where}: {edits[int(m['k'])]} and {key}: the same step twice")
        edits[int(m["k"])] = key
    if len(edits) > MAX_CHAIN_EDITS:
        raise ValueError(
            f"{where}: {len(edits):,} edits in one chain; the limit is MAX_CHAIN_EDITS = {MAX_CHAIN_EDITS}"
        )
    steps = sorted(edits)
    if steps != list(range(1, len(steps) + 1)):
        raise ValueError(
            f"{where}: edit_image_k must run 1..n without gaps, got {', '.join(edits[k] for k in steps) or 'none'}"
        )
    suffixes = [edits[k].removeprefix("edit_image_") for k in steps]  # "01" or "1", as written

    def words(prefix: str, suffix: str) -> str | None:
        key = f"{prefix}_{suffix}" if f"{prefix}_{suffix}" in item else f"{prefix}_{int(suffix)}"
        return _text(item, key, where)

    images = [_resolve(root, item, "source_image", where)]
    images += [_resolve(root, item, edits[k], where) for k in steps]
    forward = [words("instruction", s) for s in suffixes]
    backward = [words("inverse_instruction", s) for s in suffixes]
    base, task = _label(item, "id", where, where), _label(item, "task", where, UNKNOWN_TASK)
    pairs = []
    for i in range(len(images)):
        for j in range(i + 1, len(images)):
            span = f"steps {i + 1}..{j}"
            pairs.append(
                DecvtPair(
                    f"{base}:{i}-{j}",
                    images[i],
                    images[j],
                    _joined(forward[i:j], where, f"instruction {span}"),
                    _joined(backward[i:j][::-1], where, f"inverse_instruction {span}"),
                    task,
                )
            )
    return pairs


def read_decvt(path: str | os.PathLike, image_root: str | os.PathLike | None = None) -> list[DecvtPair]:
    """The pairs of a DECVT JSON (or JSON Lines) file; relative image paths are taken from
    ``image_root`` (default: the file's folder).

    Hostile files are refused with one line naming the file, the item and the key: over-large
    or deeply nested files, values of the wrong type, words that are not UTF-8 text, chains of
    more than :data:`MAX_CHAIN_EDITS` edits, or more than :data:`MAX_DECVT_PAIRS` pairs."""
    path = Path(path)
    root = Path(image_root) if image_root is not None else path.parent
    pairs: list[DecvtPair] = []
    chars = 0
    for n, item in enumerate(_load_items(path)):
        where = _where(path, n, item)
        new = _chain_pairs(item, root, where) if "source_image" in item else _item_pairs(item, root, where, n)
        pairs.extend(new)
        chars += sum(len(p.a_to_b or "") + len(p.b_to_a or "") for p in new)
        if len(pairs) > MAX_DECVT_PAIRS:
            raise ValueError(f"{path}: more than MAX_DECVT_PAIRS = {MAX_DECVT_PAIRS:,} pairs; split the file")
        if chars > MAX_DECVT_TEXT_CHARS:
            raise ValueError(
                f"{path}: more than MAX_DECVT_TEXT_CHARS = {MAX_DECVT_TEXT_CHARS:,} characters of instructions; "
                "split the file"
            )
    if not pairs:
        raise ValueError(f"{path}: no DECVT items")
    return pairs


def _item_pairs(item: dict, root: Path, where: str, n: int) -> list[DecvtPair]:
    images = {m["letter"]: k for k in item if (m := _IMAGE_KEY.match(k))}
    if "A" not in images or len(images) < 2:
        raise ValueError(f"{where}: needs an image key ending in _img_A and one more (_img_B, _img_C...)")
    a = _resolve(root, item, images["A"], where)
    task = _label(item, "task", where, UNKNOWN_TASK)
    base = _label(item, "id", where, str(n))
    pairs = []
    for letter in sorted(set(images) - {"A"}):
        to = _text(item, f"Task_Descriptions_from_A_to_{letter}", where)
        back = _text(item, f"Task_Descriptions_from_{letter}_to_A", where)
        if to is None and back is None:
            raise ValueError(f"{where}: no Task_Descriptions_from_A_to_{letter} or _{letter}_to_A")
        captions = {k: v for k in ("A", letter) if (v := _text(item, f"Image_{k}_Caption", where))}
        pair_id = base + ("" if len(images) == 2 else f":{letter}")
        pairs.append(DecvtPair(pair_id, a, _resolve(root, item, images[letter], where), to, back, task, captions))
    return pairs


def write_decvt(
    pairs: list[DecvtPair], path: str | os.PathLike, *, copy_images_to: str | None = None, overwrite: bool = True
) -> Path:
    """Write ``pairs`` as DECVT JSON (one two-image item each, plus our explicit ``task``);
    image paths are written relative to the file's folder, where :func:`read_decvt` looks.

    ``path`` is never one of the pairs' images; an existing file is replaced only with
    ``overwrite`` (and never a write-protected one)."""
    path = Path(path)
    folder = path.parent.resolve()
    target = path.resolve()
    items = []
    for p in pairs:
        item: dict[str, str] = {"id": p.id, "task": p.task}
        for key, image in (("source_img_A", p.a), ("target_img_B", p.b)):
            resolved = Path(image).resolve()
            if resolved == target:
                raise ValueError(f"{path}: is an input of this command ({image}); choose another output")
            item[key] = os.path.relpath(resolved, folder)  # read back from there
        for letter, caption in sorted(p.captions.items()):
            item[f"Image_{letter}_Caption"] = caption
        if p.a_to_b:
            item["Task_Descriptions_from_A_to_B"] = p.a_to_b
        if p.b_to_a:
            item["Task_Descriptions_from_B_to_A"] = p.b_to_a
        items.append(item)
    plan_file(path, overwrite=overwrite)
    data = (json.dumps(items, indent=1, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")
    return write_bytes_atomic(path, data, overwrite=overwrite)


def _write_or_keep(path: Path, data: bytes) -> None:
    """Write ``path`` unless a resumed export wrote it already (then it must hold ``data``)."""
    if path.exists() or path.is_symlink():
        if path.is_symlink() or not path.is_file() or path.stat().st_size != len(data) or path.read_bytes() != data:
            raise ValueError(f"{path}: exists and is not the build's image; not replacing it; choose another --out")
        return
    write_bytes_atomic(path, data, overwrite=False)


def export_triplets(build: str | os.PathLike, out: str | os.PathLike) -> Path:
    """A triplet build (``pixtask data build``) as DECVT JSON: images as PNG files beside
    ``OUT/decvt.json``, one item per source pair with both directions' instructions.

    ``out`` must be new or empty, or an unfinished export of the same build (one that was
    killed): the images written whole are kept, the rest written, then ``decvt.json`` (last,
    so it exists only when the export is complete). The output is the same bytes either way."""
    from pixtask.data.triplets import iter_triplets, read_config, written_shards

    build, out = Path(build), Path(out)
    config = read_config(build)
    final, marker = out / "decvt.json", out / EXPORT_MARKER
    if final.exists() or final.is_symlink():
        raise ValueError(f"{final}: already exists; choose another --out")
    shards = written_shards(build, config)
    if len(shards) < config.shards:
        raise ValueError(
            f"{build}: an unfinished build ({len(shards)} of {config.shards} shards); "
            "finish it with `pixtask data build` first"
        )
    wanted = {"format": "pixtask-decvt-export/1", "build": asdict(config)}
    if marker.is_file() and not marker.is_symlink():
        if read_json_file(marker, max_bytes=1024 * 1024) != wanted:
            raise ValueError(f"{out}: holds an unfinished export of another build; choose another --out")
        plan_folder(out, overwrite=True, names=(), inputs=[build])
    else:
        if out.is_dir() and any(out.iterdir()):
            raise ValueError(f"{out}: not empty and not an unfinished export of {build}; choose another --out")
        plan_folder(out, inputs=[build])
        write_bytes_atomic(marker, json.dumps(wanted, sort_keys=True).encode(), overwrite=False)
    images = out / "images"
    forward: dict[str, dict] = {}
    backward: dict[str, str] = {}
    for r in iter_triplets(build):
        pair = r["key"].rsplit("-", 1)[0]  # checked by iter_triplets: digits only
        if r["direction"] == "forward":
            a, b = images / f"{pair}_A.png", images / f"{pair}_B.png"
            _write_or_keep(a, encode_image(r["input"]))
            _write_or_keep(b, encode_image(r["output"]))
            forward[pair] = {"a": a, "b": b, "text": r["instruction"], "task": r["task"]}
        else:
            backward[pair] = r["instruction"]
    pairs = [
        DecvtPair(pair, f["a"], f["b"], f["text"], backward.get(pair), f["task"]) for pair, f in sorted(forward.items())
    ]
    written = write_decvt(pairs, final, overwrite=False)
    marker.unlink(missing_ok=True)
    return written


def decvt_source(path: str | os.PathLike, name: str | None = None) -> PairedFolder:
    """A DECVT file as a training source beside synthetic tasks and paired folders: each pair
    in each direction it has words for, told by those words (task id ``decvt:NAME``)."""
    path = Path(path)
    files: dict[str, tuple[Path, Path]] = {}
    words: dict[str, str] = {}
    for p in read_decvt(path):
        for direction, (a, b), text in (("forward", (p.a, p.b), p.a_to_b), ("backward", (p.b, p.a), p.b_to_a)):
            if text:
                stem = f"{p.id}-{direction}"
                if stem in files:  # a second pair would silently replace the first
                    raise ValueError(f"{path}: id {p.id}: appears twice; give each item its own id")
                files[stem], words[stem] = (a, b), text
    missing = sorted({str(f) for pair in files.values() for f in pair if not f.exists()})
    if missing:
        raise FileNotFoundError(f"{path}: {len(missing)} image(s) not found, e.g. {missing[0]}")
    return PairedFolder(path.parent, name or path.stem, files, tuple(sorted(files)), words, "decvt")


def open_pair_source(path: str | os.PathLike) -> PairedFolder:
    """A paired folder, or a DECVT JSON / JSON Lines file (``.json``, ``.jsonl``)."""
    if Path(path).suffix.lower() in (".json", ".jsonl"):
        return decvt_source(path)
    return PairedFolder.open(path)
