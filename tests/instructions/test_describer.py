"""The VLM describer against a local OpenAI-compatible server on loopback: the paper's request,
each failure mode of the server handled, the cache, resuming, rate limiting and credentials."""

from __future__ import annotations

import base64
import json

import pytest

from pixtask.core.image_io import decode_image, write_image
from pixtask.data.decvt import read_decvt
from pixtask.data.describe_pairs import describe_folder
from pixtask.data.paired_folder import PairedFolder
from pixtask.instructions.describer import (
    SYSTEM_PROMPT,
    DescribeError,
    Describer,
    DescriberConfig,
    check_reply,
    user_prompt,
)
from tests.instructions.fake_vlm import VALID, FakeVLM

KEY = "sk-test-never-written-anywhere-7f3a"


@pytest.fixture
def server():
    vlm = FakeVLM()
    yield vlm
    vlm.close()


@pytest.fixture
def pair(tmp_path, photo_128):
    write_image(tmp_path / "a.png", photo_128)
    write_image(tmp_path / "b.png", photo_128 * 0.6)
    return tmp_path / "a.png", tmp_path / "b.png"


def _describer(server, tmp_path, waits=None, **kw) -> Describer:
    config = DescriberConfig(
        server.url, "some-vlm", api_key_env="PIXTASK_TEST_KEY", timeout_s=0.5, requests_per_minute=0, **kw
    )
    return Describer(config, tmp_path / "cache", sleep=(waits.append if waits is not None else lambda s: None))


def test_the_request_is_the_papers_and_a_valid_reply_is_cached(server, pair, tmp_path, monkeypatch):
    monkeypatch.setenv("PIXTASK_TEST_KEY", KEY)
    d = _describer(server, tmp_path)
    out = d.describe(*pair)
    assert out.a_to_b == VALID["Task_Descriptions_from_A_to_B"] and out.captions["B"] == VALID["Image_B_Caption"]
    (request,) = server.requests
    body = request["body"]
    assert request["path"] == "/v1/chat/completions" and request["headers"]["Authorization"] == f"Bearer {KEY}"
    assert body["response_format"] == {"type": "json_object"} and body["max_tokens"] == 4096
    system, user = body["messages"]
    assert system == {"role": "system", "content": SYSTEM_PROMPT}
    text, image_a, image_b = user["content"]
    assert text["text"] == user_prompt(captions=True) and "1) Describe these images." in text["text"]
    assert text["text"].index("Image_A_Caption") < text["text"].index("Task_Descriptions_from_A_to_B")
    for part, path in ((image_a, pair[0]), (image_b, pair[1])):
        url = part["image_url"]["url"]
        assert url.startswith("data:image/jpeg;base64,") and part["image_url"]["detail"] == "high"
        sent = decode_image(base64.b64decode(url.split(",", 1)[1]))
        assert abs(sent - decode_image(path.read_bytes())).mean() < 0.02  # A first, then B
    again = _describer(server, tmp_path).describe(*pair)
    assert again.cached and again.a_to_b == out.a_to_b and len(server.requests) == 1


@pytest.mark.parametrize(
    "failure, reason",
    [
        ("malformed", "not JSON"),
        ("banned", "banned phrase 'image a'"),
        ("missing", "missing Task_Descriptions_from_B_to_A"),
        ("429", "HTTP 429"),
        ("500", "HTTP 500"),
        ("slow", "ReadTimeout"),
    ],
)
def test_each_failure_is_retried_with_backoff_then_succeeds(server, pair, tmp_path, failure, reason):
    server.script.extend([failure, failure])
    waits: list[float] = []
    out = _describer(server, tmp_path, waits, backoff_s=1.0).describe(*pair)
    assert out.b_to_a == VALID["Task_Descriptions_from_B_to_A"] and len(server.requests) == 3
    assert waits == ([3.0, 3.0] if failure == "429" else [1.0, 2.0])  # Retry-After honoured, else doubling
    server.script.extend([failure] * 3)
    with pytest.raises(DescribeError, match=rf"no valid reply after 3 attempts \(last: .*{reason}"):
        _describer(server, tmp_path / "fresh", attempts=3).describe(*pair)
    assert not (tmp_path / "fresh").exists()  # nothing cached for a pair that got no valid reply


def test_a_refused_request_is_not_retried(server, pair, tmp_path):
    server.script.append("401")
    with pytest.raises(DescribeError, match=r"a.png, b.png: the endpoint refused the request \(HTTP 401\)"):
        _describer(server, tmp_path).describe(*pair)
    assert len(server.requests) == 1


