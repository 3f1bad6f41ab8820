"""``pixtask app`` against bad options and a hostile stop: each bad option refused at start, before
Gradio launches (exit 2, one ``error:`` line naming it); SIGTERM cleans up as Ctrl+C does."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from pixtask.cli.main import app
from pixtask.core.image_io import write_image
from pixtask.models import create_model, save_pretrained
from tests.cli.test_robustness import fails_cleanly

runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def words_model(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("models") / "words"
    torch.manual_seed(0)
    model = create_model("genlv-tiny-text", dim=8, prompt_nf=8)
    with torch.no_grad():
        model.output.weight.normal_(0, 0.05)
    save_pretrained(model, folder)
    return folder


@pytest.fixture
def never_served(monkeypatch) -> SimpleNamespace:
    """The app is never launched here, whatever a broken guard lets through: the services built
    (``built``) and what would have been served (``served``) are recorded instead."""
    from pixtask.app import server
    from pixtask.app import service as service_module

    record = SimpleNamespace(built=[], served=[])

    class Recorded(service_module.PixtaskService):
        def __init__(self, *args, **kwargs):
            record.built.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(service_module, "PixtaskService", Recorded)
    monkeypatch.setattr(server, "serve", lambda page, service, **kw: record.served.append((service, kw)))
    yield record
    for service in record.built:
        service.close()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--port", "99999"], "--port: must be at most 65,535"),
        (["--port", "0"], "--port: must be at least 1"),
        (["--port", "-80"], "--port: must be at least 1"),
        (["--ttl", "0"], "--ttl: must be at least 1"),
        (["--ttl", str(10**12)], "--ttl: must be at most"),
        (["--max-mb", "0"], "--max-mb: must be at least 1"),
        (["--max-mb", str(2**62)], "--max-mb: must be at most"),
        (["--max-megapixels", "nan"], "--max-megapixels: must be a finite number"),
        (["--max-megapixels", "inf"], "--max-megapixels: must be a finite number"),
        (["--max-megapixels", "0"], "--max-megapixels: must be at least"),
        (["--max-megapixels", "1e300"], "--max-megapixels: must be at most"),
        (["--queue", "0"], "--queue: must be at least 1"),
        (["--queue", str(10**9)], "--queue: must be at most"),
        (["--concurrency", "0"], "--concurrency: must be at least 1"),
        (["--concurrency", "100000"], "--concurrency: must be at most"),
        (["--device", "bogus"], "--device: device 'bogus' is not one torch knows"),
        (["--device", "meta"], "--device: 'meta' cannot run the app"),
        (["--device", "cuda:99"], "--device:"),
        (["--host", "\x1b[31m"], "--host: holds the control character U+001B"),
        (["--host", "10.255.255.254"], "--host: 10.255.255.254 is not an interface of this machine"),
        (["--model", "/no/such/folder\x1b[31m"], "--model: /no/such/folder\\x1b[31m: neither a model folder nor"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_a_bad_option_is_refused_at_start(args, needle, never_served):
    line = fails_cleanly(["app", *args], needle)
    assert "\x1b" not in line
    assert not never_served.built, "refused only after the app was built (models loaded, Gradio imported)"


@pytest.mark.parametrize(
    ("damage", "needle"),
    [
        ({}, "no config.json"),
        ({"config.json": b"{not json"}, "config.json: not valid JSON"),
        ({"model.safetensors": b"junk"}, "model.safetensors: not a readable safetensors file"),
    ],
    ids=["empty", "bad-config", "bad-weights"],
)
def test_a_model_folder_whose_weights_fail_to_load_is_refused_at_start(
    damage, needle, words_model, tmp_path, never_served
):
    pytest.importorskip("gradio")
    folder = tmp_path / "broken"
    folder.mkdir()
    if damage:
        for name in ("config.json", "model.safetensors"):
            (folder / name).write_bytes(damage.get(name, (words_model / name).read_bytes()))
    fails_cleanly(["app", "--model", folder], "--model:", needle)
    assert not never_served.served, "the app was launched"


def test_a_port_in_use_is_refused_at_start(never_served):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        fails_cleanly(["app", "--port", port], f"--port: {port} on 127.0.0.1 cannot be listened on")
    assert not never_served.built, "refused only after the app was built"


def test_good_options_reach_the_server(words_model, never_served):
    """The guards' edges are accepted: a folder and a shipped name as --model, the extreme numbers."""
    pytest.importorskip("gradio")
    port = _free_port()
    args = ["app", "--port", port, "--ttl", 1, "--max-mb", 1, "--max-megapixels", 0.01, "--queue", 1]
    args += ["--concurrency", 1, "--device", "cpu", "--model", words_model, "--model", "pixtask-tiny"]
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    [(service, kw)] = never_served.served
    assert kw["port"] == port and service.limits.file_ttl_s == 1 and service.limits.max_pixels == 10_000
    assert str(words_model) in service.models and "pixtask-tiny" in service.models


def _wait_listening(port: int, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the app exited ({proc.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.25)
    raise AssertionError(f"the app did not listen within {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_sigterm_deletes_uploads_and_results_as_ctrl_c_does(words_model, tmp_path):
    """A real ``pixtask app`` on loopback with its own temp folders: after one request its upload and
    result exist; SIGTERM stops it cleanly and they are gone. Its log never echoes an ANSI escape."""
    pytest.importorskip("gradio")
    pytest.importorskip("gradio_client")
    from gradio_client import Client, handle_file

    tmp, gradio_tmp, log = tmp_path / "tmp", tmp_path / "gradio", tmp_path / "app.log"
    tmp.mkdir()
    gradio_tmp.mkdir()
    write_image(tmp_path / "photo.png", np.random.default_rng(0).random((40, 48, 3)).astype(np.float32))
    port = _free_port()
    env = dict(os.environ, TMPDIR=str(tmp), GRADIO_TEMP_DIR=str(gradio_tmp), PYTHONUNBUFFERED="1")
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    command = [sys.executable, "-m", "pixtask.cli.main", "--verbose", "app", "--port", str(port)]
    command += ["--model", str(words_model), "--device", "cpu", "--ttl", "3600"]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        _wait_listening(port, proc, log, timeout=120)
        client = Client(
            f"http://127.0.0.1:{port}", verbose=False, download_files=str(tmp_path / "client"), analytics_enabled=False
        )
        photo = handle_file(tmp_path / "photo.png")
        client.predict(photo, "(none)", 3, None, None, "the colours warm up", str(words_model), api_name="/run")
        with pytest.raises(Exception, match="control character U\\+001B"):
            client.predict(photo, "(none)", 3, None, None, "\x1b[2J\x1b[31mred", str(words_model), api_name="/run")
        client.close()
        uploads, results = (
            _files(gradio_tmp),
            {p for p in _files(tmp) if p.parent.parent.name.startswith("pixtask-app-")},
        )
        assert any(p.name == "photo.png" for p in uploads), uploads
        assert any(p.name == "pixtask-result.png" for p in results), _files(tmp)
        proc.send_signal(signal.SIGTERM)
        returncode = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    output = log.read_text(errors="replace")
    assert returncode == 0, output[-3000:]
    assert not (uploads | results) & (_files(gradio_tmp) | _files(tmp)), "files outlived the app"
    assert not _files(gradio_tmp), _files(gradio_tmp)
    assert "Traceback" not in output, output[-3000:]
    assert "\\x1b[2J\\x1b[31mred" in output and "\x1b" not in output, output[-3000:]
