"""Photo sources: the bundled collection, the Debian collection, or any folder of images."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np

from pixtask.core.image_io import IMAGE_SUFFIXES, read_image
from pixtask.core.seeding import derive_seed
from pixtask.data import photo_catalog as catalog

Split = Literal["train", "test"]
__all__ = [
    "IMAGE_SUFFIXES",
    "Photo",
    "bundled_photos",
    "check_split",
    "debian_photos",
    "folder_photos",
    "resolve_photos",
]


@dataclass(frozen=True)
class Photo:
    """A clean photo on disk and where it stands in the benchmark.

    ``group`` ties together photos of one scene; the split is decided per group.
    """

    id: str
    path: Path
    licence: str
    split: Split
    group: str

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def load(self) -> np.ndarray:
        return read_image(self.path)

    def record(self) -> dict[str, str]:
        """Manifest entry: enough to find, verify and credit the photo."""
        return {
            "id": self.id,
            "path": str(self.path),
            "licence": self.licence,
            "split": self.split,
            "group": self.group,
            "sha256": self.sha256,
        }


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"package {name!r} is not installed; it provides bundled sample photos")
    return Path(next(iter(spec.submodule_search_locations)))


def bundled_photos() -> list[Photo]:
    """Photos that install with pixtask's own dependencies (scikit-image, scikit-learn, matplotlib)."""
    photos = []
    for pid, (package, rel, licence) in catalog.BUNDLED.items():
        group = catalog.BUNDLED_GROUPS.get(pid, pid)
        split: Split = "test" if group in catalog.BUNDLED_TEST or pid in catalog.BUNDLED_TEST else "train"
        photos.append(Photo(f"bundled/{pid}", _package_dir(package) / rel, licence, split, group))
    return photos


def debian_photos() -> list[Photo]:
    """The Debian wallpaper and OpenCV sample photos that are installed on this machine."""
    photos = [
        Photo(
            f"debian/{pid}",
            Path(path),
            licence,
            "test" if group in catalog.DEBIAN_TEST_GROUPS else "train",
            group,
        )
        for pid, (path, licence, group) in catalog.DEBIAN.items()
        if Path(path).is_file()
    ]
    if not photos:
        raise FileNotFoundError(
            "no Debian photos found; install them with: apt-get install -y --no-install-recommends "
            + " ".join(catalog.DEBIAN_PACKAGES)
        )
    return photos


def folder_photos(folder: str | os.PathLike, test_fraction: float = 0.25) -> list[Photo]:
    """Every image below ``folder``. The split hashes each file's path relative to the folder,
    so it is stable across machines and unaffected by adding other files."""
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"photo folder {root} does not exist")
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise FileNotFoundError(f"no images ({', '.join(sorted(IMAGE_SUFFIXES))}) found below {root}")
    photos = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        is_test = derive_seed(0, "split", rel) / 2**63 < test_fraction
        photos.append(Photo(f"folder/{rel}", path, "see folder", "test" if is_test else "train", rel))
    return photos


def resolve_photos(spec: str) -> list[Photo]:
    """``bundled``, ``debian``, ``all`` (both), or a folder path."""
    if spec == "bundled":
        return bundled_photos()
    if spec == "debian":
        return debian_photos()
    if spec == "all":
        return bundled_photos() + debian_photos()
    if Path(spec).is_dir():
        return folder_photos(spec)
    raise ValueError(f"unknown photo source {spec!r}: use 'bundled', 'debian', 'all' or an existing folder")


def check_split(photos: list[Photo]) -> None:
    """Raise if a group has photos on both sides of the split (a leak from test into training)."""
    sides: dict[str, set[str]] = {}
    for p in photos:
        sides.setdefault(p.group, set()).add(p.split)
    leaked = sorted(g for g, s in sides.items() if len(s) > 1)
    if leaked:
        raise ValueError(f"photo groups on both sides of the train/test split: {leaked}")
