"""`pixtask study modes` and `pixtask study explanatory ...`: the condition-mode and zero-shot
studies as commands (argument parsing, and a tiny run of each on a one-task benchmark)."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from pixtask.cli.main import app
from pixtask.data.benchmark import BenchmarkConfig, build_benchmark
from pixtask.models import create_model, save_pretrained

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize(
    ("command", "options"),
    [
        (["modes"], ["--bench", "--visual-summary", "--visual-name", "--instructions"]),
        (["explanatory"], ["tasks", "space", "instruction", "task"]),
        (["explanatory", "tasks"], ["--config", "--held-out"]),
        (["explanatory", "space"], ["--out"]),
        (["explanatory", "instruction"], ["--bench", "--model"]),
        (["explanatory", "task"], ["--bench", "--explanatory", "--terminological", "--heldout-only", "--held-out"]),
    ],
)
def test_the_study_commands_parse(command, options):
    result = invoke("study", *command, "--help")
    assert result.exit_code == 0, result.output
    for option in options:
        assert option in result.output, option


def test_the_task_level_benchmark_tasks_come_from_its_config(tmp_path):
    config = tmp_path / "zs.yaml"
    config.write_text(yaml.safe_dump({"data": {"tasks": ["dejpeg", "canny"]}}))
    result = invoke("study", "explanatory", "tasks", "--config", config, "--held-out", "derain,sobel")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "dejpeg,canny,derain,sobel"


def test_bad_study_options_are_one_line_errors(tmp_path):
    result = invoke("study", "modes", "--bench", tmp_path, "--instructions", "both")
    assert result.exit_code == 2
    assert "error: --instructions is user, user-blind, heldout or train, not 'both'" in result.output
    missing = invoke("study", "explanatory", "task", "--bench", tmp_path, "--explanatory", tmp_path)
    assert missing.exit_code == 2 and "--terminological" in missing.output


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A one-task, one-query benchmark and a tiny untrained model that reads words."""
    root = tmp_path_factory.mktemp("study")
    bench = root / "bench"
    build_benchmark(bench, BenchmarkConfig(size=64, tasks="denoise-gaussian", levels=(3,), prompts=1, max_queries=1))
    model = save_pretrained(
        create_model("genlv-tiny-text", dim=8, prompt_nf=8), root / "model", record={"trained_tasks": ["dejpeg"]}
    )
    return bench, model


def test_the_condition_mode_study_runs(tiny, tmp_path):
    bench, model = tiny
    out = tmp_path / "modes"
    result = invoke("study", "modes", "--bench", bench, "--model", model, "--out", out, "--device", "cpu")
    assert result.exit_code == 0, result.output
    assert "in words beats identity on" in result.output and f"wrote {out / 'modes.md'}" in result.output
    modes = json.loads((out / "modes.json").read_text())
    assert modes["model"] == str(model) and modes["instruction_split"] == "heldout"
    assert {"example", "instruction", "both"} <= {p.name for p in out.iterdir()}
    # a second run refuses the earlier study, whole, unless told to replace it
    before = (out / "modes.json").read_bytes()
    again = invoke("study", "modes", "--bench", bench, "--model", model, "--out", out, "--device", "cpu")
    assert again.exit_code == 2 and f"{out}: is not empty; choose a new folder or pass --overwrite" in again.output
    assert (out / "modes.json").read_bytes() == before
    replaced = invoke(
        "study", "modes", "--bench", bench, "--model", model, "--out", out, "--device", "cpu", "--overwrite"
    )
    assert replaced.exit_code == 0, replaced.output


@pytest.mark.parametrize(
    "command", [["prompts"], ["zero-shot"], ["mismatch", "--prompt-tasks", "x", "--input-tasks", "y"]]
)
def test_every_study_refuses_a_folder_with_an_earlier_study(tiny, tmp_path, command):
    bench, model = tiny
    (tmp_path / "keep.md").write_text("mine")
    result = invoke("study", *command, "--bench", bench, "--model", model, "--out", tmp_path)
    assert result.exit_code == 2 and f"{tmp_path}: is not empty" in result.output
    assert (tmp_path / "keep.md").read_text() == "mine"
    inside = invoke("study", *command, "--bench", bench, "--model", model, "--out", bench / "x")
    assert inside.exit_code == 2 and "is inside an input of this run" in inside.output


def test_the_task_level_study_writes_its_part_and_the_page(tiny, tmp_path):
    bench, model = tiny
    out = tmp_path / "zs"
    args = ["--explanatory", model, "--terminological", model, "--held-out", "denoise-gaussian", "--heldout-only"]
    result = invoke("study", "explanatory", "task", "--bench", bench, "--out", out, "--device", "cpu", *args)
    assert result.exit_code == 0, result.output
    part = json.loads((out / "task_level.json").read_text())
    assert part["heldout_tasks"] == ["denoise-gaussian"] and part["styles"] == ["explanatory", "terminological"]
    page = (out / "zero_shot.md").read_text()
    assert "`pixtask study explanatory task --bench /root/bench-zs --heldout-only" in page
