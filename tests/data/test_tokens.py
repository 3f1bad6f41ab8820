"""Pre-tokenized triplets: what `pixtask data tokenize` writes, and length-clustered batches."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from pixtask.data.tokens import TABLE, TokenDataset, TokenManifest, pretokenize
from pixtask.data.triplets import iter_triplets
from pixtask.models.ar.sequence import IGNORE, TokenLayout


def test_tokenize_writes_segments_lengths_bpe_and_its_vq(ar_tokens):
    manifest = TokenManifest.read(ar_tokens / "tok")
    assert manifest.count == 24 and manifest.image_size == 32
    table = pq.read_table(ar_tokens / "tok" / TABLE).to_pydict()
    records = list(iter_triplets(ar_tokens / "trip"))
    assert table["key"] == [r["key"] for r in records]
    tok = manifest.text_tokenizer()
    assert tok.decode(table["text_ids"][0]) == records[0]["instruction"].lower()
    assert all(g == [8, 8] for g in table["grid"])
    assert table["length"][0] == 2 * (4 + 8 * 9) + len(table["text_ids"][0]) + 3
    assert (ar_tokens / "tok" / "vq" / "model.safetensors").is_file()
    with pytest.raises(FileExistsError, match="holds a tokenization already"):
        pretokenize(ar_tokens / "trip", ar_tokens / "vq", ar_tokens / "tok", image_size=32)


def test_held_out_words_stay_out_of_training_and_bpe(ar_tokens):
    manifest = TokenManifest.read(ar_tokens / "tok")
    layout = TokenLayout(16, 300, 16)
    train = TokenDataset(manifest, layout, max_len=512)
    every = TokenDataset(manifest, layout, max_len=512, include_heldout=True)
    table = pq.read_table(ar_tokens / "tok" / TABLE).to_pydict()
    assert len(every) == 24 and len(train) == 24 - sum(table["heldout"])
    assert not any(train.rows["heldout"])


def test_sequences_and_instruction_dropout(ar_tokens):
    manifest = TokenManifest.read(ar_tokens / "tok")
    layout = TokenLayout(16, 300, 16)
    data = TokenDataset(manifest, layout, max_len=512, instruction_dropout=0.5, include_heldout=True)
    tokens, _labels = data.sequence(0)
    _a, text, _b = layout.parse(tokens)
    assert text == data.rows["text_ids"][0] and len(tokens) == data.lengths[0]
    dropped, _ = data.sequence(0, drop=True)
    assert layout.parse(dropped)[1] == [] and len(dropped) == len(tokens) - len(text)
    batch = TokenDataset.collate([data[(0, False)], data[(1, True)]])
    longest = max(len(tokens), data.lengths[1] - len(data.rows["text_ids"][1]))
    assert batch["tokens"].shape == batch["labels"].shape == (2, longest)
    assert (batch["labels"][1, len(dropped) :] == IGNORE).all()
    drops = [d for g in range(40) for _, d in data.batch(g, 4)]
    assert 0.3 < np.mean(drops) < 0.7


def test_too_long_sequences_are_refused_not_truncated(ar_tokens):
    manifest = TokenManifest.read(ar_tokens / "tok")
    with pytest.raises(ValueError, match="exceed the model's max_seq_len 100"):
        TokenDataset(manifest, TokenLayout(16, 300, 16), max_len=100)


def test_length_clustered_batches(ar_tokens):
    manifest = TokenManifest.read(ar_tokens / "tok")
    data = TokenDataset(manifest, TokenLayout(16, 300, 16), max_len=512, include_heldout=True, window=6)
    data.lengths = np.arange(24)[::-1].copy()  # distinct lengths, to see the clustering
    per_epoch = 24 // 4
    epoch = [data.batch(g, 4) for g in range(per_epoch)]
    records = sorted(r for batch in epoch for r, _ in batch)
    assert records == list(range(24))  # an epoch sees every record once
    spread = np.mean([np.ptp(data.lengths[[r for r, _ in b]]) for b in epoch])
    rng = np.random.default_rng(0)
    random_spread = np.mean([np.ptp(rng.choice(data.lengths, 4, replace=False)) for _ in range(200)])
    assert spread < 0.5 * random_spread
    assert [data.batch(g, 4) for g in range(8)] == [data.batch(g, 4) for g in range(8)]  # a function of (seed, g)
    assert data.batches(list(range(8)), 4) == [data.batch(0, 4), data.batch(1, 4)]


def test_manifest_errors_name_the_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"{tmp_path}: no pixtask_tokens.json"):
        TokenManifest.read(tmp_path)
    (tmp_path / "pixtask_tokens.json").write_text(json.dumps({"image_size": 32}))
    with pytest.raises(ValueError, match=r"pixtask_tokens\.json: missing 'vq'"):
        TokenManifest.read(tmp_path)
