"""Image type, RGB-float I/O, seeding and shape checks; imports no other pixtask package."""

from pixtask.core.geometry import center_square, crop_box, resize_short_side
from pixtask.core.image_io import ImageReadError, read_image, write_image
from pixtask.core.seeding import derive_seed, rng_for
from pixtask.core.validate import check_image

__all__ = [
    "ImageReadError",
    "center_square",
    "check_image",
    "crop_box",
    "derive_seed",
    "read_image",
    "resize_short_side",
    "rng_for",
    "write_image",
]
