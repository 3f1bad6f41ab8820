"""Photos, crops and the benchmark: everything between clean photos and (input, target) pairs."""

from pixtask.data.photos import Photo, resolve_photos

__all__ = ["Photo", "resolve_photos"]
