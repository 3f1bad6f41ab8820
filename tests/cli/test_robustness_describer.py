"""``pixtask instructions describe`` against a hostile endpoint and hostile options: a bad option
fails in one line naming it (exit 2); a slow, huge or malformed reply fails its attempt within
the time-out and the size cap and is retried; nothing invalid is cached or written, and nothing
existing is replaced without --overwrite."""

from __future__ import annotations

import json
import time
import tracemalloc

import pytest
from typer.testing import CliRunner

from pixtask.cli.main import app
from pixtask.core.image_io import write_image
from pixtask.data.decvt import read_decvt
from pixtask.instructions.describer import (
    MAX_CACHE_BYTES,
    MAX_REPLY_BYTES,
    DescribeError,
    Describer,
    DescriberConfig,
    _retry_after,
    check_fields,
)
from tests.cli.test_robustness import fails_cleanly
from tests.instructions.fake_vlm import SURROGATE, VALID, FakeVLM

runner = CliRunner()
KEY_ENV = "PIXTASK_TEST_KEY"


def no_temporaries(root) -> bool:
    return not [p for p in root.rglob("*") if p.name.endswith(".tmp")]


@pytest.fixture
def server():
    vlm = FakeVLM(trickle_s=0.25)
    yield vlm
    vlm.close()


@pytest.fixture
def pair(tmp_path, photo_128):
    write_image(tmp_path / "a.png", photo_128)
    write_image(tmp_path / "b.png", photo_128 * 0.6)
    return tmp_path / "a.png", tmp_path / "b.png"


@pytest.fixture
def pairs(tmp_path, photo_128):
    for i in range(2):
        write_image(tmp_path / "pairs" / "input" / f"p{i}.png", photo_128 * (0.5 + 0.1 * i))
        write_image(tmp_path / "pairs" / "target" / f"p{i}.png", photo_128)
    return tmp_path / "pairs"


def describer(server, tmp_path, waits=None, warnings=None, **kw) -> Describer:
    kw = {"timeout_s": 1.0, "requests_per_minute": 0, **kw}
    config = DescriberConfig(server.url, "some-vlm", api_key_env=KEY_ENV, **kw)
    sleep = waits.append if waits is not None else (lambda s: None)
    return Describer(config, tmp_path / "cache", sleep=sleep, warn=warnings.append if warnings is not None else None)


def cli_args(server, pairs, *more) -> list[str]:
    args = ["instructions", "describe", "--pairs", pairs, "--endpoint", server.url, "--model", "m"]
    return [str(a) for a in (*args, "--api-key-env", KEY_ENV, "--rpm", "0", *more)]


# --- 1. the time-out bounds the whole request ------------------------------------------------


@pytest.mark.parametrize("mode", ["trickle", "trickle_headers"])
def test_a_trickling_server_fails_the_attempt_within_the_timeout(server, pair, tmp_path, mode):
    server.script.append(mode)  # one byte every 0.25 s: each read is quick, the whole reply takes minutes
    d = describer(server, tmp_path, attempts=1, timeout_s=1.0)
    assert d.client.deadline_enforced
    start = time.monotonic()
    with pytest.raises(DescribeError, match=r"no complete reply within the 1 s time-out"):
        d.describe(*pair)
    assert time.monotonic() - start < 3
    assert not (tmp_path / "cache").exists()


def test_cli_a_trickling_server_fails_the_pair_within_the_timeout(server, pairs):
    server.script.append("trickle")  # p0 trickles; p1 is answered
    start = time.monotonic()
    result = runner.invoke(app, cli_args(server, pairs, "--timeout", "1", "--attempts", "1"))
    assert time.monotonic() - start < 6
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "failed: p0" in result.output and "1 s time-out" in result.output, result.output
    assert [p.id for p in read_decvt(pairs / "decvt.json")] == ["p1"] and no_temporaries(pairs)


# --- 2. the reply size is capped -------------------------------------------------------------


@pytest.mark.parametrize("mode, why", [("huge", "byte limit"), ("huge_declared", "Content-Length")])
def test_a_huge_reply_is_dropped_past_the_cap_and_retried(server, pair, tmp_path, mode, why):
    server.script.append(mode)  # 300 MB, with or without a Content-Length saying so
    tracemalloc.start()
    try:
        with pytest.raises(DescribeError, match=rf"over the {MAX_REPLY_BYTES:,}-byte limit.*{why}|{why}"):
            describer(server, tmp_path, attempts=1, timeout_s=5.0).describe(*pair)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * MAX_REPLY_BYTES + (16 << 20) and server.sent < 100 << 20  # stopped reading early
    server.script.append(mode)
    out = describer(server, tmp_path, attempts=2, timeout_s=5.0).describe(*pair)
    assert out.a_to_b == VALID["Task_Descriptions_from_A_to_B"] and len(server.requests) == 3


