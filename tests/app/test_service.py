"""The app's request logic, without a browser: conditions, limits and error messages."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch

from pixtask.app.examples import example_pair, example_photos, fingerprint
from pixtask.app.service import INTERNAL_ERROR, AppError, Limits, PixtaskService
from pixtask.core.guards import printable
from pixtask.core.image_io import read_image, write_image
from pixtask.models import create_model, save_pretrained


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    torch.manual_seed(0)
    save_pretrained(create_model("genlv-tiny-text", dim=8, prompt_nf=8), folder / "words")
    models = {"words": str(folder / "words"), "pixtask-tiny": "pixtask-tiny"}
    return PixtaskService(models, Limits(max_bytes=2 * 2**20, max_pixels=300_000), device="cpu")


@pytest.fixture(scope="module")
def photo(tmp_path_factory, photo_128):
    path = tmp_path_factory.mktemp("in") / "photo.png"
    write_image(path, photo_128)
    return path


def test_an_example_pair_never_comes_from_the_input_photo():
    first = example_photos()[0]
    img = first.load()
    p_in, p_out, source = example_pair("derain", None, img)
    assert source != first.id and p_in.shape == p_out.shape == (256, 256, 3)
    assert not np.array_equal(p_in, p_out)
    assert np.abs(fingerprint(img) - fingerprint(read_image(first.path))).mean() < 0.01


def test_each_condition_mode(service, photo, tmp_path):
    library = service.run(photo, model="words", task="white-balance", level=3)
    assert library.told == "example" and "synthesised" in library.report and library.example is not None
    words = service.run(photo, model="words", instruction="the colours warm up as if lit by a low sun")
    assert words.told == "instruction" and words.example is None
    write_image(tmp_path / "a.png", read_image(photo))
    write_image(tmp_path / "b.png", read_image(photo) * 0.5)
    both = service.run(photo, model="words", pair=(tmp_path / "a.png", tmp_path / "b.png"), instruction="darker")
    assert both.told == "both" and "your example pair and your instruction" in both.report
    assert "checked on your example pair" in both.report  # which way was kept is said
    for r in (library, words, both):
        assert r.output.shape == r.input.shape and read_image(r.path).shape == r.input.shape


def test_errors_are_one_line_messages(service, photo, tmp_path):
    with pytest.raises(AppError, match=r"needs an example pair.*an instruction") as refused:
        service.run(photo, model="words")
    assert "--" not in str(refused.value)  # the page names no CLI flag
    with pytest.raises(AppError, match="reads no instructions"):
        service.run(photo, model="pixtask-tiny", instruction="the colours warm up")
    (tmp_path / "bad.png").write_bytes(b"not an image at all")
    with pytest.raises(AppError, match=r"^the input photo could not be read as an image"):
        service.run(tmp_path / "bad.png", model="words", task="derain")
    write_image(tmp_path / "big.png", np.zeros((600, 600, 3), np.float32))
    with pytest.raises(AppError, match=r"input photo could not be read.*exceeds the limit of 300,000"):
        service.run(tmp_path / "big.png", model="words", task="derain")
    with pytest.raises(AppError, match="needs both images"):
        service.run(photo, model="words", pair=(photo, None))
    with pytest.raises(AppError, match="not both"):
        service.run(photo, model="words", task="derain", pair=(photo, photo))


def test_requests_from_many_threads_compute_on_the_service_thread(service, photo):
    """Memory stays flat only if model work stays on the service's long-lived threads."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    names = []
    pipeline = service.pipeline

    def recording(name):
        names.append(threading.current_thread().name)
        return pipeline(name)

    service.pipeline = recording
    try:
        with ThreadPoolExecutor(3) as pool:
            runs = [pool.submit(service.run, photo, model="words", instruction="darker") for _ in range(3)]
            assert all(r.result().told == "instruction" for r in runs)
    finally:
        del service.pipeline
    assert names and all(n.startswith("pixtask-compute") for n in names), names


@pytest.mark.slow
def test_a_large_photo_reports_progress_tile_by_tile(service, tmp_path):
    big = np.random.default_rng(0).random((600, 96, 3)).astype(np.float32)  # taller than the 512-pixel tile
    write_image(tmp_path / "big.png", big)
    ticks = []
    small = PixtaskService(dict(service.models), Limits(max_pixels=1_000_000), device="cpu")
    result = small.run(
        tmp_path / "big.png", model="words", instruction="darker", on_tile=lambda d, t: ticks.append((d, t))
    )
    assert result.output.shape == big.shape
    total = ticks[-1][1]
    assert total > 1 and ticks == [(i, total) for i in range(1, total + 1)], ticks


