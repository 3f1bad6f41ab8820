"""Checks at the boundary, for everything that comes from a user or a file: text, numbers, JSON,
file sizes. Each raises a ``ValueError`` whose message starts with the file, key or option it is
about, so the CLI and the app can show it as one line; none of them names a CLI flag itself
(callers pass the name they want shown: ``--temperature``, ``manifest.json: pairs``, ...)."""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

#: Longest instruction accepted (characters): a paragraph is plenty to describe a change.
MAX_INSTRUCTION_CHARS = 2000
#: Largest JSON/YAML file read (config, manifest, DECVT file), and the deepest nesting.
MAX_JSON_BYTES = 256 * 1024 * 1024
MAX_JSON_DEPTH = 64
#: Largest seed accepted: what ``torch.manual_seed`` and numpy take.
MAX_SEED = 2**63 - 1

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def check_text(text: object, name: str = "the instruction", *, max_chars: int = MAX_INSTRUCTION_CHARS) -> str:
    """``text`` if it is printable UTF-8 of at most ``max_chars`` characters.

    Refused: lone surrogates (what Python makes of bytes that are not UTF-8 on a command line,
    and what a JSON ``"\\ud800"`` decodes to), control characters other than tab and newline
    (an ANSI escape would be echoed to the terminal), and overlong text."""
    if not isinstance(text, str):
        raise ValueError(f"{name}: must be text, got {type(text).__name__}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name}: is not valid UTF-8 text") from None
    if len(text) > max_chars:
        raise ValueError(f"{name}: is {len(text):,} characters long; the limit is {max_chars:,}")
    bad = next((c for c in text if c not in "\t\n" and unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        raise ValueError(f"{name}: holds the control character U+{ord(bad):04X}; give plain text")
    return text


def check_label(text: object, name: str, *, max_chars: int = 200) -> str:
    """A one-line name (a task label, a model name): :func:`check_text` without newlines or tabs,
    so it can never forge a line of output."""
    check_text(text, name, max_chars=max_chars)
    if any(c in text for c in "\n\r\t"):  # type: ignore[operator]
        raise ValueError(f"{name}: must be one line without tabs")
    return text  # type: ignore[return-value]


def printable(text: str) -> str:
    """``text`` safe to echo to a terminal or a log line: control characters and lone
    surrogates shown as escapes."""
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii") for c in text
    )


def check_number(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    integer: bool = False,
) -> float:
    """``value`` if it is a finite number within [``low``, ``high``] (``low`` excluded when
    ``low_open``); an integer when ``integer``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name}: must be a number, got {value!r}")
    if integer and not isinstance(value, int):
        raise ValueError(f"{name}: must be an integer, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name}: must be a finite number, got {value}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name}: must be {'above' if low_open else 'at least'} {_fmt(low)}, got {_fmt(value)}")
    if high is not None and value > high:
        raise ValueError(f"{name}: must be at most {_fmt(high)}, got {_fmt(value)}")
    return value


def _fmt(x: float) -> str:
    return f"{x:,}" if isinstance(x, int) else f"{x:g}"


def check_seed(value: object, name: str = "seed") -> int:
    """A seed that torch and numpy accept (0 ... 2**63 - 1)."""
    return int(check_number(value, name, low=0, high=MAX_SEED, integer=True))


def check_file_size(path: str | os.PathLike, max_bytes: int, what: str = "file") -> int:
    """The size of ``path`` (a regular file of at most ``max_bytes``), known before reading it."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if path.is_dir():
        raise ValueError(f"{path}: is a folder; give a {what}")
    if not path.is_file():
        raise ValueError(f"{path}: not a regular file (a device, FIFO or socket); give a {what}")
    if st.st_size > max_bytes:
        raise ValueError(f"{path}: {st.st_size:,} bytes is over the limit of {max_bytes:,} for a {what}")
    return st.st_size


def read_text_file(path: str | os.PathLike, *, max_bytes: int = MAX_JSON_BYTES, what: str = "text file") -> str:
    """A UTF-8 text file, size-checked before it is read."""
    path = Path(path)
    check_file_size(path, max_bytes, what)
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def json_depth(data: bytes | str) -> int:
    """How deeply ``data``'s arrays and objects nest, counted without parsing (so a hostile
    file cannot exhaust the parser's recursion)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    raw = _STRINGS.sub(b"", raw)
    codes = np.frombuffer(raw, dtype=np.uint8)
    if codes.size == 0:
        return 0
    step = np.isin(codes, (ord("["), ord("{"))).astype(np.int64) - np.isin(codes, (ord("]"), ord("}")))
    return int(np.cumsum(step).max(initial=0))


def loads_json(text: str, name: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON text; errors (syntax, nesting deeper than ``max_depth``) name ``name``."""
    depth = json_depth(text)
    if depth > max_depth:
        raise ValueError(f"{name}: nested {depth:,} levels deep; the limit is {max_depth}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ValueError(f"{name}: nested too deeply to read") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise ValueError(f"{name}: not valid JSON ({' '.join(str(exc).split())})") from None


def read_json_file(path: str | os.PathLike, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """A JSON file, size- and depth-checked before it is parsed; every error names the file."""
    path = Path(path)
    return loads_json(read_text_file(path, max_bytes=max_bytes, what="JSON file"), str(path), max_depth=max_depth)