# --- 3. invalid text in a reply or the cache -------------------------------------------------


@pytest.mark.parametrize(
    "mode, why",
    [
        ("surrogate", "is not valid UTF-8"),
        ("control", r"control character U\+001B"),
        ("deep", "nested 200,000 levels deep"),
        ("deep_envelope", "not a chat completion"),
    ],
)
def test_an_invalid_reply_is_retried_and_never_cached(server, pair, tmp_path, mode, why):
    server.script.append(mode)
    with pytest.raises(DescribeError, match=why):
        describer(server, tmp_path, attempts=1).describe(*pair)
    assert not (tmp_path / "cache").exists()  # nothing cached for an invalid reply
    server.script.append(mode)
    out = describer(server, tmp_path, attempts=2).describe(*pair)
    assert not out.cached and len(server.requests) == 3
    (entry,) = (tmp_path / "cache").rglob("*.json")
    check_fields(json.loads(entry.read_bytes().decode("utf-8")), captions=True)  # what was cached is valid
    assert describer(server, tmp_path).describe(*pair).cached and len(server.requests) == 3


@pytest.mark.parametrize(
    "poison",
    [
        json.dumps(SURROGATE).encode(),  # the "\ud800" escape, as an earlier version cached it
        b"\xff\xfe not UTF-8",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"Image_A_Caption": "x"}',
        b" " * (MAX_CACHE_BYTES + 1),
        "folder",
    ],
)
def test_an_invalid_cache_entry_is_ignored_and_replaced(server, pair, tmp_path, poison):
    describer(server, tmp_path).describe(*pair)
    (entry,) = (tmp_path / "cache").rglob("*.json")
    entry.unlink()
    if poison == "folder":
        entry.mkdir()
    else:
        entry.write_bytes(poison)
    warnings: list[str] = []
    out = describer(server, tmp_path, warnings=warnings).describe(*pair)
    assert not out.cached and len(server.requests) == 2 and out.a_to_b == VALID["Task_Descriptions_from_A_to_B"]
    assert warnings and str(entry) in warnings[0] and "ignoring an invalid cache entry" in warnings[0]
    if poison != "folder":  # replaced, atomically, by the valid reply
        check_fields(json.loads(entry.read_text()), captions=True)
        assert describer(server, tmp_path).describe(*pair).cached
    assert no_temporaries(tmp_path)


def test_cli_a_surrogate_reply_is_retried_and_a_poisoned_cache_recovers(server, pairs):
    server.script.append("surrogate")
    done = runner.invoke(app, cli_args(server, pairs, "--attempts", "2"))
    assert done.exit_code == 0 and "2 pairs described (3 requests sent)" in done.output, done.output
    text = (pairs / "decvt.json").read_bytes().decode("utf-8")
    assert "\\ud800" not in text and len(read_decvt(pairs / "decvt.json")) == 2
    for entry in (pairs / ".decvt.json.cache").rglob("*.json"):
        entry.write_text(json.dumps(SURROGATE))  # what an unguarded version left behind
    again = runner.invoke(app, cli_args(server, pairs, "--overwrite"))
    assert again.exit_code == 0 and "2 pairs described (2 requests sent)" in again.output, again.output
    assert again.output.count("warning:") == 2 and "ignoring an invalid cache entry" in again.output
    assert no_temporaries(pairs)


# --- 4. the endpoint URL ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1",
        "ftp://127.0.0.1/v1",
        "http://",
        "127.0.0.1:8000/v1",
        "http://h:99999/v1",
        "http://h/\x1b",
        "http://a b/v1",
    ],
)
def test_a_bad_endpoint_fails_at_once(pairs, url):
    with pytest.raises(ValueError, match=r"^endpoint: "):
        DescriberConfig(url, "m")
    args = ["instructions", "describe", "--pairs", pairs, "--endpoint", url, "--model", "m"]
    fails_cleanly(args, "--endpoint")
    assert not (pairs / "decvt.json").exists() and not (pairs / ".decvt.json.cache").exists()


# --- 5. Retry-After is capped, and the cap reported -------------------------------------------


