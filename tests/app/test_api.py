"""The app's Gradio API called as docs/app.md documents it; uploads and results deleted after
their time; no outbound connection while the app starts and serves; the upload size limit."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixtask.app.service import INTERNAL_ERROR
from pixtask.core.guards import printable
from pixtask.core.image_io import read_image, write_image

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_auditing = threading.Event()
_hosts: list[str] = []  # hosts looked up or connected to while auditing
_where: dict[str, str] = {}  # where each host beyond this machine was first reached from


pytestmark = pytest.mark.slow  # heavy: `make test-fast` leaves it out


def _audit(event: str, args: tuple) -> None:
    if not _auditing.is_set():
        return
    if event == "socket.getaddrinfo":
        host = args[0]
    elif event == "socket.connect" and isinstance(args[1], tuple):  # AF_INET/AF_INET6, not a Unix socket
        host = args[1][0]
    else:
        return
    host = host.decode() if isinstance(host, bytes) else str(host)
    _hosts.append(host)
    if host not in LOOPBACK and host not in _where:
        frame, where = sys._getframe(), []  # walked by hand: formatting a traceback opens files, itself audited
        while frame is not None and len(where) < 30:
            where.append(f"{frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}")
            frame = frame.f_back
        _where[host] = "\n".join(where)


sys.addaudithook(_audit)  # cannot be removed; does nothing while the event is clear


@pytest.fixture(scope="module")
def served(start_app):
    from pixtask.app.service import Limits

    _auditing.set()
    try:
        url, _, service = start_app(Limits(max_bytes=2**20, file_ttl_s=2))
    finally:
        _auditing.clear()
    seen: list[str] = []
    run = service.run

    def recording_run(image, **kwargs):  # the server-side path of each upload
        seen.append(str(image))
        return run(image, **kwargs)

    service.run = recording_run
    return url, service, seen


def test_the_documented_client_call(served, tmp_path):
    pytest.importorskip("gradio_client")
    from gradio_client import Client, handle_file

    url, service, uploads = served
    photo = np.random.default_rng(0).random((72, 96, 3)).astype(np.float32)
    write_image(tmp_path / "photo.png", photo)
    _auditing.set()
    try:
        client = Client(url, verbose=False)
        before_after, report, download, *_ = client.predict(
            handle_file(tmp_path / "photo.png"), "(none)", 3, None, None, "the colours warm up", "words",
            api_name="/run",
        )  # fmt: skip
    finally:
        _auditing.clear()
    assert "was told by your instruction (instruction)" in report and "96x72" in report
    before, after = (read_image(p) for p in before_after)
    assert np.abs(before - photo).max() < 1 / 255  # the slider shows PNG, not lossy WebP
    assert after.shape == photo.shape and np.abs(after - photo).mean() > 1e-3
    assert read_image(download["value"]).shape == photo.shape
    beyond = set(_hosts) - LOOPBACK
    assert _hosts and not beyond, f"connections beyond this machine: {beyond}, from:\n{_where}"

    # the upload and the result are deleted once older than the time limit (2 s here)
    upload, results = Path(uploads[-1]), list(service.out_dir.glob("*/*.png"))
    assert results, "no result was written"
    deadline = time.time() + 20
    while time.time() < deadline and (upload.exists() or any(r.exists() for r in results)):
        time.sleep(0.5)
    assert not upload.exists(), f"{upload} outlived its time"
    assert not any(r.exists() for r in results), "a result outlived its time"


def test_an_upload_over_the_size_limit_is_refused(served, tmp_path):
    pytest.importorskip("gradio_client")
    from gradio_client import Client, handle_file

    url, _, _ = served
    big = tmp_path / "big.png"
    write_image(big, np.random.default_rng(1).random((800, 800, 3)).astype(np.float32))  # ~1.9 MB of noise
    assert big.stat().st_size > 2**20
    with pytest.raises(ValueError, match=r"exceeds the maximum file size of 1048576 bytes"):
        Client(url, verbose=False).predict(
            handle_file(big), "(none)", 3, None, None, "the colours warm up", "words", api_name="/run"
        )


@pytest.fixture
def as_a_browser_sends_it(monkeypatch):
    """JSON with non-ASCII escaped, as a browser's JSON.stringify writes it: a lone surrogate then
    reaches the server as "\\ud800" (httpx, writing UTF-8, cannot send one at all)."""
    import httpx._content

    monkeypatch.setattr(
        httpx._content, "json_dumps", lambda data, **kw: json.dumps(data, **{**kw, "ensure_ascii": True})
    )


@pytest.fixture(scope="module")
def client(served):
    pytest.importorskip("gradio_client")
    from gradio_client import Client

    return Client(served[0], verbose=False, download_files=False, analytics_enabled=False)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    write_image(root / "photo.png", np.random.default_rng(2).random((40, 48, 3)).astype(np.float32))
    (root / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    Image.new("RGB", (5000, 4000)).save(root / "huge.png")  # 20 megapixels in a few kB
    return root


def _refusal(client, args: dict) -> str:
    """Call the documented API with ``args`` over a good request; the one-line message shown."""
    request = dict(image=None, task="(none)", level=3, before=None, after=None, words="darker", model="words")
    request.update(args)
    with pytest.raises(Exception) as refused:  # gradio_client's own AppError
        client.predict(*request.values(), api_name="/run")
    return str(refused.value)


def test_every_request_error_reaches_the_page_as_one_line(served, client, files, as_a_browser_sends_it):
    from gradio_client import handle_file

    _, service, _ = served
    photo, corrupt, huge = (handle_file(files / n) for n in ("photo.png", "corrupt.png", "huge.png"))
    cases = {  # what a hostile or careless client sends -> the start of what the page says
        "the instruction is not valid UTF-8 text": dict(words="\ud800"),
        "the instruction holds the control character U+001B; give plain text": dict(words="\x1b[31mred\x1b[0m"),
        "the instruction is 2,001 characters long; the limit is 2,000": dict(words="w" * 2001),
        "unknown task '\\x1b[31mnope x'; choose one from the library": dict(task="\x1b[31mnope\nx"),
        "unknown model '\\ud800'; choose one of words": dict(model="\ud800"),
        "the severity must be a number from 1 to 5, got 99": dict(task="derain", level=99),
        "the severity must be a number from 1 to 5, got 'abc'": dict(task="derain", level="abc"),
        "the severity must be a number from 1 to 5, got None": dict(task="derain", level=None),
        "no input photo was given": dict(image=None),
        "the input photo could not be read as an image": dict(image=corrupt),
        "the input photo could not be read as an image (5000x4000 = 20,000,000 pixels exceeds the limit": dict(
            image=huge
        ),
        "an uploaded example needs both images": dict(before=photo),
        "the example's after image could not be read as an image": dict(before=photo, after=corrupt),
        "give one example: a task from the library or an uploaded pair, not both": dict(
            task="derain", before=photo, after=photo
        ),
    }
    for expected, args in cases.items():
        message = _refusal(client, {"image": photo, **args})
        assert message.startswith(expected), (args, message)
        assert "\n" not in message and printable(message) == message and len(message) <= 300, message

    def broken(name):  # a failure nobody planned for: a generic line, never its text
        raise RuntimeError("CUDA out of memory\n  File internal.py")

    service.pipeline = broken
    try:
        assert _refusal(client, {"image": photo}) == INTERNAL_ERROR
    finally:
        del service.pipeline
    run, service.run = service.run, broken  # past the service's own net: the page's
    try:
        assert _refusal(client, {"image": photo}) == INTERNAL_ERROR
    finally:
        service.run = run
    # and the server keeps serving
    _, report, *_ = client.predict(photo, "(none)", 3, None, None, "the colours warm up", "words", api_name="/run")
    assert "was told by your instruction" in report


def test_request_text_never_reaches_the_terminal_raw(served, client, files, capfd, caplog):
    """An ANSI escape in any field is neither echoed by Gradio nor by the app's own log."""
    from gradio_client import handle_file

    photo = handle_file(files / "photo.png")
    ansi = "\x1b[2J\x1b[31mgotcha"
    with caplog.at_level(logging.INFO, logger="pixtask.app"):
        for args in (dict(words=ansi), dict(task=ansi), dict(model=ansi), dict(level=ansi)):
            message = _refusal(client, {"image": photo, **args})
            assert "\x1b" not in message, message
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "\\x1b[2J\\x1b[31mgotcha" in logged, logged  # the refused request was logged, escaped
    out, err = capfd.readouterr()
    assert "\x1b" not in logged + out + err, (out + err)[-2000:]
