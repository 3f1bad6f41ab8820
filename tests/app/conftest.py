"""An app served on loopback in this process, with a small random text model (or a shipped one)."""

from __future__ import annotations

import os
import socket

import pytest
import torch

from pixtask.models import create_model, save_pretrained

MODEL = os.environ.get("PIXTASK_APP_MODEL")  # a shipped model instead of the tests' small random one


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def start_app(tmp_path_factory):
    """start_app(limits) -> (url, page, service); every app started is closed after the module."""
    pytest.importorskip("gradio")
    from pixtask.app.server import build_app, launch
    from pixtask.app.service import PixtaskService

    folder = tmp_path_factory.mktemp("models") / "words"
    torch.manual_seed(0)
    model = create_model("genlv-tiny-text", dim=8, prompt_nf=8)
    with torch.no_grad():
        model.output.weight.normal_(0, 0.05)  # a fresh global-residual model would return its input
    save_pretrained(model, folder)
    pages = []

    def start(limits):
        name = MODEL or "words"  # a shipped model shows under its own name (the README's screenshot)
        service = PixtaskService({name: MODEL or str(folder)}, limits, device="cpu")
        page = build_app(service, name)
        port = _free_port()
        launch(page, port=port, max_bytes=service.limits.max_bytes, block=False)
        pages.append(page)
        return f"http://127.0.0.1:{port}", page, service

    yield start
    for page in pages:
        page.close()
