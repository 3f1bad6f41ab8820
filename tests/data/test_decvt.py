"""DECVT JSON: the released layout read (three-image items, captions, multi-turn chains),
written back, round-tripped, exported from a triplet build, and used as a training source."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pixtask.core.image_io import read_image, write_image
from pixtask.data.decvt import UNKNOWN_TASK, decvt_source, export_triplets, read_decvt, write_decvt
from pixtask.data.triplets import TripletConfig, build_triplets, iter_triplets


@pytest.fixture
def release(tmp_path, photo_128, photo_128_b):
    """A small file in the released layout, images beside it."""
    for name, img in {
        "rain.png": photo_128,
        "clean.png": photo_128 * 0.5,
        "depth.png": photo_128_b,
        "s0.png": photo_128,
        "s1.png": photo_128_b,
        "s2.png": photo_128 * 0.25,
    }.items():
        write_image(tmp_path / name, img)
    items = [
        {
            "id": "r1",
            "rain_img_A": "rain.png",
            "norain_img_B": "clean.png",
            "Image_A_Caption": "a cat, streaked",
            "Image_B_Caption": "a cat",
            "Task_Descriptions_from_A_to_B": "the falling streaks fade",
            "Task_Descriptions_from_B_to_A": "bright streaks fall across the view",
        },
        {
            "id": "n1",
            "source_img_A": "rain.png",
            "depth_img_B": "clean.png",
            "surface_img_C": "depth.png",
            "Task_Descriptions_from_A_to_B": "near things turn light, far things dark",
            "Task_Descriptions_from_B_to_A": "the shades become a photo",
            "Task_Descriptions_from_A_to_C": "each surface takes the colour of its facing",
        },
        {
            "id": "seed7",
            "source_image": "s0.png",
            "edit_image_1": "s1.png",
            "edit_image_2": "s2.png",
            "instruction_1": "alpha.",
            "inverse_instruction_1": "undo alpha.",
            "instruction_2": "beta.",
            "inverse_instruction_2": "undo beta.",
        },
    ]
    (tmp_path / "release.json").write_text(json.dumps(items))
    return tmp_path / "release.json"


def test_the_released_layout_is_read_with_chains_merged(release):
    pairs = {p.id: p for p in read_decvt(release)}
    assert sorted(pairs) == ["n1:B", "n1:C", "r1", "seed7:0-1", "seed7:0-2", "seed7:1-2"]
    r1 = pairs["r1"]
    assert r1.a.name == "rain.png" and r1.b.name == "clean.png" and r1.task == UNKNOWN_TASK
    assert r1.captions == {"A": "a cat, streaked", "B": "a cat"}
    assert pairs["n1:C"].b.name == "depth.png" and pairs["n1:C"].b_to_a is None
    chain = pairs["seed7:0-2"]
    assert (chain.a.name, chain.b.name) == ("s0.png", "s2.png")
    assert chain.a_to_b == "alpha. beta." and chain.b_to_a == "undo beta. undo alpha."  # reversed inverses
    assert pairs["seed7:1-2"].a_to_b == "beta."


def test_decvt_round_trips_through_export_and_import(release, tmp_path):
    first = read_decvt(release)
    written = write_decvt(first, tmp_path / "out" / "again.json")
    again = read_decvt(written)
    key = lambda p: (p.id, p.a.resolve(), p.b.resolve(), p.a_to_b, p.b_to_a, p.task, p.captions)  # noqa: E731
    assert [key(p) for p in again] == [key(p) for p in first]
    item = json.loads(written.read_text())[0]
    assert item["task"] == UNKNOWN_TASK and "Task_Descriptions_from_A_to_B" in item


def test_bad_items_get_one_line_errors_naming_the_item(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps([{"id": "x", "rain_img_A": "a.png"}]))
    with pytest.raises(ValueError, match=r"a.json item 0 \(id x\): needs an image key ending in _img_A and one more"):
        read_decvt(tmp_path / "a.json")
    (tmp_path / "b.json").write_text(json.dumps([{"source_img_A": "a.png", "target_img_B": "b.png"}]))
    with pytest.raises(ValueError, match="no Task_Descriptions_from_A_to_B"):
        read_decvt(tmp_path / "b.json")
    (tmp_path / "c.json").write_text("{not json")
    with pytest.raises(ValueError, match="not JSON or JSON Lines"):
        read_decvt(tmp_path / "c.json")


def test_a_triplet_build_exports_to_decvt_and_reads_back_equal(tmp_path):
    build = tmp_path / "build"
    build_triplets(TripletConfig(tasks=["white-balance", "derain"], pairs=3, pairs_per_shard=2, crop=32), build)
    exported = export_triplets(build, tmp_path / "decvt")
    pairs = {p.id: p for p in read_decvt(exported)}
    records = {r["key"]: r for r in iter_triplets(build)}
    assert len(pairs) == 3
    for i in range(3):
        fwd, bwd, pair = records[f"{i:08d}-forward"], records[f"{i:08d}-backward"], pairs[f"{i:08d}"]
        assert pair.a_to_b == fwd["instruction"] and pair.b_to_a == bwd["instruction"] and pair.task == fwd["task"]
        assert np.array_equal(read_image(pair.a), fwd["input"]) and np.array_equal(read_image(pair.b), fwd["output"])


def test_a_decvt_file_is_a_training_source_told_by_each_pairs_words(release):
    from pixtask.data.multitask import MultiTaskDataset, TaskMixture

    source = decvt_source(release)
    assert source.task_id == "decvt:release"
    assert "r1-forward" in source.stems and "n1:C-backward" not in source.stems  # no words that way
    data = MultiTaskDataset([], TaskMixture({source.task_id: 1.0}), crop=64, paired_folders=[source])
    for i in range(6):
        sample = data[i]
        stem = sample["query_source"].split("/", 1)[1]
        assert sample["instruction"] == source.instructions[stem] and not sample["has_prompt"]


def test_cli_import_summarises_and_export_writes(release, tmp_path):
    from typer.testing import CliRunner

    from pixtask.cli.main import app

    runner = CliRunner()
    done = runner.invoke(app, ["data", "import", str(release), "--out", str(tmp_path / "merged.json")])
    assert done.exit_code == 0, done.output
    assert "6 pairs (3 from multi-turn chains), 11 directions with words; tasks: unknown 6" in done.output
    assert len(read_decvt(tmp_path / "merged.json")) == 6
    (tmp_path / "rain.png").unlink()
    missing = runner.invoke(app, ["data", "import", str(release)])
    assert missing.exit_code == 2 and "image(s) not found" in missing.output
    build = tmp_path / "build"
    build_triplets(TripletConfig(tasks=["derain"], pairs=1, crop=32), build)
    assert runner.invoke(app, ["data", "export", str(build), "--out", str(tmp_path / "x")]).exit_code == 0
    again = runner.invoke(app, ["data", "export", str(build), "--out", str(tmp_path / "x")])
    assert again.exit_code == 2 and "already exists" in again.output
