"""The app's Gradio API called as the README documents it; uploads and results deleted after
their time; no outbound connection while the app starts and serves; the upload size limit."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from pixtask.core.image_io import read_image, write_image

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_auditing = threading.Event()
_hosts: list[str] = []  # hosts looked up or connected to while auditing
_where: dict[str, str] = {}  # where each host beyond this machine was first reached from


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
