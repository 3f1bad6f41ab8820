from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixtask.core.image_io import write_image
from pixtask.data.benchmark import Benchmark, BenchmarkConfig, build_benchmark, load_manifest, verify_benchmark
from pixtask.data.photos import bundled_photos, check_split, folder_photos

SMALL = BenchmarkConfig(
    size=64, seed=3, tasks="denoise-gaussian,canny,photographic-style,rtv", levels=(2,), prompts=3, max_queries=2
)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench")
    build_benchmark(out, SMALL)
    return out


def test_build_is_byte_reproducible(built, tmp_path):
    build_benchmark(tmp_path, SMALL)
    assert _files(built) == _files(tmp_path)


def test_other_seed_gives_other_bytes(built, tmp_path):
    build_benchmark(tmp_path, BenchmarkConfig(**{**SMALL.__dict__, "seed": 4}))
    a, b = _files(built), _files(tmp_path)
    noisy = [k for k in a if "denoise-gaussian" in k and k.endswith("_input.png")]
    assert noisy and all(a[k] != b.get(k) for k in noisy)


def test_manifest_contents(built):
    m = load_manifest(built)
    assert m["config"]["seed"] == 3 and m["config"]["size"] == 64
    samples = m["samples"]
    assert len(samples) == 4 * 5  # 4 tasks x one level (or none) x (2 queries + 3 prompts)
    queries = {s["photo"] for s in samples if s["role"] == "query"}
    test_ids = {p["id"] for p in m["photos"] if p["split"] == "test"}
    assert queries <= test_ids
    for task in ("denoise-gaussian", "canny", "photographic-style", "rtv"):
        prompts = [s for s in samples if s["task"] == task and s["role"] == "prompt"]
        assert len({s["photo"] for s in prompts}) == 3, "each prompt from a different photo"
        assert all(s["photo"] not in test_ids for s in prompts), "training photos first while there are enough"
    looks = {s["params"]["look"] for s in samples if s["task"] == "photographic-style"}
    assert len(looks) == 1, "a shared parameter is identical across prompts and queries"
    assert {s["params"]["sigma"] for s in samples if s["task"] == "denoise-gaussian"} == {0.10}
    assert all(p["licence"] and len(p["sha256"]) == 64 for p in m["photos"])
    csv_lines = (built / "manifest.csv").read_text().splitlines()
    assert len(csv_lines) == len(samples) + 1 and csv_lines[0].startswith("task,level,role")


def test_reader_gives_typed_queries_of_a_task_subset(built):
    bench = Benchmark.open(built)
    raw = {(s["task"], s["role"], s["photo"]): s for s in load_manifest(built)["samples"]}
    assert set(bench.tasks) == {"denoise-gaussian", "canny", "photographic-style", "rtv"}
    assert bench.tasks["canny"].metric == "mae" and bench.tasks["denoise-gaussian"].direction == "restore"
    assert len(bench.queries()) == 4 * 2
    queries = bench.queries({"canny", "rtv"})
    assert [q.task for q in queries] == ["canny", "canny", "rtv", "rtv"]
    for q in queries:
        sample = raw[(q.task, "query", q.photo)]
        assert q.role == "query" and q.level == sample["level"] and q.params == sample["params"]
        assert q.input == built / sample["input"] and q.target == built / sample["target"]
        assert q.input.is_file() and q.target.is_file()
        assert len(q.prompts) == 3 and all(p.role == "prompt" and p.task == q.task for p in q.prompts)
        prompt = q.prompt
        assert prompt == q.prompts[0] and prompt.photo != q.photo
        assert prompt.input == built / raw[(q.task, "prompt", prompt.photo)]["input"] and prompt.target.is_file()
        assert bench.pair(q.task, q.level, "prompt", prompt.photo) == prompt
    assert bench.queries({"no-such-task"}) == [] and Benchmark.open(bench) is bench


def test_a_query_without_a_prompt_from_another_photo_is_refused(built):
    q = Benchmark.open(built).queries({"canny"})[0]
    alone = replace(q, prompts=(replace(q.prompts[0], photo=q.photo),))
    with pytest.raises(
        ValueError, match=re.escape(f"canny level {q.level}: no prompt from a photo other than {q.photo}")
    ):
        _ = alone.prompt


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("role", "teacher", "samples[3].role = 'teacher' is not 'query' or 'prompt'"),
        ("task", "derain", "samples[3].task = 'derain' is not one of the manifest's tasks"),
        ("level", "3", "samples[3].level = '3' is not an integer or null"),
    ],
)
def test_a_bad_manifest_is_named_in_a_one_line_error(built, tmp_path, key, value, message):
    manifest = json.loads((built / "manifest.json").read_text())
    manifest["samples"][3][key] = value
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError) as caught:
        Benchmark.open(tmp_path)
    text = str(caught.value)
    assert text.startswith(f"{tmp_path / 'manifest.json'}: ") and message in text and "\n" not in text


