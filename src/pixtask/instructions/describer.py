"""Explanatory instructions written by a vision-language model, for pairs no template describes.

Any OpenAI-compatible chat endpoint works (a local vLLM or llama.cpp server, or a hosted one).
The request follows the Explanatory Instructions paper (App. A.1; shared facts in
explanatory-and-ar.md §3): one system message, one user message with the text and the two
images in order A, B as base64 JPEG data URLs (``detail: high``), ``response_format`` JSON,
captions asked for first (caption errors were found to propagate into the instructions).

Replies are checked (keys present, non-empty printable UTF-8 strings of bounded length, none of
the banned phrases such as "image A"); invalid replies, 429s, 5xx and time-outs are retried with
exponential back-off (``Retry-After`` honoured up to a cap); requests are rate-limited; every
accepted reply is cached on disk by a hash of the model, prompt and image bytes, so an
interrupted run resumes without asking again (a cache entry that does not pass the same checks
is ignored and asked for again, never trusted).

The endpoint is not trusted either: ``timeout_s`` bounds each whole attempt (connecting,
sending, and every byte of the reply, however slowly it trickles in), a reply is read in
chunks and dropped past ``max_reply_bytes``, and JSON nesting is bounded before parsing.
The API key is read from the environment at request time, sent only in the request header, and
never written to the cache, the output or a message.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pixtask.core.atomic_write import write_bytes_atomic
from pixtask.core.guards import MAX_INSTRUCTION_CHARS, check_file_size, check_number, check_text, loads_json
from pixtask.core.image_io import encode_image, read_image
from pixtask.instructions.engine import banned_phrase

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You are an expert in computer vision and describe vision tasks, with exceptional attention to detail. "
    "Your task is to provide detailed descriptions of the transformations between the images, explaining how "
    "elements appear, disappear, or change. Your analysis is thorough, accurate, and insightful."
)
CAPTION_KEYS = ("Image_A_Caption", "Image_B_Caption")
DIRECTION_KEYS = ("Task_Descriptions_from_A_to_B", "Task_Descriptions_from_B_to_A")
BANNED_PHRASES = ("image a", "image b", "first image", "second image", "to transform", "transform image")

#: Longest caption kept (characters); instructions are held to the instruction limit, since
#: they are what a model is later told with.
MAX_CAPTION_CHARS = 8000
#: Largest reply read from the endpoint (a valid one is a few KiB: max_tokens of text).
MAX_REPLY_BYTES = 4 * 1024 * 1024
#: Largest cache entry read back (a valid one is a few KiB).
MAX_CACHE_BYTES = 1024 * 1024
#: Ranges of the numeric settings (the CLI checks its options against the same ones).
MAX_ATTEMPTS = 1000
MAX_TIMEOUT_S = 24 * 3600.0
MIN_RPM, MAX_RPM = 0.01, 1e6
MAX_WAIT_S = 3600.0  # back-off and Retry-After caps may not be set above this


def user_prompt(captions: bool = True, task_hint: str | None = None) -> str:
    """The paper's user text; ``captions`` keeps its optional caption request (recommended),
    ``task_hint`` is the optional sentence the authors added where a reply was judged wrong."""
    hint = f"{task_hint.strip()} " if task_hint else ""
    describe = "1) Describe these images. 2) " if captions else ""
    keys = ", ".join([*(CAPTION_KEYS if captions else ()), *DIRECTION_KEYS])
    return (
        f"{hint}Define the first image as A, the second image as B. Task: {describe}Describe 2 scenarios: how to "
        "transform image A into image B, image B into image A without referencing the contents of the other image "
        f"directly. Output format: JSON format with keys only contain {keys} without any nested JSON structures. "
        "The descriptions of transformations should be as diverse as possible, either as a single paragraph or as "
        "a step-by-step description. Constraints: 1) The task descriptions should not use any additional tools or "
        "references, such as image editing tools. 2) Do not use terms like 'image A', 'image B', "
        "'to transform * into *', or similar phrases."
    )


class DescribeError(RuntimeError):
    """A pair the endpoint could not describe: a permanent error, or retries used up."""


class InvalidReplyError(ValueError):
    """A reply that does not meet the request (retried)."""


def check_endpoint(url: object, name: str = "endpoint") -> str:
    """``url`` if it is an http(s) URL with a host; a ValueError naming ``name`` otherwise."""
    import httpx

    text = check_text(url, name, max_chars=2048).strip()
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise ValueError(f"{name}: not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        raise ValueError(f"{name}: must be an http:// or https:// URL, e.g. http://127.0.0.1:8000/v1")
    if not parsed.host:
        raise ValueError(f"{name}: names no host; give e.g. http://127.0.0.1:8000/v1")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise ValueError(f"{name}: port {parsed.port} is not between 1 and 65535")
    if any(c.isspace() for c in text):
        raise ValueError(f"{name}: holds white space; give e.g. http://127.0.0.1:8000/v1")
    return text


def check_env_name(value: object, name: str = "api_key_env") -> str:
    """``value`` if it can name an environment variable (non-empty, no '=' or NUL)."""
    text = check_text(value, name, max_chars=256)
    if not text.strip() or "=" in text or "\0" in text:
        raise ValueError(f"{name}: {text!r} is not an environment variable name")
    return text


def check_rpm(value: object, name: str = "requests_per_minute") -> float:
    """0 (no limit) or a finite rate in [MIN_RPM, MAX_RPM]."""
    check_number(value, name, low=0, high=MAX_RPM)
    if 0 < value < MIN_RPM:
        raise ValueError(f"{name}: must be 0 (no limit) or at least {MIN_RPM:g} a minute, got {value:g}")
    return float(value)


@dataclass(frozen=True)
class DescriberConfig:
    endpoint: str  # base URL, e.g. http://127.0.0.1:8000/v1 (".../chat/completions" is added)
    model: str
    api_key_env: str = "OPENAI_API_KEY"  # the variable holding the key (may be unset for local servers)
    captions: bool = True
    task_hint: str | None = None
    max_tokens: int = 4096
    attempts: int = 5  # per pair, invalid replies and transient errors together
    backoff_s: float = 1.0  # first wait; doubles each retry
    max_backoff_s: float = 60.0
    requests_per_minute: float = 60.0
    timeout_s: float = 120.0  # one whole attempt: connect, send, and the complete reply
    max_retry_after_s: float = 60.0  # a server's Retry-After is honoured up to this (and a warning given)
    max_reply_bytes: int = MAX_REPLY_BYTES

    def __post_init__(self) -> None:
        """Every setting checked here, so a bad one fails at once, naming the field."""
        check_endpoint(self.endpoint, "endpoint")
        if not check_text(self.model, "model", max_chars=256).strip():
            raise ValueError("model: is empty")
        check_env_name(self.api_key_env, "api_key_env")
        if self.task_hint is not None:
            check_text(self.task_hint, "task_hint")
        check_number(self.max_tokens, "max_tokens", low=1, high=1_000_000, integer=True)
        check_number(self.attempts, "attempts", low=1, high=MAX_ATTEMPTS, integer=True)
        check_number(self.backoff_s, "backoff_s", low=0, high=MAX_WAIT_S)
        check_number(self.max_backoff_s, "max_backoff_s", low=0, high=MAX_WAIT_S)
        check_rpm(self.requests_per_minute, "requests_per_minute")
        check_number(self.timeout_s, "timeout_s", low=0, low_open=True, high=MAX_TIMEOUT_S)
        check_number(self.max_retry_after_s, "max_retry_after_s", low=0, high=MAX_WAIT_S)
        check_number(self.max_reply_bytes, "max_reply_bytes", low=1024, high=1 << 30, integer=True)


@dataclass(frozen=True)
class Description:
    a_to_b: str
    b_to_a: str
    captions: dict[str, str]  # "A"/"B" -> caption (empty without captions)
    cached: bool = False


def check_reply(content: str, captions: bool) -> dict[str, str]:
    """The reply's fields, or :class:`InvalidReplyError` saying what is wrong."""
    if not isinstance(content, str):
        raise InvalidReplyError(f"not JSON (the content is {type(content).__name__}, not text)")
    try:
        data = loads_json(content, "the reply")
    except ValueError as exc:
        raise InvalidReplyError(f"not JSON ({exc})") from None
    return check_fields(data, captions)


