"""Recorded commands name their output as a reader would type it."""

from __future__ import annotations

from pathlib import Path

from pixtask.core.output_plan import as_typed


def test_a_path_inside_the_checkout_is_shown_relative_and_one_outside_as_given(tmp_path):
    root = tmp_path / "checkout"
    (root / "docs").mkdir(parents=True)
    assert as_typed(root / "docs" / "targets.md", root) == Path("docs/targets.md")
    assert as_typed(root / "docs" / ".." / "docs" / "t.md", root) == Path("docs/t.md")
    outside = tmp_path / "elsewhere" / "t.md"
    assert as_typed(outside, root) == outside
