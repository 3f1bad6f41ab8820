"""Read any photo into the library's one convention, and write results back.

Everything inside pixtask works on float32 RGB arrays of shape (H, W, 3) in [0, 1]. This module
is the only place that knows about file formats, bit depths, alpha, palettes and EXIF rotation.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from pixtask.core.atomic_write import write_bytes_atomic

#: Largest image accepted by default (pixels). Guards against decompression bombs: a small file
#: that claims gigapixel dimensions would otherwise exhaust memory before any check ran.
DEFAULT_MAX_PIXELS = 120_000_000
#: File suffixes read as images when a folder is given.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".ppm", ".pgm"})

# EXIF orientation -> numpy operations that undo it (see the TIFF/EXIF specification, tag 274).
_ORIENTATION_OPS = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: np.swapaxes(a, 0, 1),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: np.swapaxes(a, 0, 1)[::-1, ::-1],
    8: lambda a: np.rot90(a, 1),
}


class ImageReadError(ValueError):
    """An image file could not be turned into an RGB array; the message names the file."""


def read_image(path: str | os.PathLike, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read an image file as float32 RGB in [0, 1], shape (H, W, 3).

    Handles 8- and 16-bit files, grey (replicated to three channels), palettes, alpha
    (composited over white, as image viewers show it) and EXIF orientation.

    Raises:
        ImageReadError: the file is missing, empty, not an image, truncated, corrupt, or larger
            than ``max_pixels``.
    """
    path = Path(path)
    try:
        if path.exists() and not path.is_dir() and not path.is_file():
            raise ImageReadError(f"{path}: not a regular file (a device, FIFO or socket); give an image file")
        size = path.stat().st_size
        max_bytes = max_file_bytes(max_pixels)
        if size > max_bytes:
            raise ImageReadError(f"{path}: {size:,} bytes is over the limit of {max_bytes:,} for an image file")
        _check_header(path, max_pixels)  # before the file is read whole
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageReadError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImageReadError(f"{path}: is a directory, not an image file") from None
    except OSError as exc:
        raise ImageReadError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if not data:
        raise ImageReadError(f"{path}: the file is empty")
    return decode_image(data, name=str(path), max_pixels=max_pixels)


def max_file_bytes(max_pixels: int = DEFAULT_MAX_PIXELS) -> int:
    """The largest image file read: ``max_pixels`` at 16-bit RGBA, uncompressed, plus 64 MiB of
    metadata; checked before a byte is read, so a huge or sparse file costs no memory."""
    return max_pixels * 8 + 64 * 2**20