def check_fields(data: object, captions: bool) -> dict[str, str]:
    """The wanted fields of a parsed reply (or cache entry), whitespace-normalised: each a
    non-empty printable UTF-8 string of bounded length, the instructions free of banned
    phrases; :class:`InvalidReplyError` otherwise."""
    if not isinstance(data, dict):
        raise InvalidReplyError("not a JSON object")
    wanted = [*(CAPTION_KEYS if captions else ()), *DIRECTION_KEYS]
    missing = [k for k in wanted if k not in data]
    if missing:
        raise InvalidReplyError(f"missing {', '.join(missing)}")
    fields = {}
    for key in wanted:
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            raise InvalidReplyError(f"{key} is empty or not a string")
        value = " ".join(value.split())
        try:  # lone surrogates ("\ud800"), control characters, overlong text
            check_text(value, key, max_chars=MAX_INSTRUCTION_CHARS if key in DIRECTION_KEYS else MAX_CAPTION_CHARS)
        except ValueError as exc:
            raise InvalidReplyError(str(exc)) from None
        if key in DIRECTION_KEYS:
            banned = banned_phrase(value, BANNED_PHRASES)  # whole words: "image and" is no "image a"
            if banned:
                raise InvalidReplyError(f"{key} uses the banned phrase {banned!r}")
        fields[key] = value
    return fields