def test_retry_after_is_capped_with_a_warning(server, pair, tmp_path):
    server.script.append("429_forever")  # Retry-After: 86400
    waits: list[float] = []
    warnings: list[str] = []
    describer(server, tmp_path, waits, warnings).describe(*pair)
    assert waits == [60.0] and len(warnings) == 1 and "86400" in warnings[0] and "60 s" in warnings[0]
    server.script.append("429_forever")
    waits.clear()
    describer(server, tmp_path / "other", waits, max_retry_after_s=5).describe(*pair)
    assert waits == [5.0]


@pytest.mark.parametrize(
    "header, seconds", [("3", 3.0), ("nan", None), ("inf", None), ("-5", 0.0), ("soon", None), ("1e999", None)]
)
def test_a_nonsense_retry_after_is_ignored(header, seconds):
    from types import SimpleNamespace

    assert _retry_after(SimpleNamespace(headers={"retry-after": header})) == seconds


def test_cli_retry_after_is_capped_with_a_warning(server, pairs, monkeypatch):
    server.script.append("429_forever")
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)  # the describer's back-off, recorded, not slept
    done = runner.invoke(app, cli_args(server, pairs, "--max-retry-after", "0.5"))
    assert done.exit_code == 0 and waits == [1.0], (waits, done.output)  # max(back-off 1 s, capped 0.5 s)
    assert "warning:" in done.output and "86400" in done.output and "waiting 0.5 s" in done.output


# --- 6. numbers and text of the options -------------------------------------------------------


@pytest.mark.parametrize(
    "option, value",
    [
        ("--timeout", "nan"),
        ("--timeout", "inf"),
        ("--timeout", "0"),
        ("--timeout", "-1"),
        ("--timeout", "1e9"),
        ("--rpm", "-1"),
        ("--rpm", "nan"),
        ("--rpm", "1e-300"),
        ("--rpm", "inf"),
        ("--attempts", "0"),
        ("--attempts", "100000"),
        ("--max-retry-after", "inf"),
        ("--max-retry-after", "-5"),
        ("--task", "\x1b[2J"),
        ("--task-hint", "warm \ud800 light"),
        ("--model", " "),
        ("--api-key-env", "A=B"),
    ],
)
def test_cli_a_bad_option_fails_in_one_line(server, pairs, option, value):
    fails_cleanly(cli_args(server, pairs, option, value), option)
    assert not server.requests and not (pairs / "decvt.json").exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("timeout_s", float("nan")),
        ("timeout_s", 0),
        ("requests_per_minute", float("inf")),
        ("requests_per_minute", 1e-300),
        ("attempts", 0),
        ("attempts", 2.5),
        ("backoff_s", float("inf")),
        ("max_retry_after_s", -1),
        ("max_reply_bytes", 10),
        ("task_hint", "\ud800"),
    ],
)
def test_api_a_bad_setting_fails_at_once(server, field, value):
    with pytest.raises(ValueError, match=rf"^{field}: "):
        DescriberConfig(server.url, "m", **{field: value})


def test_an_api_key_that_cannot_be_sent_fails_in_one_line_without_showing_it(server, pairs, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "sk-ключ-secret")
    line = fails_cleanly(cli_args(server, pairs), KEY_ENV)
    assert "secret" not in line and not server.requests


# --- 8. outputs: planned, never replaced without --overwrite, written whole -------------------


def test_cli_outputs_are_planned(server, pairs, tmp_path):
    existing = tmp_path / "mine.json"
    existing.write_text("[]")
    fails_cleanly(cli_args(server, pairs, "--out", existing), str(existing), "--overwrite")
    assert existing.read_text() == "[]" and not server.requests
    an_input = pairs / "input" / "p0.png"
    before = an_input.read_bytes()
    fails_cleanly(cli_args(server, pairs, "--out", an_input, "--overwrite"), "is an input")
    assert an_input.read_bytes() == before
    (tmp_path / ".blocked.json.cache").write_text("not a folder")
    fails_cleanly(cli_args(server, pairs, "--out", tmp_path / "blocked.json"), ".blocked.json.cache")
    done = runner.invoke(app, cli_args(server, pairs, "--out", existing, "--overwrite"))
    assert done.exit_code == 0 and len(read_decvt(existing)) == 2 and no_temporaries(tmp_path), done.output


def test_cli_a_failure_message_is_shown_literally(server, tmp_path, photo_128):
    for side in ("input", "target"):
        write_image(tmp_path / "pairs" / side / "[bold]x.png", photo_128)
    server.script.append("400")
    result = runner.invoke(app, cli_args(server, tmp_path / "pairs"))
    assert result.exit_code == 1 and "failed: [bold]x: [bold]x.png" in result.output, result.output
