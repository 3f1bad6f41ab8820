"""GenLV's "extra degradations" (reference §4.2): rain streaks, ringing, a Richardson-Lucy
step, line inpainting, Bayer mosaicking and bicubic super-resolution, plus greyscale
(colourisation)."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image
from scipy import special
from skimage.restoration import richardson_lucy

from pixtask.tasks._registry import register_operator
from pixtask.tasks.families._common import fixed, gray, gray3, seeded
from pixtask.tasks.spec import Category, Operator, Pairing


def rain_streaks(img: np.ndarray, density: float, length: int, angle: float, width: int, seed: int) -> np.ndarray:
    """Add rain: sparse drops smeared by a rotated, blurred line kernel, then added to the photo."""
    h, w = img.shape[:2]
    rng = np.random.default_rng(seed)
    drops = rng.uniform(0, 256, (h, w)).astype(np.float32)
    drops[drops < 256 - density * 0.01] = 0
    drops = cv2.filter2D(drops, -1, np.array([[0, 0.1, 0], [0.1, 8, 0.1], [0, 0.1, 0]], np.float32))
    kernel = np.diag(np.ones(length, np.float32))
    rot = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2), angle - 45, 1.0)
    kernel = cv2.warpAffine(kernel, rot, (length, length))
    kernel = cv2.GaussianBlur(kernel, (width, width), 0)
    streaks = cv2.filter2D(drops, -1, kernel)
    streaks = cv2.normalize(streaks, None, 0, 1, cv2.NORM_MINMAX) if streaks.max() > 0 else streaks
    return img + streaks[..., None]


def circular_lowpass_kernel(cutoff: float, size: int, pad_to: int = 0) -> np.ndarray:
    """2-D sinc (ideal circular low-pass) kernel; its side lobes cause ringing."""
    c = (size - 1) / 2
    yy, xx = np.mgrid[0:size, 0:size]
    r = np.hypot(yy - c, xx - c)
    with np.errstate(divide="ignore", invalid="ignore"):
        kernel = cutoff * special.j1(cutoff * r) / (2 * np.pi * r)
    kernel[int(c), int(c)] = cutoff**2 / (4 * np.pi)
    kernel /= kernel.sum()
    if pad_to > size:
        p = (pad_to - size) // 2
        kernel = np.pad(kernel, p)
    return kernel.astype(np.float32)


def ringing(img: np.ndarray, cutoff: float, size: int, pad_to: int) -> np.ndarray:
    return cv2.filter2D(img, -1, circular_lowpass_kernel(cutoff, size, pad_to), borderType=cv2.BORDER_REFLECT_101)


def richardson_lucy_step(img: np.ndarray, psf_size: int, iterations: int, pad: int) -> np.ndarray:
    """Richardson-Lucy deconvolution with a box PSF on a linear-ramp padded image (scikit-image)."""
    psf = np.ones((psf_size, psf_size, 1), np.float32) / psf_size**2
    padded = np.pad(img, ((pad, pad), (pad, pad), (0, 0)), mode="linear_ramp")
    out = richardson_lucy(padded, psf, num_iter=iterations, clip=False)
    return out[pad:-pad, pad:-pad].astype(np.float32)


def inpainting_lines(img: np.ndarray, count: int, thickness: int, white: bool, seed: int) -> np.ndarray:
    """Draw ``count`` random straight lines of ``thickness`` px, all white or all black."""
    h, w = img.shape[:2]
    rng = np.random.default_rng(seed)
    mask = np.zeros((h, w), np.uint8)
    for _ in range(count):
        p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        p2 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        cv2.line(mask, p1, p2, 1, int(thickness))
    out = img.copy()
    out[mask.astype(bool)] = 1.0 if white else 0.0
    return out


def bayer_mosaic(img: np.ndarray) -> np.ndarray:
    """Keep one colour per pixel in an RGGB Bayer pattern; the others become zero."""
    mask = np.zeros_like(img)
    mask[0::2, 0::2, 0] = 1
    mask[0::2, 1::2, 1] = 1
    mask[1::2, 0::2, 1] = 1
    mask[1::2, 1::2, 2] = 1
    return img * mask


def bicubic_down_up(img: np.ndarray, scale: int) -> np.ndarray:
    """MATLAB-style antialiased bicubic downscale (Pillow, per channel in float), bicubic back up."""
    h, w = img.shape[:2]
    size = (max(1, round(w / scale)), max(1, round(h / scale)))
    small = np.stack(
        [np.asarray(Image.fromarray(img[..., c], mode="F").resize(size, Image.Resampling.BICUBIC)) for c in range(3)],
        axis=2,
    )
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def grayscale(img: np.ndarray) -> np.ndarray:
    return gray3(gray(img))


_RESTORE = dict(category=Category.RESTORATION, direction="restore")

register_operator(
    Operator(
        "rain",
        rain_streaks,
        seeded(
            density=lambda rng: round(float(rng.uniform(40, 200)), 2),
            length=lambda rng: int(rng.integers(30, 41)),
            angle=lambda rng: round(float(rng.uniform(-45, 45)), 2),
            width=lambda rng: int(rng.choice([3, 5, 7, 9, 11])),
        ),
    ),
    id="derain",
    name="Simple deraining",
    description="Remove synthetic rain streaks (density, length, angle and width drawn per image).",
    pairing=Pairing(note="density, angle and streak shape independent per image"),
    **_RESTORE,
)
register_operator(
    Operator("ringing", ringing, fixed(cutoff=1.2, size=15, pad_to=21)),
    id="deringing",
    name="Ringing removal",
    description="Remove ringing from a 2-D sinc low-pass (cutoff 1.2, 15x15 padded to 21).",
    **_RESTORE,
)
register_operator(
    Operator("richardson-lucy", richardson_lucy_step, fixed(psf_size=5, iterations=1, pad=7)),
    id="rl-restoration",
    name="Richardson-Lucy artefact removal",
    description="Undo one Richardson-Lucy iteration with a 5x5 box PSF.",
    **_RESTORE,
)
register_operator(
    Operator(
        "inpainting-lines",
        inpainting_lines,
        seeded(
            count=lambda rng: int(rng.integers(5, 11)),
            thickness=lambda rng: int(rng.integers(5, 11)),
            white=lambda rng: bool(rng.integers(2)),
        ),
    ),
    id="inpainting",
    name="Line inpainting",
    description="Fill 5-10 random white or black lines of 5-10 px.",
    pairing=Pairing(shared=("count", "thickness", "white"), note="line positions independent"),
    **_RESTORE,
)
register_operator(
    Operator("bayer-mosaic", bayer_mosaic, fixed()),
    id="demosaic",
    name="Demosaicking",
    description="Reconstruct RGB from an RGGB Bayer mosaic.",
    **_RESTORE,
)
for _scale in (2, 4):
    register_operator(
        Operator(f"bicubic-x{_scale}", bicubic_down_up, fixed(scale=_scale)),
        id=f"sr-x{_scale}",
        name=f"Super-resolution x{_scale}",
        description=f"Recover detail lost by x{_scale} bicubic downscaling (input upsampled back to size).",
        **_RESTORE,
    )
register_operator(
    Operator("grayscale", grayscale, fixed()),
    id="colorization",
    name="Colourisation",
    description="Restore colour to a greyscale (BT.601 luma) photo.",
    **_RESTORE,
)