def _data_url(path: Path) -> str:
    jpeg = encode_image(read_image(path), ".jpg", jpeg_quality=95)
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()


def _file_sha256(path: Path) -> bytes:
    with open(path, "rb") as f:  # in chunks: an image file may be large
        return hashlib.file_digest(f, "sha256").digest()


class _RetryError(Exception):
    """One attempt failed in a way worth trying again."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


# --- the whole-attempt deadline ------------------------------------------------------------
# httpx's time-out applies to each network operation, so a server sending one byte a second
# never trips it. The deadline below is checked by every connect, read and write of the
# client's connections (a wrapped httpcore network backend), so the headers and the body
# together must arrive within ``timeout_s``; it is per thread, as each request runs in one.
_DEADLINE = threading.local()


def _bounded(timeout: float | None, timeout_error: type[Exception]) -> float | None:
    at = getattr(_DEADLINE, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise timeout_error("the whole request ran past its time-out")
    return left if timeout is None else min(timeout, left)


def _deadline_client(timeout_s: float):
    """An httpx client whose connections honour the per-thread whole-request deadline.

    The backend is swapped in on httpx's connection pools (a private attribute, looked up
    defensively: should a future httpx lack it, the deadline is still checked between body
    chunks, and a slow reply is bounded by the per-operation time-out)."""
    import httpcore
    import httpx

    class DeadlineStream(httpcore.NetworkStream):
        def __init__(self, inner) -> None:
            self.inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self.inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self.inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

        def close(self) -> None:
            self.inner.close()

        def start_tls(self, ssl_context, server_hostname=None, timeout=None):
            timeout = _bounded(timeout, httpcore.ConnectTimeout)
            return DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, timeout))

        def get_extra_info(self, info: str):
            return self.inner.get_extra_info(info)

    class DeadlineBackend(httpcore.NetworkBackend):
        def __init__(self, inner) -> None:
            self.inner = inner

        def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
            timeout = _bounded(timeout, httpcore.ConnectTimeout)
            return DeadlineStream(self.inner.connect_tcp(host, port, timeout, local_address, socket_options))

        def connect_unix_socket(self, path, timeout=None, socket_options=None):
            timeout = _bounded(timeout, httpcore.ConnectTimeout)
            return DeadlineStream(self.inner.connect_unix_socket(path, timeout, socket_options))

        def sleep(self, seconds: float) -> None:
            self.inner.sleep(seconds)

    client = httpx.Client(timeout=timeout_s)
    client.deadline_enforced = False  # for tests: whether the backend could be installed
    for transport in (getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()):
        pool = getattr(transport, "_pool", None)
        if isinstance(getattr(pool, "_network_backend", None), httpcore.NetworkBackend):
            pool._network_backend = DeadlineBackend(pool._network_backend)
            client.deadline_enforced = True
    return client


class Describer:
    """Describe (A, B) pairs through one endpoint; thread-safe rate limiting, disk cache.

    ``warn`` receives one-line notices (a capped Retry-After, an ignored cache entry, a cache
    entry that could not be written); by default they go to this module's logger."""

    def __init__(
        self,
        config: DescriberConfig,
        cache_dir: str | os.PathLike,
        *,
        sleep: Callable[[float], None] | None = None,
        client=None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        import httpx

        self.config, self.cache_dir, self.sleep = config, Path(cache_dir), sleep or time.sleep
        self.warn = warn or log.warning
        self.client = client or _deadline_client(config.timeout_s)
        base = httpx.URL(config.endpoint.strip())
        self.url = str(base.copy_with(path=base.path.rstrip("/") + "/chat/completions"))
        self.prompt = user_prompt(config.captions, config.task_hint)
        self._lock, self._next_request = threading.Lock(), 0.0
        self.requests = 0  # sent, for reports and tests

    def _cache_path(self, a: Path, b: Path) -> Path:
        h = hashlib.sha256()
        for part in (self.config.model, SYSTEM_PROMPT, self.prompt, str(self.config.max_tokens)):
            h.update(part.encode() + b"\0")
        h.update(_file_sha256(a) + _file_sha256(b))
        key = h.hexdigest()
        return self.cache_dir / key[:2] / f"{key}.json"

    def _read_cache(self, path: Path) -> dict[str, str] | None:
        """A cached reply that still passes the reply checks, else None (ignored, asked again)."""
        if not path.exists() and not path.is_symlink():
            return None
        try:
            check_file_size(path, MAX_CACHE_BYTES, "cache entry")
            text = path.read_bytes().decode("utf-8")
            return check_fields(loads_json(text, str(path)), self.config.captions)
        except (OSError, ValueError) as exc:  # UnicodeDecodeError and InvalidReplyError are ValueErrors
            self.warn(f"{path}: ignoring an invalid cache entry ({' '.join(str(exc).split())}); asking again")
            return None

    def _write_cache(self, path: Path, fields: dict[str, str]) -> None:
        try:
            write_bytes_atomic(path, json.dumps(fields, indent=1, sort_keys=True).encode())
        except OSError as exc:  # the reply is still used; only resuming loses it
            self.warn(f"{path}: could not cache the reply ({exc.strerror or exc})")

    def _wait_turn(self) -> None:
        interval = 60.0 / self.config.requests_per_minute if self.config.requests_per_minute > 0 else 0.0
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_request)
            self._next_request = start + interval
        if start > now:
            self.sleep(start - now)

    def _body(self, a: Path, b: Path) -> dict:
        images = [{"type": "image_url", "image_url": {"url": _data_url(p), "detail": "high"}} for p in (a, b)]
        return {
            "model": self.config.model,
            "max_tokens": self.config.max_tokens,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": [{"type": "text", "text": self.prompt}, *images]},
            ],
        }

    def _headers(self) -> dict[str, str]:
        name = self.config.api_key_env
        key = os.environ.get(name)
        if not key:
            return {}
        if not (key.isascii() and key.isprintable() and key.strip() == key):  # never shown: it is a secret
            raise ValueError(f"{name}: the API key in this environment variable is not printable ASCII")
        return {"Authorization": f"Bearer {key}"}

    def describe(self, a: str | os.PathLike, b: str | os.PathLike) -> Description:
        """Both directions' instructions (and captions) for the pair A, B."""
        a, b = Path(a), Path(b)
        cache = self._cache_path(a, b)
        cached = self._read_cache(cache)
        if cached is not None:
            return self._description(cached, cached=True)
        body = self._body(a, b)
        headers = self._headers()
        reason, retry_after = "", None
        for attempt in range(self.config.attempts):
            if attempt:
                self.sleep(self._backoff(attempt, retry_after))
                retry_after = None
            self._wait_turn()
            self.requests += 1
            try:
                fields = self._attempt(body, headers, a, b)
            except _RetryError as exc:
                reason, retry_after = exc.reason, exc.retry_after
                continue
            self._write_cache(cache, fields)  # only a reply that passed every check
            return self._description(fields, cached=False)
        raise DescribeError(
            f"{a.name}, {b.name}: no valid reply after {self.config.attempts} attempts (last: {reason})"
        )

    def _attempt(self, body: dict, headers: dict[str, str], a: Path, b: Path) -> dict[str, str]:
        """One request, bounded in time and size: the checked fields, or :class:`_RetryError`."""
        import httpx

        cfg = self.config
        deadline = time.monotonic() + cfg.timeout_s
        late = f"no complete reply within the {cfg.timeout_s:g} s time-out"
        previous, _DEADLINE.at = getattr(_DEADLINE, "at", None), deadline
        try:
            with self.client.stream("POST", self.url, json=body, headers=headers) as response:
                status = response.status_code
                if status == 429 or status >= 500:
                    raise _RetryError(f"HTTP {status}", _retry_after(response))
                if status != 200:
                    raise DescribeError(f"{a.name}, {b.name}: the endpoint refused the request (HTTP {status})")
                too_big = f"invalid reply: over the {cfg.max_reply_bytes:,}-byte limit"
                declared = response.headers.get("content-length", "").strip()
                if declared.isdigit() and int(declared) > cfg.max_reply_bytes:
                    raise _RetryError(f"{too_big} (Content-Length {int(declared):,})")
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > cfg.max_reply_bytes:
                        raise _RetryError(too_big)
                    if time.monotonic() > deadline:
                        raise _RetryError(f"ReadTimeout: {late}")
        except httpx.TimeoutException as exc:
            raise _RetryError(f"{type(exc).__name__}: {late}") from None
        except httpx.RequestError as exc:  # refused or dropped connections, protocol and decoding errors
            raise _RetryError(type(exc).__name__) from None
        finally:
            _DEADLINE.at = previous
        try:
            envelope = loads_json(bytes(data).decode("utf-8"), "the reply")
        except ValueError:  # not UTF-8, not JSON, nested too deeply
            raise _RetryError("invalid reply: not a chat completion") from None
        try:
            content = envelope["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise _RetryError("invalid reply: not a chat completion") from None
        try:
            return check_reply(content, cfg.captions)
        except InvalidReplyError as exc:
            raise _RetryError(f"invalid reply: {exc}") from None

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Exponential back-off, or the server's Retry-After when it asks for longer, capped at
        ``max_retry_after_s`` (with a warning: a hostile or broken server may ask for days)."""
        cfg = self.config
        wait = min(cfg.max_backoff_s, cfg.backoff_s * 2 ** min(attempt - 1, 60))
        if retry_after is None:
            return wait
        if retry_after > cfg.max_retry_after_s:
            self.warn(
                f"the endpoint asked to wait {retry_after:g} s (Retry-After); "
                f"waiting {cfg.max_retry_after_s:g} s instead, the cap (max_retry_after_s)"
            )
            retry_after = cfg.max_retry_after_s
        return max(wait, retry_after)

    def _description(self, fields: dict[str, str], cached: bool) -> Description:
        captions = {k[6]: fields[k] for k in CAPTION_KEYS if k in fields}
        return Description(fields[DIRECTION_KEYS[0]], fields[DIRECTION_KEYS[1]], captions, cached)


def _retry_after(response) -> float | None:
    """Seconds the server asks to wait (a number or an HTTP date), None if absent or nonsense."""
    value = response.headers.get("retry-after", "").strip()[:100]
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError):
            return None
    return max(seconds, 0.0) if math.isfinite(seconds) else None