def test_requests_are_rate_limited(server, pair, tmp_path, photo_128_b):
    waits: list[float] = []
    config = DescriberConfig(server.url, "m", requests_per_minute=60, timeout_s=2)
    d = Describer(config, tmp_path / "cache", sleep=waits.append)
    write_image(tmp_path / "c.png", photo_128_b)
    d.describe(*pair)
    d.describe(pair[0], tmp_path / "c.png")
    assert len(waits) == 1 and 0.9 < waits[0] <= 1.0  # one second apart at 60 a minute


def test_reply_checks():
    assert check_reply(json.dumps(VALID), captions=True)["Image_A_Caption"] == "a cat on a rug"
    no_captions = {k: v for k, v in VALID.items() if "Caption" not in k}
    assert set(check_reply(json.dumps(no_captions), captions=False)) == set(no_captions)
    for bad, why in (('["x"]', "not a JSON object"), (json.dumps({**VALID, "Image_A_Caption": " "}), "empty")):
        with pytest.raises(ValueError, match=why):
            check_reply(bad, captions=True)


def test_a_folder_is_described_to_decvt_and_an_interrupted_run_resumes(server, tmp_path, photo_128, monkeypatch):
    monkeypatch.setenv("PIXTASK_TEST_KEY", KEY)
    for i in range(3):
        write_image(tmp_path / "pairs" / "input" / f"p{i}.png", photo_128 * (0.5 + 0.1 * i))
        write_image(tmp_path / "pairs" / "target" / f"p{i}.png", photo_128)
    folder = PairedFolder.open(tmp_path / "pairs")
    out = tmp_path / "described.json"

    def interrupt_after_two(n, total, stem, cached):
        if n == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        describe_folder(folder, _describer(server, tmp_path), out, on_pair=interrupt_after_two)
    assert len(read_decvt(out)) == 2 and len(server.requests) == 2  # the partial file is valid
    seen = []
    _, failed = describe_folder(
        folder, _describer(server, tmp_path), out, on_pair=lambda n, t, s, cached: seen.append(cached)
    )
    assert seen == [True, True, False] and len(server.requests) == 3 and not failed
    written = read_decvt(out)
    assert [p.id for p in written] == ["p0", "p1", "p2"] and written[0].captions["A"] == VALID["Image_A_Caption"]
    # the key went out in the header and nowhere else
    everything = out.read_text() + "".join(p.read_text() for p in (tmp_path / "cache").rglob("*.json"))
    assert KEY not in everything


def test_a_pair_that_fails_is_reported_and_the_rest_are_written(server, tmp_path, photo_128):
    for i in range(2):
        write_image(tmp_path / "pairs" / "input" / f"p{i}.png", photo_128 * (0.5 + 0.1 * i))
        write_image(tmp_path / "pairs" / "target" / f"p{i}.png", photo_128)
    server.script.extend(["400"])
    pairs, failed = describe_folder(
        PairedFolder.open(tmp_path / "pairs"), _describer(server, tmp_path), tmp_path / "out.json"
    )
    assert list(failed) == ["p0"] and "HTTP 400" in failed["p0"] and [p.id for p in pairs] == ["p1"]


def test_cli_describe(server, tmp_path, photo_128, monkeypatch):
    from typer.testing import CliRunner

    from pixtask.cli.main import app

    monkeypatch.setenv("PIXTASK_TEST_KEY", KEY)
    for i in range(2):
        write_image(tmp_path / "pairs" / "input" / f"p{i}.png", photo_128 * (0.5 + 0.1 * i))
        write_image(tmp_path / "pairs" / "target" / f"p{i}.png", photo_128)
    args = ["instructions", "describe", "--pairs", str(tmp_path / "pairs"), "--endpoint", server.url]
    args += ["--model", "m", "--api-key-env", "PIXTASK_TEST_KEY", "--rpm", "0", "--task", "retouch"]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    assert "2 pairs described (2 requests sent)" in done.output and KEY not in done.output
    assert [p.task for p in read_decvt(tmp_path / "pairs" / "decvt.json")] == ["retouch", "retouch"]
    (tmp_path / "other.json").write_text(json.dumps([{"id": "zz", "a_img_A": "x", "b_img_B": "y",
                                                      "Task_Descriptions_from_A_to_B": "t"}]))  # fmt: skip
    before = (tmp_path / "other.json").read_bytes()
    refused = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "other.json")])
    assert refused.exit_code == 2 and "other.json: already exists; pass --overwrite" in refused.output
    assert (tmp_path / "other.json").read_bytes() == before  # nothing replaced without --overwrite
    resumed = CliRunner().invoke(app, [*args, "--overwrite"])  # the cached replies are used again
    assert resumed.exit_code == 0 and "2 pairs described (0 requests sent)" in resumed.output, resumed.output
