from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pixtask.cli.main import app
from pixtask.core.image_io import read_image

runner = CliRunner()


def test_tasks_list_json():
    result = runner.invoke(app, ["tasks", "list", "--json"])
    assert result.exit_code == 0, result.output
    tasks = json.loads(result.output)
    assert len(tasks) >= 60
    assert {t["category"] for t in tasks} == {"restoration", "enhancement", "stylization", "feature extraction"}
    assert all(t["metric"] and isinstance(t["levels"], list) for t in tasks)


def test_tasks_list_table_and_filter():
    result = runner.invoke(app, ["tasks", "list", "--category", "feature extraction"])
    assert result.exit_code == 0 and "canny" in result.output and "denoise" not in result.output
    bad = runner.invoke(app, ["tasks", "list", "--category", "colour"])
    assert bad.exit_code == 2 and "unknown category 'colour'" in bad.output


def test_tasks_show_writes_a_grid_per_level(tmp_path):
    out = tmp_path / "grid.png"
    result = runner.invoke(app, ["tasks", "show", "denoise-gaussian", "--out", str(out), "--size", "64"])
    assert result.exit_code == 0, result.output
    grid = read_image(out)
    assert grid.shape[0] > 5 * 64  # five levels stacked


def test_unknown_task_exits_2_with_suggestion(tmp_path):
    result = runner.invoke(app, ["tasks", "show", "canni", "--out", str(tmp_path / "x.png")])
    assert result.exit_code == 2
    assert "unknown task 'canni'" in result.output and "did you mean 'canny'" in result.output


def test_bench_build_show_verify(tmp_path):
    out = tmp_path / "bench"
    args = ["bench", "build", "--out", str(out), "--size", "64", "--tasks", "canny,sr-x2", "--prompts", "2"]
    result = runner.invoke(app, [*args, "--max-queries", "1"])
    assert result.exit_code == 0, result.output
    assert "wrote 6 samples of 2 tasks" in result.output
    page = runner.invoke(app, ["bench", "show", str(out)])
    assert page.exit_code == 0 and (out / "index.html").read_text().count("<img") == 12
    assert runner.invoke(app, ["bench", "verify", str(out)]).exit_code == 0
    next((out / "images").rglob("*.png")).write_bytes(b"x")
    assert runner.invoke(app, ["bench", "verify", str(out)]).exit_code == 1


def test_bench_show_on_a_non_benchmark(tmp_path):
    result = runner.invoke(app, ["bench", "show", str(tmp_path)])
    assert result.exit_code == 2 and "no manifest.json" in result.output


def test_bad_levels_option(tmp_path):
    result = runner.invoke(app, ["bench", "build", "--out", str(tmp_path), "--levels", "high"])
    assert result.exit_code == 2 and "--levels takes" in result.output


def test_task_catalogue_in_docs_is_up_to_date():
    from pathlib import Path

    result = runner.invoke(app, ["tasks", "list", "--markdown"])
    docs = (Path(__file__).resolve().parents[2] / "docs" / "tasks.md").read_text()
    assert result.output.strip() in docs, "run `python scripts/make_docs.py`"


@pytest.fixture(scope="module")
def models_listed() -> dict:
    """`pixtask models list --json` once (it builds every architecture to count it: 11 s)."""
    result = runner.invoke(app, ["models", "list", "--json"])
    assert result.exit_code == 0, result.output
    return {r["name"]: r for r in json.loads(result.output)}


def test_models_list_json_has_table_one_numbers(models_listed):
    rows = models_listed
    assert rows["genlv-base"]["params_thop_M"] == 38.7737 and rows["genlv-base"]["gmacs_thop"] == 296.55


def test_run_on_a_file_and_a_folder(tmp_path, photo_128):
    import numpy as np
    import torch

    from pixtask.core.image_io import write_image
    from pixtask.models import create_model, save_pretrained

    torch.manual_seed(0)
    save_pretrained(create_model("genlv-tiny"), tmp_path / "model")
    for i in range(2):
        write_image(tmp_path / "in" / f"{i}.png", np.roll(photo_128, i * 9, axis=0)[:96, :80])
    write_image(tmp_path / "p_in.png", photo_128)
    write_image(tmp_path / "p_out.png", photo_128 * 0.5)
    common = ["--prompt", str(tmp_path / "p_in.png"), str(tmp_path / "p_out.png"), "--model", str(tmp_path / "model")]
    one = runner.invoke(app, ["run", "-i", str(tmp_path / "in" / "0.png"), "-o", str(tmp_path / "o.png"), *common])
    assert one.exit_code == 0, one.output
    assert read_image(tmp_path / "o.png").shape == (96, 80, 3)
    many = runner.invoke(app, ["run", "-i", str(tmp_path / "in"), "-o", str(tmp_path / "out"), *common])
    assert many.exit_code == 0, many.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["0.png", "1.png"]


