"""Shared fixtures. Tests run offline: hub look-ups are disabled before anything imports them."""

from __future__ import annotations

import os
from pathlib import Path

if os.environ.get("PYTEST_XDIST_WORKER"):
    # `pytest -n 2` on our two cores: one thread per worker (and per subprocess it starts), or
    # OpenMP oversubscription makes every torch test several times slower
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["MKL_NUM_THREADS"] = "1"

from pixtask.core.offline import stay_offline

stay_offline()  # forced, not defaulted: a user's HF_HUB_OFFLINE=0 must not put the tests online

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from pixtask.core.geometry import center_square  # noqa: E402
from pixtask.data.photos import bundled_photos  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def bundled(name: str):
    return next(p for p in bundled_photos() if p.id == f"bundled/{name}")


@pytest.fixture(scope="session")
def photo_128() -> np.ndarray:
    """A real photo (scikit-image's chelsea), centred square 128x128, float32 RGB."""
    return center_square(bundled("chelsea").load(), 128)


@pytest.fixture(scope="session")
def photo_128_b() -> np.ndarray:
    return center_square(bundled("coffee").load(), 128)


@pytest.fixture(scope="session")
def ar_tokens(tmp_path_factory):
    """A small token-AR training folder: triplets of two tasks (12 pairs, 32 px), a k-means
    initialised VQ (4x down, 16 codes) and `pixtask data tokenize` output in ROOT/tok."""
    import torch

    from pixtask.data.tokens import pretokenize
    from pixtask.data.triplets import TripletConfig, build_triplets
    from pixtask.models import create_model, save_pretrained

    root = tmp_path_factory.mktemp("ar")
    config = TripletConfig(tasks=["clahe", "denoise-gaussian"], pairs=12, crop=32, heldout_fraction=0.25)
    build_triplets(config, root / "trip")
    torch.manual_seed(0)
    vq = create_model("vq-tiny", channels=[8, 8], codebook_size=16, code_dim=4).train()
    vq(torch.rand(4, 3, 32, 32))
    save_pretrained(vq.eval(), root / "vq")
    pretokenize(root / "trip", root / "vq", root / "tok", image_size=32, bpe_vocab=300)
    return root