def test_verify_detects_a_changed_file(built, tmp_path):
    assert verify_benchmark(built) == []
    copy = tmp_path / "copy"
    for rel, data in _files(built).items():
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_bytes(data)
    victim = json.loads((copy / "manifest.json").read_text())["samples"][0]["input"]
    (copy / victim).write_bytes(b"tampered")
    assert verify_benchmark(copy) == [f"{victim}: differs from the manifest's checksum"]


def test_interrupted_build_has_no_manifest(tmp_path, monkeypatch):
    import pixtask.data.benchmark as bench

    build_benchmark(tmp_path, SMALL)  # a complete build first, then an interrupted rebuild

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(bench, "_write_csv", interrupt)
    with pytest.raises(KeyboardInterrupt):
        build_benchmark(tmp_path, SMALL)
    with pytest.raises(FileNotFoundError, match="build was interrupted"):
        load_manifest(tmp_path)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (BenchmarkConfig(size=100), "multiple of 32"),
        (BenchmarkConfig(prompts=0), "prompts must be at least 1"),
        (BenchmarkConfig(tasks="no-such-task"), "unknown task 'no-such-task'"),
        (BenchmarkConfig(photos="/no/such/folder"), "unknown photo source"),
    ],
)
def test_bad_configs(config, message, tmp_path):
    with pytest.raises((ValueError, KeyError), match=message):
        build_benchmark(tmp_path, config)


def test_too_few_photos_is_reported(tmp_path):
    report = build_benchmark(tmp_path, BenchmarkConfig(size=64, tasks="canny", prompts=30, max_queries=1))
    assert report.prompt_photos == len(bundled_photos())
    assert any("fewer than the 30 prompt photos" in w for w in report.warnings)


def test_bundled_split_has_no_leak():
    photos = bundled_photos()
    check_split(photos)
    groups = {p.group: p.split for p in photos}
    assert groups["motorcycle"] == "train"
    assert sum(p.split == "test" for p in photos) == 6


def test_folder_split_is_stable(tmp_path):
    for i in range(12):
        write_image(tmp_path / f"img{i:02d}.png", np.full((40, 40, 3), i / 12, np.float32))
    first = {p.id: p.split for p in folder_photos(tmp_path)}
    write_image(tmp_path / "zzz.png", np.zeros((40, 40, 3), np.float32))
    second = {p.id: p.split for p in folder_photos(tmp_path)}
    assert all(second[k] == v for k, v in first.items()), "adding a photo must not move others"
    assert {"train", "test"} == set(first.values())


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no images"):
        folder_photos(tmp_path)


def test_leaking_split_is_an_error():
    from dataclasses import replace

    photos = bundled_photos()
    left = next(p for p in photos if p.id.endswith("motorcycle_left"))
    with pytest.raises(ValueError, match="both sides of the train/test split"):
        check_split([*photos, replace(left, id="bundled/copy", split="test")])


def test_pairs_that_show_no_change_are_left_out(tmp_path):
    """A saturation change leaves a grey photo as it was: that query would score identity at the
    PSNR cap and test nothing, so it is left out and named in the warnings."""
    config = BenchmarkConfig(size=64, seed=0, tasks="saturate-weaken-correction", levels=(3,), prompts=2)
    report = build_benchmark(tmp_path, config)
    samples = load_manifest(tmp_path)["samples"]
    grey = {"bundled/camera", "bundled/gravel"}  # the bundled test photos without colour
    queries = {s["photo"] for s in samples if s["role"] == "query"}
    tests = {p.id for p in bundled_photos() if p.split == "test"}
    assert queries == tests - grey and queries
    assert any("show no change" in w and "bundled/camera" in w and "bundled/gravel" in w for w in report.warnings)
    bench = Benchmark.open(tmp_path)
    for queries_of_level in bench.groups().values():
        for q in queries_of_level:
            a, b = (np.asarray(Image.open(p)) for p in (q.input, q.target))
            assert np.abs(a.astype(int) - b).max() > 1