def test_run_reports_missing_weights_and_bad_prompt(tmp_path, photo_128):
    from pixtask.core.image_io import write_image

    write_image(tmp_path / "x.png", photo_128)
    missing = runner.invoke(
        app,
        ["run", "-i", str(tmp_path / "x.png"), "--prompt", "a.png", "b.png", "-o", "o.png", "--model", str(tmp_path)],
    )
    assert missing.exit_code == 2 and "no config.json" in missing.output


def test_train_and_resume_from_the_cli(tmp_path):
    common = [
        "train",
        "--config",
        "configs/tiny.yaml",
        "--set",
        f"out_dir={tmp_path}",
        "--set",
        "data.crop=32",
        "--set",
        "batch_size=2",
        "--set",
        "data.workers=0",
        "--set",
        "precision=fp32",
        "--set",
        "data.max_side=160",
        "--set",
        "checkpoint_every=1",
    ]
    first = runner.invoke(app, [*common, "--set", "steps=2"])
    assert first.exit_code == 0, first.output
    assert "trained to step 2" in first.output
    again = runner.invoke(app, [*common, "--set", "steps=3", "--resume"])
    assert again.exit_code == 0, again.output
    assert "trained to step 3" in again.output
    bad = runner.invoke(app, ["train", "--set", "optim.lrr=1"])
    assert bad.exit_code == 2 and "unknown config key 'optim.lrr'" in bad.output
    # a model folder from the checkpoint, as for evaluating a run before it ends
    ckpt = str(tmp_path / "checkpoint-latest.pt")
    exported = runner.invoke(app, ["export", "checkpoint", "--checkpoint", ckpt, "--out", str(tmp_path / "at3")])
    assert exported.exit_code == 0, exported.output
    assert "ema weights at step 3" in exported.output
    assert json.loads((tmp_path / "at3" / "training.json").read_text())["checkpoint_step"] == 3
    missing = runner.invoke(app, ["export", "checkpoint", "--checkpoint", str(tmp_path / "nope.pt"), "--out", "x"])
    assert missing.exit_code == 2 and "no checkpoint at" in missing.output


def test_eval_identity_and_model(tmp_path):
    import torch

    from pixtask.models import create_model, save_pretrained

    bench = tmp_path / "bench"
    built = runner.invoke(
        app,
        [
            "bench",
            "build",
            "--out",
            str(bench),
            "--size",
            "64",
            "--tasks",
            "dejpeg,canny",
            "--levels",
            "3",
            "--prompts",
            "2",
            "--max-queries",
            "1",
        ],
    )
    assert built.exit_code == 0, built.output
    ident = runner.invoke(app, ["eval", "--bench", str(bench), "--identity", "--out", str(tmp_path / "id")])
    assert ident.exit_code == 0, ident.output
    assert "restoration (psnr): model" in ident.output and (tmp_path / "id" / "report.html").is_file()
    torch.manual_seed(0)
    save_pretrained(create_model("genlv-tiny"), tmp_path / "model")
    result = runner.invoke(
        app,
        [
            "eval",
            "--bench",
            str(bench),
            "--model",
            str(tmp_path / "model"),
            "--precision",
            "fp32",
            "--out",
            str(tmp_path / "ev"),
        ],
    )
    assert result.exit_code == 0, result.output
    both = runner.invoke(app, ["eval", "--bench", str(bench), "--identity", "--model", str(tmp_path / "model")])
    assert both.exit_code == 2 and "exactly one of" in both.output


