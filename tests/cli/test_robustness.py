"""Every bad input a careless or hostile user can give: through the CLI (exit code 2, one line
naming the file or key, no traceback, nothing changed or lost) and through the Python API."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import stat

import numpy as np
import pytest
import torch
from PIL import Image
from typer.testing import CliRunner

from pixtask import GenLVPipeline
from pixtask.cli.main import app
from pixtask.core.atomic_write import STALE_TMP_SECONDS, write_bytes_atomic
from pixtask.core.condition import Condition
from pixtask.core.image_io import ImageReadError, as_rgb_float, read_image, write_image
from pixtask.data.benchmark import BenchmarkConfig, build_benchmark, load_manifest, verify_benchmark
from pixtask.models import create_model, from_pretrained, save_pretrained
from pixtask.models.hub import WeightsError

runner = CliRunner()


def fails_cleanly(args: list[str], *needles: str) -> str:
    """Run the CLI; it must exit 2 with one error line that contains every needle."""
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 2, result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, result.output
    for needle in needles:
        assert str(needle) in errors[0], (needle, errors[0])
    return errors[0]


def snapshot(folder) -> dict[str, tuple[str, int]]:
    """Every file below ``folder`` with its checksum and mode, to prove nothing changed."""
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def images(tmp_path_factory, photo_128, photo_128_b):
    root = tmp_path_factory.mktemp("images")
    write_image(root / "photo.png", photo_128)
    write_image(root / "prompt_in.png", photo_128_b * 0.5)
    write_image(root / "prompt_out.png", photo_128_b)
    return root


def run_args(images, output, *extra):
    return [
        "run",
        "-i",
        images / "photo.png",
        "--prompt",
        images / "prompt_in.png",
        images / "prompt_out.png",
        "-o",
        output,
        "--tile",
        "0",
        *extra,
    ]


# --- 1. data loss: run ------------------------------------------------------------------------
@pytest.mark.parametrize("target", ["photo.png", "prompt_in.png"])
def test_run_refuses_to_write_over_an_input(images, target):
    before = snapshot(images)
    fails_cleanly(run_args(images, images / target, "--overwrite"), target, "input of this run")
    assert snapshot(images) == before


def test_run_refuses_the_input_folder_as_output_and_colliding_names(images, tmp_path, photo_128):
    folder = tmp_path / "in"
    write_image(folder / "x.png", photo_128)
    write_image(folder / "x.jpg", photo_128)
    before = snapshot(folder)
    args = ["run", "-i", folder, "--prompt", images / "prompt_in.png", images / "prompt_out.png"]
    fails_cleanly([*args, "-o", folder], "is the input folder")
    fails_cleanly([*args, "-o", tmp_path / "out"], "x.png", "x.jpg")
    assert snapshot(folder) == before and not (tmp_path / "out").exists()


def test_run_keeps_existing_outputs_unless_asked_and_never_write_protected_ones(images, tmp_path):
    out = tmp_path / "out.png"
    out.write_bytes(b"mine")
    fails_cleanly(run_args(images, out), "already exists", "--overwrite")
    assert out.read_bytes() == b"mine"
    out.chmod(0o444)
    fails_cleanly(run_args(images, out, "--overwrite"), "write-protected")
    assert out.read_bytes() == b"mine" and stat.S_IMODE(out.stat().st_mode) == 0o444
    out.chmod(0o644)
    ok = runner.invoke(app, [str(a) for a in run_args(images, out, "--overwrite")])
    assert ok.exit_code == 0, ok.output
    assert read_image(out).shape == (128, 128, 3)


def test_a_concurrent_writer_is_refused_not_silently_replaced(images, tmp_path):
    pipe = GenLVPipeline.from_pretrained(tile=None)
    prompt = Condition(prompt=(images / "prompt_in.png", images / "prompt_out.png"))
    first = pipe.run_file(images / "photo.png", tmp_path / "x.png", prompt)
    kept = first.read_bytes()
    with pytest.raises(FileExistsError, match=r"x\.png"):  # what the second of two runs meets
        pipe.run_file(images / "photo.png", tmp_path / "x.png", prompt)
    assert first.read_bytes() == kept and list(tmp_path.iterdir()) == [first]


def test_run_checks_outputs_before_inference(images, tmp_path):
    fails_cleanly(run_args(images, tmp_path / "out.gif"), "out.gif", "unsupported output format")
    fails_cleanly(run_args(images, tmp_path), "is a folder")
    (tmp_path / "file").write_text("x")
    fails_cleanly(run_args(images, tmp_path / "file" / "out.png"), "is a file")
    fails_cleanly(run_args(images, tmp_path / "o.png", "--device", "bogus"), "bogus")
    assert not (tmp_path / "out.gif").exists() and not (tmp_path / "o.png").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; checked as a normal user")
def test_read_only_output_folder(images, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    fails_cleanly(run_args(images, locked / "o.png"), "o.png")


def test_prompt_pair_of_different_sizes_names_both_files(images, tmp_path, photo_128):
    small = tmp_path / "small.png"
    write_image(small, photo_128[:64, :64])
    args = ["run", "-i", images / "photo.png", "--prompt", small, images / "prompt_out.png", "-o", tmp_path / "o.png"]
    fails_cleanly(args, "small.png", "prompt_out.png")


# --- 1. data loss: train, and 2. resume of a different run ----------------------------------------
TRAIN = [
    "steps=2",
    "batch_size=1",
    "data.crop=32",
    "data.max_side=96",
    "data.workers=0",
    "log_every=1",
    "checkpoint_every=1",
    "data.tasks=[denoise-gaussian]",
    "device=cpu",
    "precision=fp32",
]


def train(out, *extra, flags=()):
    args = ["train", *flags]
    for item in [*TRAIN, f"out_dir={out}", *extra]:
        args += ["--set", item]
    return args


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "F"
    result = runner.invoke(app, train(out))
    assert result.exit_code == 0, result.output
    return out


def test_training_into_a_finished_run_is_refused(finished_run):
    before = snapshot(finished_run)
    fails_cleanly(train(finished_run), str(finished_run), "--resume", "--overwrite")
    assert snapshot(finished_run) == before


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ("seed=1", "seed"),
        ("data.workers=1", "data.workers"),
        ("batch_size=2", "batch_size"),
        ("data.tasks=[canny]", "data.tasks"),
    ],
)
def test_resume_refuses_another_config_and_names_the_keys(finished_run, change, key):
    before = snapshot(finished_run)
    fails_cleanly(train(finished_run, change, flags=["--resume"]), key, "differing keys")
    assert snapshot(finished_run) == before


# --- 5. train config values ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("setting", "needle"),
    [
        ("model_overrides={bogus_field: 1}", "bogus_field"),
        ("optim.betas=[a, b]", "optim.betas"),
        ("data.tasks=[1, 2]", "data.tasks"),
        ("data.tasks=[]", "data.tasks"),
        ("data.crop=4096", "data.crop"),
        ("data.max_side=0", "data.max_side"),
        ("data.workers=-1", "data.workers"),
        ("device=bogus", "bogus"),
        ("sample_every=-3", "sample_every"),
    ],
)
def test_bad_train_settings_are_one_line_errors(tmp_path, setting, needle):
    fails_cleanly(train(tmp_path / "r", setting), needle)
    assert not (tmp_path / "r").exists()


def test_bad_train_config_files(tmp_path):
    (tmp_path / "file").write_text("x")
    fails_cleanly(train(tmp_path / "file"), "file", "not a folder")
    fails_cleanly(["train", "--config", tmp_path], str(tmp_path), "is a folder")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("model: caf\xe9\n".encode("latin-1"))
    fails_cleanly(["train", "--config", latin], "latin.yaml", "UTF-8")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    fails_cleanly(["train", "--config", empty], "empty.yaml", "empty")
    assert not (tmp_path.parent / "runs").exists() and not os.path.exists("runs/default")


# --- 3. bad weights -----------------------------------------------------------------------------
@pytest.fixture
def model_dir(tmp_path):
    torch.manual_seed(0)
    return save_pretrained(create_model("genlv-tiny"), tmp_path / "m")


def _corrupt(folder, how: str) -> None:
    weights = folder / "model.safetensors"
    data = weights.read_bytes()
    if how == "empty":
        weights.write_bytes(b"")
    elif how == "truncated":
        weights.write_bytes(data[: len(data) // 2])
    elif how == "random":
        weights.write_bytes(np.random.default_rng(0).bytes(4096))
    elif how == "pickle":
        weights.write_bytes(pickle.dumps({"w": [1, 2, 3]}))
    elif how == "huge-header":
        weights.write_bytes((2**62).to_bytes(8, "little") + b"{}")
    elif how == "list-config":
        (folder / "config.json").write_text("[1, 2]")
    elif how == "huge-dim":
        config = json.loads((folder / "config.json").read_text())
        (folder / "config.json").write_text(json.dumps({**config, "dim": 65536}))
    elif how == "bad-type":
        config = json.loads((folder / "config.json").read_text())
        (folder / "config.json").write_text(json.dumps({**config, "num_blocks": "four"}))
    elif how == "nan":
        from safetensors.torch import load_file, save_file

        state = load_file(str(weights))
        state[next(iter(state))] = torch.full_like(state[next(iter(state))], float("nan"))
        save_file(state, str(weights))


BAD_WEIGHTS = {
    "empty": "model.safetensors",
    "truncated": "model.safetensors",
    "random": "model.safetensors",
    "pickle": "model.safetensors",
    "huge-header": "model.safetensors",
    "list-config": "config.json",
    "huge-dim": "PIXTASK_MAX_PARAMS",
    "bad-type": "num_blocks",
    "nan": "NaN",
}


@pytest.mark.parametrize("how", list(BAD_WEIGHTS))
def test_bad_weights_are_named_on_every_path(model_dir, images, tmp_path, how):
    _corrupt(model_dir, how)
    with pytest.raises(WeightsError, match=BAD_WEIGHTS[how]):
        from_pretrained(model_dir)
    fails_cleanly([*run_args(images, tmp_path / "o.png"), "--model", model_dir], BAD_WEIGHTS[how])
    fails_cleanly(["export", "onnx", "--model", model_dir, "--out", tmp_path / "m.onnx"], BAD_WEIGHTS[how])
    fails_cleanly(train(tmp_path / "t", f"init_from={model_dir}"), BAD_WEIGHTS[how])
    assert not (tmp_path / "o.png").exists() and not (tmp_path / "m.onnx").exists()


def test_non_finite_outputs_are_an_error(images):
    torch.manual_seed(0)
    model = create_model("genlv-tiny")
    with torch.no_grad():
        model.output.weight.fill_(float("inf"))
    pipe = GenLVPipeline(model, tile=None, precision="fp32")
    with pytest.raises(ValueError, match="NaN or infinite"):
        pipe(images / "photo.png", (images / "prompt_in.png", images / "prompt_out.png"))


# --- 4. sizes -----------------------------------------------------------------------------------
def test_the_pixel_limit_is_ours_and_can_be_raised(tmp_path, monkeypatch):
    path = tmp_path / "wide.png"
    Image.new("L", (400, 100)).save(path)
    # Pillow's own guard sits below ours by default (89.5 vs 120 Mpx); it must not be the one that counts
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    assert read_image(path).shape == (100, 400, 3)
    with pytest.raises(ImageReadError, match="40,000 pixels exceeds the limit of 39,999"):
        read_image(path, max_pixels=39_999)
    assert Image.MAX_IMAGE_PIXELS == 1000  # left as it was


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_non_regular_files_are_refused(tmp_path, images, special):
    path = special
    if special == "fifo":
        path = tmp_path / "fifo"
        os.mkfifo(path)
    with pytest.raises(ImageReadError, match="not a regular file"):
        read_image(path)
    fails_cleanly(
        ["run", "-i", path, "--prompt", images / "prompt_in.png", images / "prompt_out.png", "-o", tmp_path / "o.png"],
        str(path),
        "not a regular file",
    )


def test_extreme_aspect_ratios_are_tiled_even_with_tiling_off(images, photo_128):
    strip = np.tile(photo_128[:32], (1, 9, 1))  # 32 x 1152
    pipe = GenLVPipeline.from_pretrained(tile=None)
    tiles = []
    out = pipe(strip, (images / "prompt_in.png", images / "prompt_out.png"), on_tile=lambda d, t: tiles.append(t))
    assert out.array.shape == strip.shape and tiles and tiles[-1] > 1


# --- 5. API inputs ------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["CMYK", "YCbCr"])
def test_pil_images_in_any_mode(photo_128, mode):
    pil = Image.fromarray((photo_128 * 255).astype(np.uint8)).convert(mode)
    assert np.abs(as_rgb_float(pil) - photo_128).max() < 0.05


@pytest.mark.parametrize(("kwargs", "needle"), [({"prompt_size": 0}, "prompt_size"), ({"tile": "x"}, "tile")])
def test_pipeline_options_are_checked(images, kwargs, needle):
    pipe = GenLVPipeline.from_pretrained(tile=None)
    with pytest.raises(ValueError, match=needle):
        pipe(images / "photo.png", (images / "prompt_in.png", images / "prompt_out.png"), **kwargs)


# --- 6. bench verify ----------------------------------------------------------------------------
@pytest.fixture
def bench(tmp_path):
    out = tmp_path / "bench"
    build_benchmark(out, BenchmarkConfig(size=64, tasks="denoise-gaussian", levels=(3,), prompts=2, max_queries=2))
    assert verify_benchmark(out) == []
    return out


def _edit_manifest(bench, change) -> None:
    manifest = json.loads((bench / "manifest.json").read_text())
    change(manifest)
    (bench / "manifest.json").write_text(json.dumps(manifest))


def test_verify_finds_extra_files_and_dropped_samples(bench):
    (bench / "images" / "stray.png").write_bytes(b"x")
    _edit_manifest(bench, lambda m: m["samples"].pop())
    problems = verify_benchmark(bench)
    assert any("stray.png: not in the manifest" in p for p in problems)
    assert any("missing from the manifest" in p for p in problems)
    assert runner.invoke(app, ["bench", "verify", str(bench)]).exit_code == 1


def test_verify_rebuild_finds_a_file_edited_with_its_checksum(bench):
    sample = load_manifest(bench)["samples"][0]
    target = bench / sample["target"]
    write_image(target, np.zeros((64, 64, 3), np.float32))
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    _edit_manifest(bench, lambda m: m["samples"][0].update(target_sha256=digest))
    assert verify_benchmark(bench) == []  # the checksums agree ...
    assert verify_benchmark(bench, rebuild=True) == [f"{sample['target']}: differs from a rebuild of its sample"]


def test_manifest_paths_outside_the_benchmark_are_refused(bench):
    _edit_manifest(bench, lambda m: m["samples"][0].update(input="../../etc/passwd"))
    with pytest.raises(ValueError, match=r"samples\[0\].input"):
        load_manifest(bench)
    fails_cleanly(["bench", "verify", bench], "manifest.json", "inside images/")


def test_damaged_manifests_name_the_file(bench):
    text = (bench / "manifest.json").read_text()
    (bench / "manifest.json").write_text(text[: len(text) // 2])
    fails_cleanly(["bench", "verify", bench], "manifest.json", "not valid JSON")
    manifest = json.loads(text)
    del manifest["samples"]
    (bench / "manifest.json").write_text(json.dumps(manifest))
    fails_cleanly(["bench", "verify", bench], "manifest.json", "samples")


# --- 7. housekeeping ----------------------------------------------------------------------------
def test_weights_get_the_umask_mode_and_stale_temporaries_go(tmp_path):
    old = os.umask(0o022)
    try:
        folder = save_pretrained(create_model("genlv-tiny"), tmp_path / "m")
    finally:
        os.umask(old)
    assert stat.S_IMODE((folder / "model.safetensors").stat().st_mode) == 0o644
    stale, fresh = tmp_path / ".x.bin.abc.tmp", tmp_path / ".x.bin.def.tmp"
    stale.write_bytes(b"left by a killed writer")
    fresh.write_bytes(b"another writer, now")
    os.utime(stale, (0, os.path.getmtime(stale) - STALE_TMP_SECONDS - 1))
    write_bytes_atomic(tmp_path / "x.bin", b"data")
    assert not stale.exists() and fresh.exists() and (tmp_path / "x.bin").read_bytes() == b"data"


# --- round two: text, numbers, files in, files out -------------------------------------------
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (b"caf\xe9 \xff".decode("utf-8", "surrogateescape"), "not valid UTF-8"),  # what argv gives for bad bytes
        ("\ud800", "not valid UTF-8"),
        ("\x1b[31mred\x1b[0m", "control character U+001B"),
        ("word " * 500, "limit is 2,000"),
    ],
)
def test_bad_instruction_text_is_refused_everywhere(images, tmp_path, text, needle):
    with pytest.raises(ValueError, match=re.escape(needle)):
        Condition(instruction=text)
    line = fails_cleanly(["run", "-i", images / "photo.png", "-o", tmp_path / "o.png", "--instruction", text], needle)
    assert "\x1b" not in line  # never echoed raw to the terminal
    fails_cleanly(
        ["run", "-i", images / "photo.png", "-o", tmp_path / "o.png", "--model", "ar-tiny", "--instruction", text],
        needle,
    )
    fails_cleanly(
        ["finetune", "--pairs", tmp_path, "--val", tmp_path, "--out", tmp_path / "f", "--instruction", text], needle
    )
    assert not (tmp_path / "o.png").exists() and not (tmp_path / "f").exists()


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--temperature", "nan"),
        ("--temperature", "-1"),
        ("--temperature", "1e-320"),  # logits / temperature would overflow
        ("--cfg", "nan"),
        ("--cfg", "inf"),
        ("--seed", "99999999999999999999"),
        ("--seed", "-1"),
        ("--top-k", "-5"),
        ("--tile", "-3"),
    ],
)
def test_number_options_are_refused_at_parse(images, tmp_path, option, value):
    args = ["run", "-i", images / "photo.png", "-o", tmp_path / "o.png", "--model", "ar-tiny"]
    fails_cleanly([*args, "--instruction", "the colours warm up", option, value], option)
    assert not (tmp_path / "o.png").exists()


def test_generation_config_checks_its_numbers():
    from pixtask.models.ar.decoding import GenerationConfig

    for kwargs, needle in [({"temperature": float("nan")}, "temperature"), ({"seed": 2**70}, "seed")]:
        with pytest.raises(ValueError, match=needle):
            GenerationConfig(**kwargs)


@pytest.mark.parametrize(
    ("setting", "needle"),
    [
        ("optim.warmup_steps=-3", "optim.warmup_steps"),
        ("optim.grad_clip=-1", "optim.grad_clip"),
        ("optim.min_lr_ratio=5", "optim.min_lr_ratio"),
        ("text_alignment=-1", "text_alignment"),
        ("text_alignment_tasks=[dejpeg]", "text_alignment_tasks: set text_alignment above 0"),
        ("data.measured_words=1.5", "data.measured_words"),
        ("data.backward=-0.1", "data.backward"),
        ("data.people_words=2", "data.people_words"),
        ("optim.lr=.nan", "optim.lr"),
        ("optim.grad_clip=.inf", "optim.grad_clip: must be finite"),
        ("data.weights={denoise-gaussian: .nan}", "data.weights: must be finite"),
        ("model_overrides={dim: 65536}", "parameters"),
        ("model_overrides={dim: 4096}", "parameters"),
    ],
)
def test_more_bad_train_settings(tmp_path, setting, needle):
    fails_cleanly(train(tmp_path / "r", setting), needle)
    assert not (tmp_path / "r").exists()


def test_aligning_a_task_the_run_does_not_train_names_it(tmp_path):
    fails_cleanly(train(tmp_path / "r", "text_alignment=1", "text_alignment_tasks=[derain]"), "['derain'] not among")
    every = train(tmp_path / "r", "text_alignment=1", "data.tasks=['*']", "text_alignment_tasks=[darken-corection]")
    fails_cleanly(every, "['darken-corection'] not among")  # a typo under a pattern, not matched silently
    assert not (tmp_path / "r").exists()


def test_a_model_too_big_for_memory_is_refused_before_allocation(monkeypatch):
    from pixtask.models import get_config, hub

    monkeypatch.setattr(hub, "available_memory", lambda: 2**20)  # 1 MiB left
    with pytest.raises(WeightsError, match=r"config\.json: .*GiB, more than the 0\.0 GiB"):
        hub.build_checked(get_config("genlv-tiny"), "config.json")


def test_deeply_nested_json_and_yaml_name_the_file(model_dir, images, tmp_path):
    (model_dir / "config.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(WeightsError, match="nested 100,000 levels"):
        from_pretrained(model_dir)
    fails_cleanly([*run_args(images, tmp_path / "o.png"), "--model", model_dir], "config.json", "nested")
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 100_000 + "]" * 100_000)
    fails_cleanly(["train", "--config", deep], "deep.yaml", "nested")
    fails_cleanly(["train", "--set", "a=" + "[" * 100_000], "override", "nested")


@pytest.mark.parametrize("kind", ["sparse-png", "non-image"])
def test_huge_files_are_refused_before_they_are_read(images, tmp_path, kind):
    path = tmp_path / "huge.png"
    with path.open("wb") as f:
        if kind == "non-image":
            f.write(b"not an image at all " * 1000)
            f.truncate(300 * 2**20)  # 300 MiB, under the size limit: the header refuses it
        else:
            f.write(b"\x89PNG\r\n\x1a\n")
            f.truncate(30 * 2**30)  # sparse: 30 GiB on paper, nothing on disk
    needle = "not a recognised image" if kind == "non-image" else "over the limit"
    fails_cleanly(
        ["run", "-i", path, "--prompt", images / "prompt_in.png", images / "prompt_out.png", "-o", tmp_path / "o.png"],
        "huge.png",
        needle,
    )
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(ImageReadError, match=needle):
            read_image(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20  # the header is read, never the file


def test_a_folder_run_skips_an_unreadable_photo_and_finishes_the_rest(images, tmp_path, photo_128):
    folder = tmp_path / "in"
    write_image(folder / "a.png", photo_128)
    (folder / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    write_image(folder / "c.png", photo_128)
    args = ["run", "-i", folder, "--prompt", images / "prompt_in.png", images / "prompt_out.png", "--tile", "0"]
    fails_cleanly([*args, "-o", tmp_path / "out"], "1 of 3 inputs", "b.png")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.png", "c.png"]


def test_stale_temporary_cleanup_takes_the_output_name_literally(images, tmp_path):
    bystander = tmp_path / ".holiday.png.backup.tmp"
    bystander.write_bytes(b"someone else's")
    os.utime(bystander, (0, os.path.getmtime(bystander) - 2 * STALE_TMP_SECONDS))
    ok = runner.invoke(app, [str(a) for a in run_args(images, tmp_path / "*.png")])
    assert ok.exit_code == 0, ok.output
    assert bystander.read_bytes() == b"someone else's" and (tmp_path / "*.png").is_file()


def test_export_onnx_never_replaces_a_file_unasked(tmp_path):
    victim = tmp_path / "existing.png"
    victim.write_bytes(b"a photo")
    fails_cleanly(["export", "onnx", "--model", "pixtask-tiny", "--out", victim], "existing.png", "already exists")
    assert victim.read_bytes() == b"a photo"
    fails_cleanly(
        ["export", "onnx", "--model", "pixtask-tiny", "--out", tmp_path / "x.onnx", "--max-side", "64"], "--max-side"
    )
    assert not (tmp_path / "x.onnx").exists() and not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_export_checkpoint_and_eval_refuse_folders_holding_files(finished_run, bench, tmp_path):
    model = save_pretrained(create_model("genlv-tiny"), tmp_path / "model")
    before = snapshot(model)
    checkpoint = finished_run / "checkpoint-latest.pt"
    fails_cleanly(["export", "checkpoint", "--checkpoint", checkpoint, "--out", model], "model", "not empty")
    assert snapshot(model) == before
    ok = runner.invoke(
        app, ["export", "checkpoint", "--checkpoint", str(checkpoint), "--out", str(model), "--overwrite"]
    )
    assert ok.exit_code == 0, ok.output
    assert snapshot(model)["model.safetensors"] != before["model.safetensors"]

    report = tmp_path / "report"
    args = ["eval", "--bench", bench, "--identity", "--out", report]
    assert runner.invoke(app, [str(a) for a in args]).exit_code == 0
    first = snapshot(report)
    fails_cleanly(args, "report", "not empty", "--overwrite")
    assert snapshot(report) == first
    assert runner.invoke(app, [str(a) for a in [*args, "--overwrite"]]).exit_code == 0


def test_finetune_names_only_options_it_has(tmp_path, photo_128):
    for split in ("train", "val"):
        for sub in ("input", "target"):
            write_image(tmp_path / split / sub / "a.png", photo_128)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "log.csv").write_text("step,loss\n")
    args = ["finetune", "--pairs", tmp_path / "train", "--val", tmp_path / "val", "--out", tmp_path / "run"]
    line = fails_cleanly(args, "run", "--overwrite")
    assert "--resume" not in line
    fails_cleanly([*args[:-1], tmp_path / "new", "--lr", "inf"], "lr")


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"heads": [0, 2, 4, 8]}, "invalid config"),
        ({"architecture": {"GenLV": 1}}, "unknown architecture"),
        ({"ffn_factor": 0.0}, "config.json"),
    ],
)
def test_impossible_configs_are_one_line_errors(model_dir, images, tmp_path, change, needle):
    config = json.loads((model_dir / "config.json").read_text())
    (model_dir / "config.json").write_text(json.dumps({**config, **change}))
    line = fails_cleanly([*run_args(images, tmp_path / "o.png"), "--model", model_dir], needle)
    assert "config.json" in line


def test_onnx_export_of_a_token_ar_model_is_refused(tmp_path):
    fails_cleanly(
        ["export", "onnx", "--model", "ar-tiny", "--out", tmp_path / "a.onnx"], "GenLV and CondNAFNet models only"
    )
    assert not (tmp_path / "a.onnx").exists()


def test_overlap_must_leave_room_in_the_tile(images, tmp_path):
    fails_cleanly([*run_args(images, tmp_path / "o.png")[:-2], "--tile", "64", "--overlap", "32"], "--overlap")


def test_config_files_that_expand_or_never_end_are_refused(tmp_path):
    laughs = tmp_path / "laughs.yaml"
    laughs.write_text('a: &a ["lol", "lol"]\nb: &b [*a, *a]\nc: [*b, *b]\n')
    fails_cleanly(["train", "--config", laughs], "laughs.yaml", "YAML alias")
    fails_cleanly(["train", "--set", "data.tasks=[&x a, *x]"], "override", "YAML alias")
    fails_cleanly(["train", "--config", "/dev/zero"], "/dev/zero", "not a regular file")


def test_an_output_hard_linked_to_the_input_is_the_input(images, tmp_path):
    link = tmp_path / "link.png"
    os.link(images / "photo.png", link)
    before = snapshot(images)
    fails_cleanly(run_args(images, link, "--overwrite"), "input of this run")
    assert snapshot(images) == before


def test_a_checkpoint_that_is_not_ours_is_one_line(tmp_path):
    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps({"step": {1, 2}}, protocol=4))  # a set: not a weights-only object
    fails_cleanly(["export", "checkpoint", "--checkpoint", evil, "--out", tmp_path / "m"], "evil.pt")
    import warnings

    with warnings.catch_warnings(record=True) as shown:  # what a user's terminal would show beside the error
        warnings.simplefilter("always")
        runner.invoke(app, ["export", "checkpoint", "--checkpoint", str(evil), "--out", str(tmp_path / "m")])
    assert not shown, [str(w.message)[:80] for w in shown]
    assert not (tmp_path / "m").exists()


# --- round two, second probe: command lines, older commands, labels, half-finished starts -------
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "--bogus"], "--bogus"),
        (["run", "-i", "x.png"], "--output"),
        (["run", "-i", "x.png", "-o", "y.png", "--tile", "abc"], "--tile"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_command_line_mistakes_are_one_line(capsys, args, needle):
    from pixtask.cli.main import main

    assert main(args) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and err[0].startswith("error:") and needle in err[0], err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["models", "list", "--size", "33"], "--size"),
        (["models", "list", "--size", "0"], "--size"),
        (["tasks", "show", "dejpeg", "--size", "0"], "--size"),
        (["instructions", "show", "derain", "--count", "1000000000"], "--count"),
        (["instructions", "show", "derain", "--count", "0"], "--count"),
        (["instructions", "show", "derain", "--level", "9"], "--level"),
        (["demo", "--level", "9"], "--level"),
        (["demo", "--precision", "fp16"], "--precision: must be one of"),
        (["bench", "build", "--levels", "0,9", "--tasks", "dejpeg"], "levels"),
    ],
)
def test_older_commands_check_their_numbers(tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    fails_cleanly(args, needle)
    assert not list(tmp_path.iterdir())  # nothing written


def test_older_commands_replace_nothing_unasked(tmp_path, bench):
    mine = tmp_path / "task.png"
    mine.write_bytes(b"keep")
    fails_cleanly(["tasks", "show", "dejpeg", "--out", mine], "already exists")
    notes = tmp_path / "stats"
    notes.mkdir()
    (notes / "stats.json").write_text("mine")
    fails_cleanly(["instructions", "stats", "--out", notes], "not empty")
    (bench / "index.html").write_text("<p>my notes</p>")
    fails_cleanly(["bench", "show", bench], "index.html", "already exists")
    assert mine.read_bytes() == b"keep" and (notes / "stats.json").read_text() == "mine"
    assert (bench / "index.html").read_text() == "<p>my notes</p>"
    (bench / "index.html").unlink()
    for _ in range(2):  # its own page is renewed without --overwrite
        assert runner.invoke(app, ["bench", "show", str(bench)]).exit_code == 0
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "manifest.json").write_text("{}")
    fails_cleanly(["bench", "build", "--out", foreign, "--tasks", "dejpeg", "--levels", "3"], "foreign", "not empty")
    assert [p.name for p in foreign.iterdir()] == ["manifest.json"]
    report = bench / "images" / "report"
    fails_cleanly(["eval", "--bench", bench, "--identity", "--out", report, "--overwrite"], "inside an input")
    assert not report.exists()


def test_study_options_are_checked_before_anything_is_written(tmp_path, bench):
    fails_cleanly(
        [
            "study",
            "mismatch",
            "--bench",
            bench,
            "--prompt-tasks",
            "denoise-gaussian",
            "--input-tasks",
            "denoise-gaussian",
            "--max-queries",
            "0",
            "--out",
            tmp_path / "m",
        ],
        "--max-queries",
    )
    fails_cleanly(
        ["study", "few-shot", "--task", "dejpeg", "--bench", bench, "--lr", "nan", "--out", tmp_path / "f"], "lr"
    )
    fails_cleanly(
        ["study", "few-shot", "--task", "dejpeg", "--bench", bench, "--strategies", "evil", "--out", tmp_path / "f"],
        "evil",
    )
    assert not (tmp_path / "m").exists() and not (tmp_path / "f").exists()


def test_labels_cannot_forge_lines_and_invisible_words_are_no_words(images, tmp_path):
    photo = images / "photo.png"
    decvt = tmp_path / "x.json"
    decvt.write_text(
        json.dumps(
            [
                {
                    "id": "1",
                    "task": "derain\nerror: fake",
                    "source_img_A": str(photo),
                    "target_img_B": str(photo),
                    "Task_Descriptions_from_A_to_B": "the rain fades",
                }
            ]
        )
    )
    fails_cleanly(["data", "import", decvt], "x.json", "one line")
    text = tmp_path / "text.png"
    text.write_text("not an image")
    decvt.write_text(
        json.dumps(
            [
                {
                    "id": "1",
                    "source_img_A": str(text),
                    "target_img_B": str(photo),
                    "Task_Descriptions_from_A_to_B": "the rain fades",
                }
            ]
        )
    )
    fails_cleanly(["data", "import", decvt], "text.png", "not a recognised image")
    with pytest.raises(ValueError, match="instruction is empty"):
        Condition(instruction="\u200b\u200b\u200b")


def test_a_failed_start_leaves_nothing_that_blocks_the_next(tmp_path, photo_128):
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    out = tmp_path / "r"
    first = runner.invoke(app, train(out, f"data.photos={photos}"))
    assert first.exit_code != 0
    again = runner.invoke(app, train(out))  # the same folder, now with good photos
    assert again.exit_code == 0, again.output
