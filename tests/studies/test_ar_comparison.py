"""The AR comparison table: identity and VQ ceiling brackets, per-entry scores and counts."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pixtask.core.geometry import center_square
from pixtask.core.image_io import read_image
from pixtask.data.benchmark import load_manifest
from pixtask.evaluation.metrics import compute_metric
from pixtask.models import create_model
from pixtask.studies.ar_comparison import Entry, compare, comparison_markdown, vq_ceiling


@pytest.fixture(scope="module")
def vq():
    torch.manual_seed(0)
    model = create_model("vq-tiny", channels=[8, 8], codebook_size=16, code_dim=4).train()
    model(torch.rand(4, 3, 32, 32))
    return model.eval()


def test_ceiling_is_the_targets_reconstruction(bench, vq):
    ceiling = vq_ceiling(vq, bench, 32)
    manifest = load_manifest(bench)
    queries = [s for s in manifest["samples"] if s["task"] == "dejpeg" and s["role"] == "query"]
    values = []
    for q in queries:
        target = center_square(read_image(bench / q["target"]), 32)
        with torch.no_grad():
            recon = vq.decode(vq.encode(torch.from_numpy(target.transpose(2, 0, 1).copy())[None]))[0]
        values.append(compute_metric("psnr", recon.permute(1, 2, 0).numpy(), target))
    assert ceiling["dejpeg"] == pytest.approx(np.mean(values))


def test_table_brackets_each_entry(bench, vq):
    entries = [
        Entry("identity copy", lambda q, c: q, "instruction"),
        Entry("grey", lambda q, c: np.full_like(q, 0.5), "example"),
    ]
    result = compare(entries, bench, vq, resize=32)
    assert set(result["tasks"]) == {"dejpeg", "white-balance"}
    for row in result["tasks"].values():
        assert row["identity copy"] == row["identity"]
        assert row["grey"] < row["identity"]
    assert result["beats_identity"] == {"identity copy": 0, "grey": 0}
    assert result["mean_gain_psnr"]["identity copy"] == 0
    md = comparison_markdown(result)
    assert "| dejpeg | psnr |" in md and "VQ ceiling" in md and "0/2" in md
