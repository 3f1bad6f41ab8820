"""Explanatory instructions written by a vision-language model, for pairs no template describes.

Any OpenAI-compatible chat endpoint works (a local vLLM or llama.cpp server, or a hosted one).
The request follows the Explanatory Instructions paper (App. A.1; shared facts in
explanatory-and-ar.md §3): one system message, one user message with the text and the two
images in order A, B as base64 JPEG data URLs (``detail: high``), ``response_format`` JSON,
captions asked for first (caption errors were found to propagate into the instructions).

Replies are checked (keys present, non-empty strings, none of the banned phrases such as
"image A"); invalid replies, 429s, 5xx and time-outs are retried with exponential back-off
(``Retry-After`` honoured); requests are rate-limited; every accepted reply is cached on disk by
a hash of the model, prompt and image bytes, so an interrupted run resumes without asking again.
The API key is read from the environment at request time, sent only in the request header, and
never written to the cache, the output or a message.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pixtask.core.atomic_write import write_bytes_atomic
from pixtask.core.image_io import encode_image, read_image

SYSTEM_PROMPT = (
    "You are an expert in computer vision and describe vision tasks, with exceptional attention to detail. "
    "Your task is to provide detailed descriptions of the transformations between the images, explaining how "
    "elements appear, disappear, or change. Your analysis is thorough, accurate, and insightful."
)
CAPTION_KEYS = ("Image_A_Caption", "Image_B_Caption")
DIRECTION_KEYS = ("Task_Descriptions_from_A_to_B", "Task_Descriptions_from_B_to_A")
BANNED_PHRASES = ("image a", "image b", "first image", "second image", "to transform", "transform image")


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
    timeout_s: float = 120.0


@dataclass(frozen=True)
class Description:
    a_to_b: str
    b_to_a: str
    captions: dict[str, str]  # "A"/"B" -> caption (empty without captions)
    cached: bool = False


def check_reply(content: str, captions: bool) -> dict[str, str]:
    """The reply's fields, or :class:`InvalidReplyError` saying what is wrong."""
    try:
        data = json.loads(content)
    except (json.JSONDecodeError, TypeError) as exc:
        raise InvalidReplyError(f"not JSON ({exc})") from None
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
        if key in DIRECTION_KEYS:
            low = value.lower()
            banned = next((p for p in BANNED_PHRASES if p in low), None)
            if banned:
                raise InvalidReplyError(f"{key} uses the banned phrase {banned!r}")
        fields[key] = " ".join(value.split())
    return fields


def _data_url(path: Path) -> str:
    jpeg = encode_image(read_image(path), ".jpg", jpeg_quality=95)
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()


class Describer:
    """Describe (A, B) pairs through one endpoint; thread-safe rate limiting, disk cache."""

    def __init__(
        self,
        config: DescriberConfig,
        cache_dir: str | os.PathLike,
        *,
        sleep: Callable[[float], None] = time.sleep,
        client=None,
    ) -> None:
        import httpx

        self.config, self.cache_dir, self.sleep = config, Path(cache_dir), sleep
        self.client = client or httpx.Client(timeout=config.timeout_s)
        self.url = config.endpoint.rstrip("/") + "/chat/completions"
        self.prompt = user_prompt(config.captions, config.task_hint)
        self._lock, self._next_request = threading.Lock(), 0.0
        self.requests = 0  # sent, for reports and tests

    def _cache_path(self, a: bytes, b: bytes) -> Path:
        h = hashlib.sha256()
        for part in (self.config.model, SYSTEM_PROMPT, self.prompt, str(self.config.max_tokens)):
            h.update(part.encode() + b"\0")
        h.update(hashlib.sha256(a).digest() + hashlib.sha256(b).digest())
        key = h.hexdigest()
        return self.cache_dir / key[:2] / f"{key}.json"

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

    def describe(self, a: str | os.PathLike, b: str | os.PathLike) -> Description:
        """Both directions' instructions (and captions) for the pair A, B."""
        import httpx

        a, b = Path(a), Path(b)
        cache = self._cache_path(a.read_bytes(), b.read_bytes())
        if cache.exists():
            return self._description(json.loads(cache.read_text()), cached=True)
        body = self._body(a, b)
        key = os.environ.get(self.config.api_key_env)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        reason, retry_after = "", None
        for attempt in range(self.config.attempts):
            if attempt:
                self.sleep(self._backoff(attempt, retry_after))
                retry_after = None
            self._wait_turn()
            self.requests += 1
            try:
                response = self.client.post(self.url, json=body, headers=headers)
            except httpx.TransportError as exc:  # time-outs, refused or dropped connections
                reason = f"{type(exc).__name__}"
                continue
            if response.status_code == 429 or response.status_code >= 500:
                reason = f"HTTP {response.status_code}"
                retry_after = _retry_after(response)
                continue
            if response.status_code != 200:
                raise DescribeError(
                    f"{a.name}, {b.name}: the endpoint refused the request (HTTP {response.status_code})"
                )
            try:
                content = response.json()["choices"][0]["message"]["content"]
                fields = check_reply(content, self.config.captions)
            except InvalidReplyError as exc:
                reason = f"invalid reply: {exc}"
                continue
            except (ValueError, KeyError, IndexError, TypeError):
                reason = "invalid reply: not a chat completion"
                continue
            write_bytes_atomic(cache, json.dumps(fields, indent=1, sort_keys=True).encode())
            return self._description(fields, cached=False)
        raise DescribeError(
            f"{a.name}, {b.name}: no valid reply after {self.config.attempts} attempts (last: {reason})"
        )

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Exponential back-off, or the server's Retry-After when it asks for longer (capped)."""
        wait = min(self.config.max_backoff_s, self.config.backoff_s * 2 ** (attempt - 1))
        return max(wait, min(retry_after, self.config.max_backoff_s)) if retry_after is not None else wait

    def _description(self, fields: dict[str, str], cached: bool) -> Description:
        captions = {k[6]: fields[k] for k in CAPTION_KEYS if k in fields}
        return Description(fields[DIRECTION_KEYS[0]], fields[DIRECTION_KEYS[1]], captions, cached)


def _retry_after(response) -> float | None:
    try:
        return float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