@pytest.mark.slow
def test_demo_writes_gallery_and_report(tmp_path):
    import torch

    from pixtask.models import create_model, save_pretrained

    torch.manual_seed(0)
    save_pretrained(create_model("genlv-tiny-text", dim=8, prompt_nf=8), tmp_path / "model")
    out = tmp_path / "demo"
    r = runner.invoke(app, ["demo", "--model", str(tmp_path / "model"), "--tasks", "dejpeg,canny", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "dejpeg" in r.output and "canny" in r.output and "instruction/report.html" in r.output
    # it names only files it wrote, and its table fits an 80-column terminal without cutting numbers
    [wrote] = [line for line in r.output.splitlines() if line.startswith("wrote ")]
    named = wrote.removeprefix("wrote ").split(", ")
    assert len(named) == 4 and all(Path(p).is_file() for p in named), named
    assert all(len(line) <= 80 for line in r.output.splitlines() if "│" in line) and "…" not in r.output
    gallery = read_image(out / "gallery.png")
    # 2 task rows; 6 columns of 160 px: input, prompt pair, output told by example, told in words, target
    assert gallery.shape[0] > 2 * 160 and gallery.shape[1] > 6 * 160
    for mode in ("example", "instruction"):
        summary = json.loads((out / mode / "summary.json").read_text())
        assert summary["tasks"]["dejpeg"]["queries"] == 6  # the six bundled test photos
    words = (out / "instructions.md").read_text()
    assert "**dejpeg**" in words and "**canny**" in words
    missing = runner.invoke(app, ["demo", "--model", str(tmp_path / "nope"), "--out", str(out)])
    assert missing.exit_code == 2 and "neither a model folder nor a shipped model" in missing.output


def test_models_list_shows_the_ar_architectures(models_listed):
    rows = models_listed
    assert rows["vq-tiny"]["architecture"] == "VQTokenizer" and rows["ar-tiny-lm"]["architecture"] == "ARModel"
    # by hand: 4 layers x (qkv 192x576 + out 192x192 + SwiGLU 192x1024 + 512x192 + norms 384 + QK-norms 64)
    # + final norm 192 = 1,771,456; embedding and head 2 x 1558 x 192; the VQ tokenizer 2,441,955
    assert rows["ar-tiny-lm"]["params"] == 4 * 442_816 + 192 + 2 * 1558 * 192 + 2_441_955


def test_the_demo_table_fits_80_columns_with_the_longest_names_and_scores():
    from rich.console import Console

    from pixtask.cli.demo import summary_table

    rows = {
        "lowlight-enhancement": {"metric": "psnr", "model": 24.89, "gain": 13.02, "identity": 11.87},
        "cartoon": {"metric": "perceptual-proxy", "model": 0.59, "gain": -0.03, "identity": 0.59},
        "canny": {"metric": "mae", "model": 98.26, "gain": -67.21, "identity": 123.49},
    }
    summaries = {m: {"tasks": rows} for m in ("example", "instruction")}
    console = Console(width=80, record=True)
    console.print(summary_table(summaries, ["example", "instruction"], "a title"))
    text = console.export_text()
    assert "…" not in text and "24.89 (+13.02)" in text and "98.26 (-67.21)" in text, text
    assert all(len(line) <= 80 for line in text.splitlines())


def test_run_told_both_ways_says_which_way_it_kept(tmp_path, photo_128):
    from pixtask.core.image_io import write_image

    write_image(tmp_path / "x.png", photo_128[:64, :64])
    write_image(tmp_path / "a.png", photo_128[64:, 64:])
    write_image(tmp_path / "b.png", photo_128[64:, 64:] * 0.4)  # a darkened example
    args = ["run", "-i", str(tmp_path / "x.png"), "--prompt", str(tmp_path / "a.png"), str(tmp_path / "b.png")]
    args += ["--instruction", "the colours warm up as if lit by a late sun"]
    bad = runner.invoke(app, [*args, "-o", str(tmp_path / "o.png"), "--both", "bogus"])
    assert bad.exit_code == 2 and "--both: must be check or fuse, got 'bogus'" in bad.output
    assert not (tmp_path / "o.png").exists()
    checked = runner.invoke(app, [*args, "-o", str(tmp_path / "checked.png")])
    assert checked.exit_code == 0, checked.output
    assert "checked on your example pair" in checked.output and "your words were not used" in checked.output
    fused = runner.invoke(app, [*args, "-o", str(tmp_path / "fused.png"), "--both", "fuse"])
    assert fused.exit_code == 0 and "checked on your example pair" not in fused.output


@pytest.mark.parametrize("command", [["study", "modes"], ["eval", "--model", "pixtask-naf-base", "--prompt"]])
def test_studies_and_eval_refuse_an_unknown_both_policy_first(tmp_path, command):
    result = runner.invoke(app, [*command, "--bench", str(tmp_path), "--out", str(tmp_path / "o"), "--both", "mix"])
    assert result.exit_code == 2 and "--both: must be check or fuse, got 'mix'" in result.output
    assert not (tmp_path / "o").exists()