def test_the_token_ar_model_is_served_in_words_only(photo):
    """The shipped ar-tiny is in the app's model list and answers instructions; an example is refused."""
    from pixtask.models.hub import list_pretrained

    assert "ar-tiny" in list_pretrained()
    service = PixtaskService({"ar-tiny": "ar-tiny"}, device="cpu")
    try:
        assert service.modes("ar-tiny") == ("instruction",)
        out = service.run(photo, model="ar-tiny", instruction="the grain fades and the surfaces turn smooth")
        assert out.told == "instruction" and out.output.shape == out.input.shape
        assert not np.array_equal(out.output, out.input)
        with pytest.raises(AppError, match=r"told in words only; give an instruction without an example"):
            service.run(photo, model="ar-tiny", task="derain", level=3)
    finally:
        service.close()


@pytest.mark.parametrize(
    ("instruction", "message"),
    [
        ("\ud800", r"^the instruction is not valid UTF-8 text$"),  # what a JSON "\ud800" decodes to
        ("\x1b[31mred\x1b[0m", r"^the instruction holds the control character U\+001B; give plain text$"),
        ("w" * 2001, r"^the instruction is 2,001 characters long; the limit is 2,000$"),
        (5, r"^the instruction must be text$"),
    ],
    ids=["surrogate", "ansi", "overlong", "not-text"],
)
def test_hostile_words_are_refused_in_one_user_worded_line(service, photo, instruction, message):
    with pytest.raises(AppError, match=message) as refused:
        service.run(photo, model="words", instruction=instruction)
    assert printable(str(refused.value)) == str(refused.value) and "\n" not in str(refused.value)


def test_every_request_error_is_one_printable_line(service, photo, tmp_path):
    """Names, numbers and uploads a hostile client sends: never a raw traceback, never its raw text."""
    (tmp_path / "gone.png").write_bytes(b"")
    (tmp_path / "gone.png").unlink()
    cases = {
        "unknown model '\\x1b[31mnope nope'; choose one of words, pixtask-tiny": dict(model="\x1b[31mnope\nnope"),
        "unknown model 42; choose one": dict(model=42),
        "unknown task '\\x1b[2Jx'": dict(task="\x1b[2Jx"),
        "unknown task 3.5; choose one from the library": dict(task=3.5),
        "the severity must be a finite number, got nan": dict(task="derain", level=float("nan")),
        "the severity must be at most 5, got 99": dict(task="derain", level=99),
        "the severity must be a number, got 'x'": dict(task="derain", level="x"),
        "the input photo could not be read; upload it again": dict(image=tmp_path / "gone.png"),
        "the example's before image could not be read; upload it again": dict(pair=(tmp_path / "gone.png", photo)),
    }
    for expected, request in cases.items():
        request = {"image": photo, "model": "words", "instruction": "darker", **request}
        with pytest.raises(AppError) as refused:
            service.run(request.pop("image"), **request)
        text = str(refused.value)
        assert text.startswith(expected), (request, text)
        assert printable(text) == text and "\n" not in text and len(text) <= 300, text


def test_an_unexpected_error_is_a_generic_line_and_its_traceback_is_logged_escaped(service, photo, caplog):
    def broken(name):
        raise RuntimeError("CUDA out of memory \x1b[31m\n  internal detail")

    service.pipeline = broken
    try:
        with caplog.at_level(logging.INFO, logger="pixtask.app"), pytest.raises(AppError) as failed:
            service.run(photo, model="words", instruction="darker")
    finally:
        del service.pipeline
    assert str(failed.value) == INTERNAL_ERROR
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Traceback" in logged and "CUDA out of memory \\x1b[31m" in logged and "\x1b" not in logged


def test_request_text_reaches_the_log_escaped(service, photo, caplog):
    with caplog.at_level(logging.INFO, logger="pixtask.app"):
        with pytest.raises(AppError):
            service.run(photo, model="words", instruction="\x1b[2J\x1b[31mwiped\ud800")
        service.run(photo, model="words", instruction="les couleurs se réchauffent")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "\\x1b[2J\\x1b[31mwiped\\ud800" in logged and "les couleurs se réchauffent" in logged
    assert "\x1b" not in logged and "\ud800" not in logged


def test_limits_are_checked():
    for bad in (dict(max_bytes=0), dict(max_pixels=-1), dict(file_ttl_s=float("inf")), dict(max_bytes=1.5)):
        with pytest.raises(ValueError, match=next(iter(bad))):
            Limits(**bad)
