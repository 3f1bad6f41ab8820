from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from pixtask.core.image_io import write_image
from pixtask.evaluation.metrics import psnr
from pixtask.models import create_model
from pixtask.pipelines import GenLVPipeline
from pixtask.pipelines.tiling import pad_to_multiple, tiled_apply


@pytest.fixture(scope="module")
def pipe():
    torch.manual_seed(0)
    return GenLVPipeline(create_model("genlv-tiny"), device="cpu", precision="fp32")


@pytest.fixture(scope="module")
def prompt(photo_128):
    return photo_128, np.clip(photo_128 * 0.5, 0, 1).astype(np.float32)


@pytest.mark.parametrize(("h", "w"), [(37, 53), (64, 64), (101, 77)])
def test_any_size_round_trips(pipe, prompt, h, w):
    img = np.random.default_rng(0).random((h, w, 3)).astype(np.float32)
    out = pipe(img, prompt).array
    assert out.shape == (h, w, 3) and out.dtype == np.float32 and out.min() >= 0 and out.max() <= 1


def test_padding_is_reflect_and_cropped_back():
    x = torch.arange(2 * 3 * 5 * 6, dtype=torch.float32).reshape(2, 3, 5, 6)
    padded, size = pad_to_multiple(x, 4)
    assert padded.shape[-2:] == (8, 8) and size == (5, 6)
    assert torch.equal(padded[..., :5, :6], x)
    assert torch.equal(padded[..., 5, :6], x[..., 3, :])  # reflect, not edge-repeat


def test_input_kinds_agree(pipe, prompt, tmp_path, photo_128):
    write_image(tmp_path / "q.png", photo_128)
    from_path = pipe(tmp_path / "q.png", prompt).array
    from_pil = pipe(Image.open(tmp_path / "q.png"), prompt).array
    from_u8 = pipe(np.asarray(Image.open(tmp_path / "q.png")), prompt).array
    assert np.array_equal(from_path, from_pil) and np.array_equal(from_path, from_u8)
    assert pipe(tmp_path / "q.png", prompt).image.size == (128, 128)


def test_prompt_errors(pipe, prompt, photo_128):
    with pytest.raises(ValueError, match="needs an example pair"):
        pipe(photo_128)
    with pytest.raises(ValueError, match="the prompt images must have the same size"):
        pipe(photo_128, (prompt[0], prompt[1][:64]))
    with pytest.raises(ValueError, match=r"float images must lie in \[0, 1\]"):
        pipe(photo_128 * 3, prompt)


def test_tiles_never_exceed_the_tile_size():
    seen = []

    def fn(t):
        seen.append(tuple(t.shape[-2:]))
        return t

    x = torch.rand(1, 3, 320, 448)
    out = tiled_apply(fn, x, tile=128, overlap=32, multiple=32)
    assert max(max(s) for s in seen) == 128
    assert len(seen) == 3 * 5  # rows start at 0, 96, 192; columns at 0, 96, 192, 288, 320
    torch.testing.assert_close(out, x)  # blending weights are normalised exactly


@pytest.mark.slow
def test_tiled_matches_untiled_on_512x768(prompt):
    # one block per level: every layer kind (windows, channel and prompt attention) at a third of the time
    torch.manual_seed(0)
    pipe = GenLVPipeline(
        create_model("genlv-tiny", num_blocks=[1, 1, 1, 1], num_refinement=1), device="cpu", precision="fp32"
    )
    rng = np.random.default_rng(0)
    from pixtask.data.photos import bundled_photos

    photo = next(p for p in bundled_photos() if p.id == "bundled/astronaut").load()[:512]
    img = np.concatenate([photo, photo[:, :256]], axis=1)[:, :768] if photo.shape[1] < 768 else photo[:, :768]
    img = np.clip(img + rng.normal(0, 0.01, img.shape), 0, 1).astype(np.float32)
    assert img.shape == (512, 768, 3)
    whole = pipe(img, prompt, tile=None).array
    tiled = pipe(img, prompt, tile=384).array
    assert psnr(tiled, whole) > 45.0
