"""Pictures people would rather look at than read: labelled image grids and HTML pages."""

from pixtask.viz.grid import image_grid

__all__ = ["image_grid"]
