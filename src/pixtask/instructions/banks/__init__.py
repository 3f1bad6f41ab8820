"""Phrase banks: what each operator does to a photo, said without naming it.

Every operator of the task registry has a :class:`Bank`: noun phrases for the change it makes
(``what``), clauses that describe it appearing (``appear``) and going away (``vanish``), and
what the photo looks like afterwards in each case (``after_appear``, ``after_vanish``). A task
reads its operator forwards or backwards, so one bank gives both directions of every task and
of its inverse. ``{sev}`` is filled with a severity word, ``{what}`` with a noun phrase and
``{detail}`` with a phrase read from the task's parameters (``detail``), such as the direction
of a motion blur or the colour of a cast.

The last entry of every list is reserved for the held-out split (instruction-level zero-shot):
training instructions never use it.

One module per family of operators, as in :mod:`pixtask.tasks.families`; the mixture family
has no bank of its own (it is told as a chain of its components' instructions).
"""

from __future__ import annotations

from pixtask.instructions.banks import (
    blur,
    compression,
    degradations,
    enhancement,
    features,
    noise,
    stylization,
    tone,
    weather,
)
from pixtask.instructions.banks._common import Bank, Detail

_FAMILIES = (noise, blur, compression, weather, degradations, enhancement, tone, features, stylization)

# The order BANKS has always been iterated in (it predates the split into family modules), so
# that nothing that walks it changes; a bank not listed here follows in family order.
_ORDER = (
    "gaussian-noise",
    "gaussian-noise-ycrcb",
    "speckle-noise",
    "correlated-noise",
    "poisson-noise",
    "impulse-noise",
    "gaussian-blur",
    "motion-blur",
    "glass-blur",
    "lens-blur",
    "zoom-blur",
    "jitter-blur",
    "lensmask-blur",
    "jpeg",
    "jpeg2000",
    "pixelate",
    "quantize-otsu",
    "quantize-median-cut",
    "quantize-uniform",
    "rain",
    "snow",
    "haze",
    "spatter",
    "ringing",
    "richardson-lucy",
    "oversharpen",
    "inpainting-lines",
    "bayer-mosaic",
    "bicubic-x2",
    "bicubic-x4",
    "grayscale",
    "low-light",
    "exposure",
    "vignette",
    "colour-cast",
    "local-laplacian",
    "tone-manipulation",
    "clahe",
    "histogram-equalization",
    "detail-enhance",
    "brighten",
    "darken",
    "contrast-strengthen",
    "contrast-weaken",
    "saturate-strengthen",
    "saturate-weaken",
    "canny",
    "laplacian",
    "sobel",
    "dog",
    "hough-lines",
    "hed",
    "photographic-look",
    "rtv",
    "pencil-gray",
    "pencil-color",
    "watercolour",
    "cartoon",
    "superpixel-mosaic",
)
_BY_NAME: dict[str, Bank] = {name: bank for family in _FAMILIES for name, bank in family.BANKS.items()}
BANKS: dict[str, Bank] = {name: _BY_NAME[name] for name in _ORDER} | _BY_NAME

__all__ = ["BANKS", "Bank", "Detail"]
