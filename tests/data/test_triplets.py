"""Triplet shards: read back by `datasets` and WebDataset equal to the source samples, both
directions, resumable to identical bytes, and refusing to mix builds."""

from __future__ import annotations

import glob
import json
from pathlib import Path

import numpy as np
import pytest

from pixtask.core.image_io import decode_image
from pixtask.data.crops import PairSampler
from pixtask.data.photos import resolve_photos
from pixtask.data.triplets import TripletConfig, build_triplets, iter_triplets, pair_records

TASKS = ["derain", "white-balance", "mixed-restoration", "watercolor"]


def _config(fmt: str = "parquet", **kw) -> TripletConfig:
    return TripletConfig(tasks=TASKS, pairs=5, pairs_per_shard=2, crop=32, format=fmt, heldout_fraction=0.5, **kw)


def _sources(config: TripletConfig) -> dict[str, dict]:
    """The records regenerated from scratch, pair by pair, keyed by record key."""
    photos = [p for p in resolve_photos(config.photos) if p.split == "train"]
    sampler = PairSampler(photos, crop=config.crop, max_side=config.max_side)
    licences = {p.id: p.licence for p in photos}
    return {r["key"]: r for i in range(config.pairs) for r in pair_records(config, i, sampler, licences)}


@pytest.fixture(scope="module")
def parquet_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("parquet")
    return build_triplets(_config(), out), out


def test_parquet_shards_load_with_datasets_and_equal_the_sources(parquet_build, tmp_path):
    datasets = pytest.importorskip("datasets")
    config, out = parquet_build
    loaded = datasets.load_dataset(
        "parquet", data_files=sorted(glob.glob(f"{out}/data/*.parquet")), split="train", cache_dir=str(tmp_path)
    )
    sources = _sources(config)
    assert len(loaded) == 10 and set(loaded["key"]) == set(sources)
    for row in loaded:
        source = sources[row["key"]]
        for name in ("input", "output"):
            assert np.array_equal(np.asarray(row[name].convert("RGB")), np.asarray(_pil(source[name])))
        for name in ("instruction", "direction", "task", "level", "params", "seed", "photo", "licence", "heldout"):
            assert row[name] == source[name], name
    assert {row["direction"] for row in loaded} == {"forward", "backward"}
    assert any(row["heldout"] for row in loaded) and not all(row["heldout"] for row in loaded)


def _pil(png: bytes):
    import io

    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB")


def test_each_pair_is_written_both_ways_with_its_own_instruction(parquet_build):
    _, out = parquet_build
    records = {r["key"]: r for r in iter_triplets(out)}
    for i in range(5):
        fwd, bwd = records[f"{i:08d}-forward"], records[f"{i:08d}-backward"]
        assert np.array_equal(fwd["input"], bwd["output"]) and np.array_equal(fwd["output"], bwd["input"])
        assert fwd["instruction"] != bwd["instruction"]
        assert fwd["task"] == bwd["task"] and fwd["heldout"] == bwd["heldout"]
        # and words measured from the pair itself, which read the other way round backwards
        assert fwd["measured_instruction"] and fwd["measured_instruction"] != bwd["measured_instruction"]
        assert fwd["measured_instruction"] not in (fwd["instruction"], bwd["instruction"])
    assert [records[f"{i:08d}-forward"]["task"] for i in range(5)] == [*TASKS, TASKS[0]]


def test_webdataset_shards_load_with_webdataset_and_equal_the_sources(tmp_path):
    wds = pytest.importorskip("webdataset")
    config = build_triplets(_config("webdataset"), tmp_path / "wds")
    urls = sorted(glob.glob(f"{tmp_path}/wds/data/*.tar"))
    samples = list(wds.WebDataset(urls, shardshuffle=False))
    sources = _sources(config)
    assert len(samples) == 10
    for sample in samples:
        meta = json.loads(sample["json"])
        source = sources[sample["__key__"]]
        assert sample["input.png"] == source["input"] and sample["output.png"] == source["output"]
        assert meta["instruction"] == source["instruction"] and meta["params"] == source["params"]
        assert decode_image(sample["input.png"]).shape == (32, 32, 3)


@pytest.mark.parametrize("fmt", ["parquet", "webdataset"])
def test_a_killed_build_resumes_to_identical_bytes(fmt, tmp_path):
    whole = tmp_path / "whole"
    build_triplets(_config(fmt), whole)

    def killed_after_two(done: int, total: int, skipped: bool) -> None:
        if done == 2:
            raise KeyboardInterrupt

    resumed = tmp_path / "resumed"
    with pytest.raises(KeyboardInterrupt):
        build_triplets(_config(fmt), resumed, on_shard=killed_after_two)
    shards = sorted((resumed / "data").iterdir())
    assert len(shards) == 2
    (resumed / "data" / f".{_config(fmt).shard_name(2).split('/')[1]}.x.tmp").write_bytes(b"half a shard")
    skipped = []
    build_triplets(_config(fmt), resumed, on_shard=lambda d, t, s: skipped.append(s))
    assert skipped == [True, True, False]

    def published(root: Path) -> list[Path]:  # a killed writer's temporary is never published
        return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))

    files = published(whole)
    assert files == published(resumed) and len(files) == 4
    for name in files:
        assert (whole / name).read_bytes() == (resumed / name).read_bytes(), name


def test_a_folder_with_another_build_or_other_files_is_refused(parquet_build, tmp_path):
    _, out = parquet_build
    with pytest.raises(ValueError, match=r"other settings \(seed\)"):
        build_triplets(_config(seed=1), out)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty and not a triplet build"):
        build_triplets(_config(), tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_cli_build_and_show(tmp_path):
    from typer.testing import CliRunner

    from pixtask.cli.main import app

    runner = CliRunner()
    out = tmp_path / "t"
    args = ["data", "build", "--out", str(out), "--tasks", "derain", "--pairs", "3", "--crop", "32"]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert "6 records (3 pairs x 2 directions) over 1 tasks in 1 parquet shards" in done.output
    shown = runner.invoke(app, ["data", "show", str(out), "--count", "4"])
    assert shown.exit_code == 0, shown.output
    page = (out / "samples.html").read_text()
    first = next(iter_triplets(out))
    assert page.count("<div class=t>") == 4 and first["instruction"].split(",")[0] in page
    bad = runner.invoke(app, ["data", "build", "--out", str(out), "--format", "zip"])
    assert bad.exit_code == 2 and "--format: must be one of parquet, webdataset" in bad.output