def check_image_file(path: str | os.PathLike, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Path:
    """``path`` if it is a regular file whose size and header make an image we would read (the
    pixels are not decoded): a cheap check for many files at once."""
    path = Path(path)
    if not path.is_file():
        raise ImageReadError(f"{path}: no such file" if not path.exists() else f"{path}: not a regular file")
    size, max_bytes = path.stat().st_size, max_file_bytes(max_pixels)
    if size > max_bytes:
        raise ImageReadError(f"{path}: {size:,} bytes is over the limit of {max_bytes:,} for an image file")
    _check_header(path, max_pixels)
    return path


def _check_header(path: Path, max_pixels: int) -> None:
    """Identify the format and the size from the header alone (Pillow opens lazily)."""
    if path.stat().st_size == 0:
        raise ImageReadError(f"{path}: the file is empty")
    with path.open("rb") as f, _pillow_pixel_limit_off(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            width, height = Image.open(f).size
        except UnidentifiedImageError:
            raise ImageReadError(f"{path}: not a recognised image format (or the file is corrupt)") from None
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            return  # the full decode reports it, with its reason
    _check_pixels(str(path), width, height, max_pixels)


def _check_pixels(name: str, width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise ImageReadError(
            f"{name}: {width}x{height} = {width * height:,} pixels exceeds the limit of {max_pixels:,} "
            "(a guard against decompression bombs; raise max_pixels for genuinely huge photos)"
        )


def decode_image(data: bytes, *, name: str = "<bytes>", max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decode encoded image bytes; see :func:`read_image` for the conventions and errors."""
    with _pillow_pixel_limit_off():
        return _decode(data, name, max_pixels)


def _decode(data: bytes, name: str, max_pixels: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            pil = Image.open(io.BytesIO(data))
        except UnidentifiedImageError:
            raise ImageReadError(f"{name}: not a recognised image format (or the file is corrupt)") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageReadError(f"{name}: refused as a possible decompression bomb ({exc})") from None
        except OSError as exc:
            raise ImageReadError(f"{name}: cannot be decoded ({exc})") from None
    width, height = pil.size
    if width < 1 or height < 1:
        raise ImageReadError(f"{name}: has no pixels ({width}x{height})")
    _check_pixels(name, width, height, max_pixels)
    try:
        orientation = pil.getexif().get(274, 1)
        if _is_high_bit_colour(pil, data):
            arr = _decode_high_bit_colour(data, name)
            op = _ORIENTATION_OPS.get(orientation)
            return np.ascontiguousarray(op(arr)) if op else arr
        pil.load()
        pil = ImageOps.exif_transpose(pil)
    except ImageReadError:
        raise
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageReadError(f"{name}: truncated or corrupt image data ({exc})") from None
    return _pil_to_rgb_float(pil, name)


@contextlib.contextmanager
def _pillow_pixel_limit_off():
    """Pillow's own bomb guard (89.5 Mpx) would stop files below our documented limit;
    ``max_pixels`` is the guard instead, checked right after the header is read, before any
    pixel is decoded."""
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _is_high_bit_colour(pil: Image.Image, data: bytes) -> bool:
    """Pillow silently reduces 16-bit colour PNG/TIFF to 8 bits; detect those files."""
    if pil.format == "PNG":
        # IHDR: 8-byte signature, 4-byte length, "IHDR", width, height, then the bit depth byte.
        return len(data) > 25 and data[24] == 16 and pil.mode in ("RGB", "RGBA")
    if pil.format == "TIFF":
        bits = pil.tag_v2.get(258, (8,))
        bits = bits if isinstance(bits, tuple) else (bits,)
        return max(bits) > 8 and pil.mode not in ("I;16", "I;16B", "I;16L", "I", "F")
    return False


def _decode_high_bit_colour(data: bytes, name: str) -> np.ndarray:
    raw = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if raw is None:
        raise ImageReadError(f"{name}: truncated or corrupt 16-bit image data")
    scale = float(np.iinfo(raw.dtype).max) if raw.dtype.kind in "ui" else 1.0
    img = raw.astype(np.float32) / scale
    if img.ndim == 2:
        return np.repeat(img[..., None], 3, axis=2)
    if img.shape[2] == 4:
        rgb = cv2.cvtColor(img, cv2.COLOR_BGRA2RGBA)
        return _composite_over_white(rgb[..., :3], rgb[..., 3:])
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def _composite_over_white(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rgb * alpha + (1.0 - alpha), dtype=np.float32)


def _pil_to_rgb_float(pil: Image.Image, name: str) -> np.ndarray:
    mode = pil.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        grey = np.asarray(pil, dtype=np.uint16).astype(np.float32) / 65535.0
        return np.repeat(grey[..., None], 3, axis=2)
    if mode == "I":
        arr = np.asarray(pil, dtype=np.int64)
        top = 65535.0 if arr.max(initial=0) > 255 else 255.0
        grey = np.clip(arr / top, 0.0, 1.0).astype(np.float32)
        return np.repeat(grey[..., None], 3, axis=2)
    if mode == "F":
        grey = np.asarray(pil, dtype=np.float32)
        if not np.isfinite(grey).all():
            raise ImageReadError(f"{name}: floating-point image contains NaN or infinity")
        grey = np.clip(grey, 0.0, 1.0)
        return np.repeat(grey[..., None], 3, axis=2)
    has_alpha = mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in pil.info)
    pil = pil.convert("RGBA" if has_alpha else "RGB")
    arr = np.asarray(pil, dtype=np.float32) / 255.0
    if has_alpha:
        return _composite_over_white(arr[..., :3], arr[..., 3:])
    return np.ascontiguousarray(arr)


def as_rgb_float(image: object, name: str = "image") -> np.ndarray:
    """A path, PIL image or numpy array as float32 RGB (H, W, 3) in [0, 1].

    Arrays: uint8 and uint16 are scaled by their maximum; float arrays must already lie in
    [0, 1]; (H, W) grey is replicated and a fourth (alpha) channel is composited over white.
    """
    if isinstance(image, str | os.PathLike):
        return read_image(image)
    if isinstance(image, Image.Image):
        if image.mode in ("CMYK", "YCbCr", "LAB", "HSV"):
            image = image.convert("RGB")  # PNG cannot hold these modes
        buf = io.BytesIO()
        image.save(buf, format="PNG" if image.mode not in ("I;16", "F") else "TIFF")
        return decode_image(buf.getvalue(), name=name)
    if not isinstance(image, np.ndarray):
        raise TypeError(f"{name}: expected a path, PIL image or numpy array, got {type(image).__name__}")
    arr = image
    if arr.ndim == 2:
        arr = arr[..., None]
    if arr.ndim != 3 or arr.shape[2] not in (1, 3, 4) or 0 in arr.shape:
        raise ValueError(f"{name}: expected an (H, W), (H, W, 3) or (H, W, 4) array, got shape {image.shape}")
    if arr.dtype == np.uint8 or arr.dtype == np.uint16:
        arr = arr.astype(np.float32) / float(np.iinfo(arr.dtype).max)
    elif arr.dtype.kind == "f":
        arr = arr.astype(np.float32)
        if not np.isfinite(arr).all():
            raise ValueError(f"{name}: contains NaN or infinity")
        if arr.min() < 0 or arr.max() > 1:
            raise ValueError(f"{name}: float images must lie in [0, 1], found [{arr.min():.3g}, {arr.max():.3g}]")
    else:
        raise TypeError(f"{name}: unsupported dtype {arr.dtype}; use uint8, uint16 or float in [0, 1]")
    if arr.shape[2] == 1:
        arr = np.repeat(arr, 3, axis=2)
    elif arr.shape[2] == 4:
        arr = _composite_over_white(arr[..., :3], arr[..., 3:])
    return np.ascontiguousarray(arr, dtype=np.float32)


def to_uint8(img: np.ndarray) -> np.ndarray:
    """Round a [0, 1] float image to 8 bits (values outside the range are clipped)."""
    return np.clip(np.rint(np.asarray(img, dtype=np.float32) * 255.0), 0, 255).astype(np.uint8)


def to_float(img: np.ndarray) -> np.ndarray:
    """8-bit image -> contiguous float32 in [0, 1], scaled as :func:`read_image` scales 8-bit files."""
    return np.ascontiguousarray(img, dtype=np.float32) / np.float32(255)


_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


def encode_image(img: np.ndarray, suffix: str = ".png", *, jpeg_quality: int = 95, png_compression: int = 6) -> bytes:
    """Encode a [0, 1] float RGB (or (H, W) grey) image as 8-bit PNG or JPEG bytes.

    PNG bytes depend only on the pixels, which keeps benchmark builds byte-reproducible.
    """
    fmt = _FORMATS.get(suffix.lower())
    if fmt is None:
        raise ValueError(f"unsupported output format {suffix!r}; use .png, .jpg or .jpeg")
    arr = to_uint8(img)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    buf = io.BytesIO()
    options = {"quality": jpeg_quality} if fmt == "JPEG" else {"compress_level": png_compression}
    Image.fromarray(arr).save(buf, format=fmt, **options)
    return buf.getvalue()


def check_output_format(path: str | os.PathLike) -> None:
    """Refuse an output name whose suffix we cannot write, before any work is done."""
    suffix = Path(path).suffix
    if suffix.lower() not in _FORMATS:
        raise ValueError(f"{path}: unsupported output format {suffix!r}; use .png, .jpg or .jpeg")


def write_image(
    path: str | os.PathLike,
    img: np.ndarray,
    *,
    jpeg_quality: int = 95,
    png_compression: int = 6,
    overwrite: bool = True,
) -> Path:
    """Write an image as PNG or JPEG (chosen by the suffix), atomically, so an interrupted
    run never leaves a half-written file behind; ``overwrite=False`` never replaces a file."""
    path = Path(path)
    check_output_format(path)
    data = encode_image(img, path.suffix, jpeg_quality=jpeg_quality, png_compression=png_compression)
    return write_bytes_atomic(path, data, overwrite=overwrite)
