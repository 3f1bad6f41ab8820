"""Hostile input to `pixtask data` (build, show, export, import, tokenize): one line naming the
file, key or option, exit code 2, within seconds, and no existing file changed; the same
guards through the Python API."""

from __future__ import annotations

import io
import json
import re
import shutil
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pixtask.cli.main import app
from pixtask.core.image_io import write_image
from pixtask.data import decvt as decvt_module
from pixtask.data.decvt import EXPORT_MARKER, MAX_CHAIN_EDITS, export_triplets, read_decvt, write_decvt
from pixtask.data.tokens import pretokenize
from pixtask.data.triplets import FORMAT_VERSION, MANIFEST, TripletConfig, build_triplets, iter_triplets, read_config
from pixtask.viz.triplet_page import write_triplet_page
from tests.cli.test_robustness import fails_cleanly, snapshot

runner = CliRunner()


def ok(args: list) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def tiny(fmt: str = "parquet", **kw) -> TripletConfig:
    settings = {"tasks": ["derain", "white-balance"], "pairs": 3, "pairs_per_shard": 2, "crop": 16, "format": fmt}
    return TripletConfig(**{**settings, **kw})


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A finished tiny build (3 pairs in 2 parquet shards, 16 px); copy it before changing it."""
    out = tmp_path_factory.mktemp("built") / "trip"
    build_triplets(tiny(), out)
    return out


@pytest.fixture
def trip(built, tmp_path) -> Path:
    shutil.copytree(built, tmp_path / "trip")
    return tmp_path / "trip"


@pytest.fixture
def release(tmp_path) -> Path:
    """A DECVT file (one pair, one chain) with its images beside it."""
    rng = np.random.default_rng(0)
    for name in ("A.png", "B.png", "s0.png", "s1.png", "s2.png"):
        write_image(tmp_path / name, rng.random((16, 16, 3), dtype=np.float32))
    items = [
        {"id": "p", "rain_img_A": "A.png", "clean_img_B": "B.png", "Task_Descriptions_from_A_to_B": "streaks fade"},
        {
            "id": "c",
            "source_image": "s0.png",
            "edit_image_1": "s1.png",
            "edit_image_2": "s2.png",
            "instruction_1": "alpha",
            "instruction_2": "beta",
        },
    ]
    (tmp_path / "ok.json").write_text(json.dumps(items))
    return tmp_path / "ok.json"


BUILD = ["data", "build", "--tasks", "derain,white-balance", "--pairs", "3", "--pairs-per-shard", "2", "--crop", "16"]


def write_manifest(folder: Path, config: object, **top) -> Path:
    manifest = folder / MANIFEST
    manifest.write_text(json.dumps({"format_version": FORMAT_VERSION, "config": config, **top}))
    return manifest


# --- silent replacement -------------------------------------------------------------------------
@pytest.mark.parametrize("target", ["A.png", "s2.png", "ok.json"])
def test_import_never_writes_over_its_file_or_images(release, target):
    before = snapshot(release.parent)
    out = release.parent / target
    fails_cleanly(
        ["data", "import", release, "--out", out], str(out), "is an input" if out == release else "--overwrite"
    )
    fails_cleanly(["data", "import", release, "--out", out, "--overwrite"], str(out), "is an input")
    assert snapshot(release.parent) == before
    with pytest.raises(ValueError, match="is an input"):  # the API refuses an image as its output too
        write_decvt(read_decvt(release), out if target != "ok.json" else release.parent / "A.png")
    assert snapshot(release.parent) == before


def test_import_replaces_an_unrelated_file_only_with_overwrite(release, tmp_path):
    victim = tmp_path / "other" / "victim.png"
    write_image(victim, np.zeros((8, 8, 3), np.float32))
    before = snapshot(tmp_path)
    fails_cleanly(["data", "import", release, "--out", victim], str(victim), "--overwrite")
    assert snapshot(tmp_path) == before
    ok(["data", "import", release, "--out", victim, "--overwrite"])
    assert len(read_decvt(victim)) == 4
    with pytest.raises(ValueError, match="already exists"):
        write_decvt(read_decvt(release), victim, overwrite=False)


def test_show_never_replaces_a_file_without_overwrite(trip, tmp_path):
    victim = tmp_path / "victim.png"
    write_image(victim, np.zeros((8, 8, 3), np.float32))
    before = snapshot(tmp_path)
    fails_cleanly(["data", "show", trip, "--out", victim], str(victim), "--overwrite")
    manifest = trip / MANIFEST
    fails_cleanly(["data", "show", trip, "--out", manifest, "--overwrite"], str(manifest), "is an input")
    shard = next((trip / "data").iterdir())
    fails_cleanly(["data", "show", trip, "--out", shard, "--overwrite"], str(shard), "is an input")
    assert snapshot(tmp_path) == before
    ok(["data", "show", trip, "--out", victim, "--overwrite", "--count", "1"])
    assert victim.read_text().count("<div class=t>") == 1


def test_show_regenerates_its_own_default_page_but_nothing_else_there(trip):
    ok(["data", "show", trip, "--count", "1"])
    ok(["data", "show", trip, "--count", "2"])  # the page it wrote: regenerated
    assert (trip / "samples.html").read_text().count("<div class=t>") == 2
    (trip / "samples.html").write_text("my notes")
    before = snapshot(trip)
    page = trip / "samples.html"
    fails_cleanly(["data", "show", trip], str(page), "--overwrite")
    assert snapshot(trip) == before
    with pytest.raises(ValueError, match="already exists"):
        write_triplet_page(iter_triplets(trip, limit=1), page, "t")
    assert snapshot(trip) == before


def fake_tokenization(folder: Path) -> None:
    folder.mkdir()
    for name in ("pixtask_tokens.json", "tokens.parquet", "tokenizer.json"):
        (folder / name).write_text("mine")


@pytest.mark.parametrize("holds", ["tokenization", "other"])
def test_tokenize_refuses_a_folder_that_is_not_empty(trip, tmp_path, holds):
    out, vq = tmp_path / "tok", tmp_path / "vq"
    vq.mkdir()
    if holds == "tokenization":
        fake_tokenization(out)
    else:
        out.mkdir()
        (out / "notes.txt").write_text("mine")
    before = snapshot(tmp_path)
    args = ["data", "tokenize", "--triplets", trip, "--vq", vq, "--out", out, "--image-size", "16"]
    fails_cleanly(args, str(out), "tokenization already" if holds == "tokenization" else "not empty")
    with pytest.raises((ValueError, FileExistsError), match=re.escape(str(out))):
        pretokenize(trip, vq, out, image_size=16)
    assert snapshot(tmp_path) == before


def test_tokenize_refuses_the_build_or_the_vq_folder_as_output(trip, tmp_path):
    vq = tmp_path / "vq"
    vq.mkdir()
    (vq / "config.json").write_text("{}")
    before = snapshot(tmp_path)
    for out in (trip, vq):
        fails_cleanly(["data", "tokenize", "--triplets", trip, "--vq", vq, "--out", out], str(out))
    assert snapshot(tmp_path) == before


def test_build_refuses_a_folder_that_is_not_a_build_of_the_same_settings(trip, tmp_path):
    other, a_file = tmp_path / "other", tmp_path / "file.txt"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    a_file.write_text("mine")
    before = snapshot(tmp_path)
    args = [
        "data",
        "build",
        "--tasks",
        "derain,white-balance",
        "--pairs",
        "3",
        "--pairs-per-shard",
        "2",
        "--crop",
        "16",
    ]
    fails_cleanly([*args, "--seed", "1", "--out", trip], str(trip), "other settings (seed)")
    fails_cleanly([*args, "--out", other], str(other), "not a triplet build")
    fails_cleanly([*args, "--out", a_file], str(a_file), "not a folder")
    assert snapshot(tmp_path) == before
    ok([*args, "--out", trip])  # the same settings: resumed (nothing left to do)
    assert snapshot(tmp_path) == before


def test_build_refuses_a_folder_with_a_damaged_manifest(trip, tmp_path):
    manifest = write_manifest(trip, {"pairs": 3})
    before = snapshot(tmp_path)
    args = [
        "data",
        "build",
        "--tasks",
        "derain,white-balance",
        "--pairs",
        "3",
        "--pairs-per-shard",
        "2",
        "--crop",
        "16",
    ]
    fails_cleanly([*args, "--out", trip], str(manifest), "config.")
    with pytest.raises(ValueError, match=MANIFEST):
        build_triplets(tiny(), trip)
    assert snapshot(tmp_path) == before


# --- export resumes -----------------------------------------------------------------------------
def test_a_killed_export_resumes_to_the_same_bytes(built, tmp_path, monkeypatch):
    whole = tmp_path / "whole"
    ok(["data", "export", built, "--out", whole])
    real, calls = decvt_module.write_bytes_atomic, []

    def killed_on_the_fourth_write(path, data, **kw):
        calls.append(path)
        if len(calls) == 4:  # the marker, two images, then killed
            raise KeyboardInterrupt
        return real(path, data, **kw)

    resumed = tmp_path / "resumed"
    monkeypatch.setattr(decvt_module, "write_bytes_atomic", killed_on_the_fourth_write)
    with pytest.raises(KeyboardInterrupt):
        export_triplets(built, resumed)
    monkeypatch.setattr(decvt_module, "write_bytes_atomic", real)
    assert (resumed / EXPORT_MARKER).exists() and not (resumed / "decvt.json").exists()
    ok(["data", "export", built, "--out", resumed])
    assert snapshot(whole) == snapshot(resumed) and not (resumed / EXPORT_MARKER).exists()
    fails_cleanly(["data", "export", built, "--out", resumed], str(resumed / "decvt.json"), "already exists")


def test_export_refuses_a_folder_of_other_files_and_keeps_a_changed_image(built, tmp_path, monkeypatch):
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    before = snapshot(tmp_path)
    fails_cleanly(["data", "export", built, "--out", other], str(other), "not empty")
    assert snapshot(tmp_path) == before
    out = tmp_path / "x"
    monkeypatch.setattr(decvt_module, "write_decvt", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        export_triplets(built, out)
    monkeypatch.undo()
    image = next((out / "images").iterdir())
    image.write_bytes(b"the user's own file")
    before = snapshot(tmp_path)
    fails_cleanly(["data", "export", built, "--out", out], str(image), "not the build's image")
    assert snapshot(tmp_path) == before


# --- tracebacks and hangs -----------------------------------------------------------------------
@pytest.mark.parametrize("lines", [False, True])
def test_deeply_nested_decvt_is_refused_at_once(tmp_path, lines):
    deep = tmp_path / ("deep.jsonl" if lines else "deep.json")
    nested = "[" * 100_000 + "]" * 100_000
    deep.write_text(f'{{"id": 1}}\n{nested}\n' if lines else nested)
    start = time.monotonic()
    fails_cleanly(["data", "import", deep], str(deep), "nested")
    with pytest.raises(ValueError, match="nested 100,000 levels deep"):
        read_decvt(deep)
    assert time.monotonic() - start < 10


OPTIONS = [
    (["data", "build", "--max-side", "0"], "--max-side"),
    (["data", "build", "--max-side", "100000"], "--max-side"),
    (["data", "build", "--crop", "0"], "--crop"),
    (["data", "build", "--crop", "64", "--max-side", "32"], "--crop"),
    (["data", "build", "--pairs", "0"], "--pairs"),
    (["data", "build", "--pairs", "1000000000000"], "--pairs"),
    (["data", "build", "--pairs-per-shard", "0"], "--pairs-per-shard"),
    (["data", "build", "--heldout-fraction", "1.5"], "--heldout-fraction"),
    (["data", "build", "--heldout-fraction", "nan"], "--heldout-fraction"),
    (["data", "build", "--seed", "-1"], "--seed"),
    (["data", "build", "--tasks", ","], "--tasks"),
    (["data", "build", "--format", "zip"], "--format"),
    (["data", "show", "{trip}", "--count", "0"], "--count"),
    (["data", "show", "{trip}", "--count", "100000"], "--count"),
    (["data", "tokenize", "--image-size", "0"], "--image-size"),
    (["data", "tokenize", "--image-size", "-64"], "--image-size"),
    (["data", "tokenize", "--bpe-vocab", "0"], "--bpe-vocab"),
]


@pytest.mark.parametrize(("args", "option"), OPTIONS)
def test_numeric_options_are_checked_where_they_are_parsed(trip, tmp_path, args, option):
    args = [str(a).format(trip=trip) for a in args]
    if args[1] == "build":
        args += ["--out", tmp_path / "new"]
    if args[1] == "tokenize":
        args += ["--triplets", trip, "--vq", tmp_path, "--out", tmp_path / "new"]
    before = snapshot(tmp_path)
    fails_cleanly(args, option)
    assert snapshot(tmp_path) == before and not (tmp_path / "new").exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"max_side": 0}, "max_side"), ({"crop": 4}, "crop"), ({"pairs": 0}, "pairs"), ({"seed": 2.5}, "seed")],
)
def test_the_api_checks_the_same_settings(kwargs, field):
    with pytest.raises(ValueError, match=f"^{field}: "):
        tiny(**kwargs)


def test_pretokenize_checks_its_numbers(trip, tmp_path):
    for kwargs, name in (({"image_size": 0}, "image_size"), ({"bpe_vocab": 10}, "bpe_vocab"), ({"batch": 0}, "batch")):
        with pytest.raises(ValueError, match=f"^{name}: "):
            pretokenize(trip, tmp_path, tmp_path / "tok", **kwargs)


MANIFESTS = [
    ({"extra": 1}, "extra: unknown key"),
    ({"config": [1, 2]}, "config: must be a JSON object"),
    ({"format_version": 99}, "format_version"),
    ({"pairs": "many"}, "config.pairs: must be a number"),
    ({"pairs": 1e12}, "config.pairs: must be an integer"),
    ({"pairs": 10**12}, "config.pairs: must be at most"),
    ({"surprise": 1}, "config.surprise: unknown key"),
    ({"tasks": "derain"}, "config.tasks"),
    ({"task_ids": [1]}, "config.task_ids"),
    ({"format": "zip"}, "config.format"),
    ({"heldout_fraction": -1}, "config.heldout_fraction"),
    ({"pairs_per_shard": 0}, "config.pairs_per_shard"),
    ({"crop": 4096}, "config.crop"),
]


@pytest.mark.parametrize(("change", "key"), MANIFESTS)
def test_show_checks_the_manifest_and_names_the_key(trip, change, key):
    raw = json.loads((trip / MANIFEST).read_text())
    top = {k: v for k, v in change.items() if k in ("extra", "config", "format_version")}
    raw["config"].update({k: v for k, v in change.items() if k not in top})
    raw.update(top)
    (trip / MANIFEST).write_text(json.dumps(raw))
    before = snapshot(trip)
    start = time.monotonic()
    fails_cleanly(["data", "show", trip], str(trip / MANIFEST), key)
    with pytest.raises(ValueError, match=re.escape(key)):
        read_config(trip)
    assert snapshot(trip) == before and time.monotonic() - start < 10


@pytest.mark.parametrize("text", ["{not json", '{"config": ' * 100_000, "\xff\xfe"])
def test_a_manifest_that_is_not_json_names_the_file(trip, text):
    (trip / MANIFEST).write_bytes(text.encode("latin-1"))
    fails_cleanly(["data", "show", trip], str(trip / MANIFEST))


def test_show_of_a_manifest_claiming_millions_of_shards_is_quick(trip):
    raw = json.loads((trip / MANIFEST).read_text())
    raw["config"].update(pairs=10_000_000, pairs_per_shard=1)
    (trip / MANIFEST).write_text(json.dumps(raw))
    start = time.monotonic()
    ok(["data", "show", trip, "--count", "2"])
    assert time.monotonic() - start < 10


def test_a_huge_chain_is_refused_naming_the_file_item_and_cap(tmp_path):
    chain = {"id": "long", "source_image": "s0.png"}
    for k in range(1, 3001):
        chain[f"edit_image_{k}"] = f"s{k}.png"
        chain[f"instruction_{k}"] = f"step {k}"
    big = tmp_path / "chain.json"
    big.write_text(json.dumps([chain]))
    start = time.monotonic()
    fails_cleanly(["data", "import", big], str(big), "item 0 (id long)", f"MAX_CHAIN_EDITS = {MAX_CHAIN_EDITS}")
    with pytest.raises(ValueError, match="MAX_CHAIN_EDITS"):
        read_decvt(big)
    assert time.monotonic() - start < 10
    n = MAX_CHAIN_EDITS
    chain = {"id": "long", "source_image": "s0.png"}
    chain |= {f"edit_image_{k}": f"s{k}.png" for k in range(1, n + 1)}
    chain |= {f"instruction_{k}": f"step {k}" for k in range(1, n + 1)}
    big.write_text(json.dumps([chain]))
    assert len(read_decvt(big)) == n * (n + 1) // 2  # the longest chain allowed is read whole


# --- security ----------------------------------------------------------------------------------
HOSTILE = "<img src=x onerror=alert(1)>"


def test_every_field_on_the_page_is_escaped(tmp_path):
    image = np.zeros((8, 8, 3), np.float32)
    record = dict.fromkeys(("key", "instruction", "task", "level", "direction", "photo", "licence"), HOSTILE)
    page = write_triplet_page([{**record, "input": image, "output": image}], tmp_path / "p.html", HOSTILE)
    text = page.read_text()
    assert "<img src=x" not in text and text.count("&lt;img src=x onerror=alert(1)&gt;") == 9


def rewrite_tar_record(shard: Path, **changes) -> None:
    """Change the metadata of the first record of a WebDataset shard."""
    with tarfile.open(shard) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    buffer = io.BytesIO()
    done = False
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for member, data in members:
            if member.name.endswith(".json") and not done:
                data, done = json.dumps({**json.loads(data), **changes}).encode(), True
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    shard.write_bytes(buffer.getvalue())


def test_a_shard_with_markup_is_escaped_and_a_bad_level_refused(tmp_path):
    trip = tmp_path / "wds"
    build_triplets(tiny("webdataset"), trip)
    shard = sorted((trip / "data").iterdir())[0]
    rewrite_tar_record(shard, task=HOSTILE, photo=HOSTILE)
    ok(["data", "show", trip, "--count", "1"])
    page = (trip / "samples.html").read_text()
    assert "<img src=x" not in page and "&lt;img src=x" in page
    rewrite_tar_record(shard, level=HOSTILE)
    before = snapshot(trip)
    fails_cleanly(["data", "show", trip, "--overwrite"], str(shard), "level")
    assert snapshot(trip) == before


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"key": "../../evil-forward"}, "key"),
        ({"instruction": "\ud800"}, "instruction"),
        ({"instruction": "\x1b[31mred"}, "instruction"),
        ({"heldout": "yes"}, "heldout"),
    ],
)
def test_bad_shard_records_name_the_shard_and_field(tmp_path, change, needle):
    trip = tmp_path / "wds"
    build_triplets(tiny("webdataset"), trip)
    shard = sorted((trip / "data").iterdir())[0]
    rewrite_tar_record(shard, **change)
    before = snapshot(trip)
    fails_cleanly(["data", "show", trip], str(shard), needle)
    fails_cleanly(["data", "export", trip, "--out", tmp_path / "x"], str(shard), needle)
    assert snapshot(trip) == before


def test_a_shard_that_is_not_a_shard_names_the_file(trip):
    shard = sorted((trip / "data").iterdir())[0]
    shard.write_bytes(b"not parquet at all")
    fails_cleanly(["data", "show", trip], str(shard), "not a readable shard")


# --- messages name the file and the key as written -----------------------------------------------
def test_json_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": 1},\n')
    fails_cleanly(["data", "import", bad], str(bad), "line 2")
    bad.write_text("[" + "1" * 5000 + "]")
    fails_cleanly(["data", "import", bad], str(bad))
    bad.write_bytes(b'[{"id": "\xff"}]')
    fails_cleanly(["data", "import", bad], str(bad), "not UTF-8")
    bad.write_text('{"id": 1}\n{"id": \n')
    fails_cleanly(["data", "import", bad], str(bad), "line 2")


def test_chain_keys_are_named_as_written(release):
    folder = release.parent
    item = {"id": "z", "source_image": "s0.png", "edit_image_01": "s1.png", "edit_image_02": "s2.png"}
    item |= {"instruction_01": "alpha", "instruction_02": "beta"}
    (folder / "padded.json").write_text(json.dumps([item]))
    assert [p.a_to_b for p in read_decvt(folder / "padded.json")] == ["alpha", "alpha beta", "beta"]
    gap = {"id": "z", "source_image": "s0.png", "edit_image_01": "s1.png", "edit_image_03": "s2.png"}
    (folder / "gap.json").write_text(json.dumps([gap]))
    fails_cleanly(["data", "import", folder / "gap.json"], str(folder / "gap.json"), "edit_image_01, edit_image_03")
    (folder / "type.json").write_text(json.dumps([{**item, "edit_image_01": 7}]))
    fails_cleanly(["data", "import", folder / "type.json"], str(folder / "type.json"), "edit_image_01")


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("Task_Descriptions_from_A_to_B", "\ud800", "not valid UTF-8"),
        ("Task_Descriptions_from_A_to_B", "fade\x1b[2J", "control character"),
        ("Task_Descriptions_from_A_to_B", 7, "must be text"),
        ("Image_A_Caption", ["a"], "must be text"),
        ("id", {"a": 1}, "must be text"),
        ("task", "x" * 10_000, "characters long"),
        ("rain_img_A", "a\x00.png", "control character"),
    ],
)
def test_words_from_a_decvt_file_are_checked(release, key, value, needle):
    items = json.loads(release.read_text())
    items[0][key] = value
    release.write_text(json.dumps(items))
    fails_cleanly(["data", "import", release], str(release), "item 0", key, needle)
    with pytest.raises(ValueError, match=needle):
        read_decvt(release)


def test_a_chain_instruction_that_is_not_text_names_its_key(release):
    items = json.loads(release.read_text())
    items[1]["instruction_2"] = "\udc80"
    release.write_text(json.dumps(items))
    fails_cleanly(["data", "import", release], str(release), "item 1 (id c)", "instruction_2", "UTF-8")


def test_too_many_pairs_or_too_long_joined_words_are_refused(release, monkeypatch):
    monkeypatch.setattr(decvt_module, "MAX_DECVT_PAIRS", 3)
    fails_cleanly(["data", "import", release], str(release), "MAX_DECVT_PAIRS = 3")
    monkeypatch.undo()
    items = json.loads(release.read_text())
    items[1]["instruction_1"] = items[1]["instruction_2"] = "x" * 1500
    release.write_text(json.dumps(items))
    fails_cleanly(["data", "import", release], str(release), "item 1 (id c)", "instruction steps 1..2", "2,000")


def test_a_training_source_refuses_two_items_of_one_id(release):
    items = json.loads(release.read_text())
    release.write_text(json.dumps([items[0], items[0]]))
    with pytest.raises(ValueError, match=f"{re.escape(str(release))}: id p: appears twice"):
        decvt_module.decvt_source(release)
