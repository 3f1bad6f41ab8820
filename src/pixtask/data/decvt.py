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
from dataclasses import dataclass, field
from pathlib import Path

from pixtask.core.atomic_write import write_bytes_atomic
from pixtask.core.image_io import write_image
from pixtask.data.paired_folder import PairedFolder

UNKNOWN_TASK = "unknown"
CHAIN_JOINER = " "  # "α + β": the step instructions, one after the other
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


def _load_items(path: Path) -> list[dict]:
    text = path.read_text()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:  # JSON Lines
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not JSON or JSON Lines ({exc.msg} at line {exc.lineno})") from None
    if isinstance(data, dict):
        data = data.get("items", [data])
    if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
        raise ValueError(f"{path}: expected a list of DECVT items (JSON objects)")
    return data


def _resolve(root: Path, value: object, where: str) -> Path:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: image path must be a non-empty string")
    p = Path(value)
    return p if p.is_absolute() else root / p


def _text(item: dict, key: str) -> str | None:
    value = item.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _chain_pairs(item: dict, root: Path, where: str) -> list[DecvtPair]:
    steps = sorted(int(m["k"]) for k in item if (m := _EDIT_KEY.match(k)))
    if steps != list(range(1, len(steps) + 1)):
        raise ValueError(f"{where}: edit_image_k must run 1..n without gaps, got {steps}")
    images = [_resolve(root, item["source_image"], where)]
    images += [_resolve(root, item[f"edit_image_{k}"], where) for k in steps]
    forward = [_text(item, f"instruction_{k}") for k in steps]
    backward = [_text(item, f"inverse_instruction_{k}") for k in steps]
    base, task = str(item.get("id", where)), str(item.get("task", UNKNOWN_TASK))
    pairs = []
    for i in range(len(images)):
        for j in range(i + 1, len(images)):
            fwd, bwd = forward[i:j], backward[i:j]
            pairs.append(
                DecvtPair(
                    f"{base}:{i}-{j}",
                    images[i],
                    images[j],
                    CHAIN_JOINER.join(fwd) if all(fwd) else None,
                    CHAIN_JOINER.join(reversed(bwd)) if all(bwd) else None,
                    task,
                )
            )
    return pairs


def read_decvt(path: str | os.PathLike, image_root: str | os.PathLike | None = None) -> list[DecvtPair]:
    """The pairs of a DECVT JSON (or JSON Lines) file; relative image paths are taken from
    ``image_root`` (default: the file's folder)."""
    path = Path(path)
    root = Path(image_root) if image_root is not None else path.parent
    pairs: list[DecvtPair] = []
    for n, item in enumerate(_load_items(path)):
        where = f"{path} item {n}" + (f" (id {item['id']})" if "id" in item else "")
        if "source_image" in item:
            pairs.extend(_chain_pairs(item, root, where))
            continue
        images = {m["letter"]: k for k in item if (m := _IMAGE_KEY.match(k))}
        if "A" not in images or len(images) < 2:
            raise ValueError(f"{where}: needs an image key ending in _img_A and one more (_img_B, _img_C...)")
        a = _resolve(root, item[images["A"]], where)
        for letter in sorted(set(images) - {"A"}):
            to, back = (
                _text(item, f"Task_Descriptions_from_A_to_{letter}"),
                _text(item, f"Task_Descriptions_from_{letter}_to_A"),
            )
            if to is None and back is None:
                raise ValueError(f"{where}: no Task_Descriptions_from_A_to_{letter} or _{letter}_to_A")
            captions = {k: v for k in ("A", letter) if (v := _text(item, f"Image_{k}_Caption"))}
            pair_id = str(item.get("id", n)) + ("" if len(images) == 2 else f":{letter}")
            task = str(item.get("task", UNKNOWN_TASK))
            pairs.append(DecvtPair(pair_id, a, _resolve(root, item[images[letter]], where), to, back, task, captions))
    if not pairs:
        raise ValueError(f"{path}: no DECVT items")
    return pairs


def write_decvt(pairs: list[DecvtPair], path: str | os.PathLike, *, copy_images_to: str | None = None) -> Path:
    """Write ``pairs`` as DECVT JSON (one two-image item each, plus our explicit ``task``);
    image paths are written relative to the file's folder, where :func:`read_decvt` looks."""
    path = Path(path)
    items = []
    for p in pairs:
        item: dict[str, str] = {"id": p.id, "task": p.task}
        for key, image in (("source_img_A", p.a), ("target_img_B", p.b)):
            item[key] = os.path.relpath(Path(image).resolve(), path.parent.resolve())  # read back from there
        for letter, caption in sorted(p.captions.items()):
            item[f"Image_{letter}_Caption"] = caption
        if p.a_to_b:
            item["Task_Descriptions_from_A_to_B"] = p.a_to_b
        if p.b_to_a:
            item["Task_Descriptions_from_B_to_A"] = p.b_to_a
        items.append(item)
    return write_bytes_atomic(path, (json.dumps(items, indent=1, ensure_ascii=False) + "\n").encode())


def export_triplets(build: str | os.PathLike, out: str | os.PathLike) -> Path:
    """A triplet build (``pixtask data build``) as DECVT JSON: images as PNG files beside
    ``OUT/decvt.json``, one item per source pair with both directions' instructions."""
    from pixtask.data.triplets import iter_triplets

    out = Path(out)
    images = out / "images"
    forward: dict[str, dict] = {}
    backward: dict[str, str] = {}
    for r in iter_triplets(build):
        pair = r["key"].rsplit("-", 1)[0]
        if r["direction"] == "forward":
            a, b = images / f"{pair}_A.png", images / f"{pair}_B.png"
            write_image(a, r["input"], overwrite=False)
            write_image(b, r["output"], overwrite=False)
            forward[pair] = {"a": a, "b": b, "text": r["instruction"], "task": r["task"]}
        else:
            backward[pair] = r["instruction"]
    pairs = [
        DecvtPair(pair, f["a"], f["b"], f["text"], backward.get(pair), f["task"]) for pair, f in sorted(forward.items())
    ]
    return write_decvt(pairs, out / "decvt.json")


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
                files[stem], words[stem] = (a, b), text
    missing = sorted({str(f) for pair in files.values() for f in pair if not f.exists()})
    if missing:
        raise FileNotFoundError(f"{path}: {len(missing)} image(s) not found, e.g. {missing[0]}")
    return PairedFolder(path.parent, name or path.stem, files, tuple(sorted(files)), words, "decvt")
