from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from pixtask.core.image_io import ImageReadError, read_image, write_image


def _grad(h=12, w=16) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x / (w - 1), y / (h - 1), (x + y) / (h + w - 2)], axis=2).astype(np.float32)


def test_rgb_png_round_trip(tmp_path: Path):
    img = _grad()
    write_image(tmp_path / "a.png", img)
    back = read_image(tmp_path / "a.png")
    assert back.dtype == np.float32 and back.shape == img.shape
    assert np.abs(back - img).max() <= 0.5 / 255 + 1e-6


def test_write_leaves_no_temporary_files(tmp_path: Path):
    write_image(tmp_path / "a.png", _grad())
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]


def test_grey_is_replicated(tmp_path: Path):
    Image.fromarray(np.full((5, 7), 128, np.uint8), "L").save(tmp_path / "g.png")
    img = read_image(tmp_path / "g.png")
    assert img.shape == (5, 7, 3)
    assert np.allclose(img, 128 / 255)


def test_rgba_is_composited_over_white(tmp_path: Path):
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 255  # red
    rgba[..., 3] = 0  # fully transparent ...
    rgba[0, 0, 3] = 255  # ... except one opaque pixel
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    img = read_image(tmp_path / "a.png")
    assert np.allclose(img[1, 1], 1.0)  # transparent -> white
    assert np.allclose(img[0, 0], [1.0, 0.0, 0.0])


def test_palette_image(tmp_path: Path):
    pil = Image.fromarray((_grad() * 255).astype(np.uint8)).convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    pil.save(tmp_path / "p.png")
    img = read_image(tmp_path / "p.png")
    assert img.shape == (12, 16, 3)
    assert len(np.unique(img.reshape(-1, 3), axis=0)) <= 8


def test_16bit_grey_keeps_precision(tmp_path: Path):
    grey = np.full((3, 3), 1000, np.uint16)
    cv2.imwrite(str(tmp_path / "g16.png"), grey)
    img = read_image(tmp_path / "g16.png")
    assert np.allclose(img, 1000 / 65535, atol=1e-7)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16bit_colour_keeps_precision(tmp_path: Path, suffix: str):
    rgb = np.zeros((3, 4, 3), np.uint16)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 1000, 30000, 65535
    cv2.imwrite(str(tmp_path / f"c16{suffix}"), rgb[..., ::-1])  # OpenCV writes BGR
    img = read_image(tmp_path / f"c16{suffix}")
    assert np.allclose(img[0, 0], [1000 / 65535, 30000 / 65535, 1.0], atol=1e-7)


def test_exif_orientation_is_applied(tmp_path: Path):
    arr = np.zeros((2, 3, 3), np.uint8)
    arr[0, 0] = 255  # white pixel at top-left of the stored image
    pil = Image.fromarray(arr)
    exif = pil.getexif()
    exif[274] = 6  # stored image must be rotated 90 degrees clockwise for display
    pil.save(tmp_path / "r.jpg", exif=exif, quality=100, subsampling=0)
    img = read_image(tmp_path / "r.jpg")
    assert img.shape == (3, 2, 3)
    assert img[0, 1].mean() > 0.8  # top-left moved to top-right


def test_missing_file(tmp_path: Path):
    with pytest.raises(ImageReadError, match="no such file"):
        read_image(tmp_path / "nope.png")


def test_empty_file(tmp_path: Path):
    (tmp_path / "e.png").write_bytes(b"")
    with pytest.raises(ImageReadError, match=r"e\.png: the file is empty"):
        read_image(tmp_path / "e.png")


def test_not_an_image(tmp_path: Path):
    (tmp_path / "x.jpg").write_bytes(b"this is text, not a JPEG")
    with pytest.raises(ImageReadError, match=r"x\.jpg: not a recognised image format"):
        read_image(tmp_path / "x.jpg")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_file(tmp_path: Path, fmt: str):
    buf = io.BytesIO()
    Image.fromarray((np.random.default_rng(0).random((64, 64, 3)) * 255).astype(np.uint8)).save(buf, fmt)
    data = buf.getvalue()
    path = tmp_path / f"t.{fmt.lower()}"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageReadError, match="truncated or corrupt"):
        read_image(path)


def test_directory(tmp_path: Path):
    with pytest.raises(ImageReadError, match="is a directory"):
        read_image(tmp_path)


def test_decompression_bomb_guard(tmp_path: Path):
    # a 1-bit 12000x12000 PNG is a few kB on disk but 144 Mpx decoded
    Image.new("1", (12000, 12000)).save(tmp_path / "bomb.png")
    assert (tmp_path / "bomb.png").stat().st_size < 100_000
    with pytest.raises(ImageReadError, match=r"bomb\.png: .*(exceeds the limit|decompression bomb)"):
        read_image(tmp_path / "bomb.png")


def test_pixel_limit_is_configurable(tmp_path: Path):
    write_image(tmp_path / "a.png", _grad())
    with pytest.raises(ImageReadError, match=r"exceeds the limit of 100\b"):
        read_image(tmp_path / "a.png", max_pixels=100)


def test_unsupported_output_format(tmp_path: Path):
    with pytest.raises(ValueError, match=r"unsupported output format '\.gif'"):
        write_image(tmp_path / "a.gif", _grad())
