"""Regenerate the task catalogue (docs/tasks.md) and the per-category galleries (docs/gallery/).

    python scripts/make_docs.py

The catalogue table is the output of `pixtask tasks list --markdown`; a test keeps it in sync.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pixtask.core.geometry import center_square
from pixtask.core.image_io import write_image
from pixtask.core.seeding import rng_for
from pixtask.data.photos import bundled_photos
from pixtask.tasks import Category, get_task, list_tasks
from pixtask.viz import image_grid

DOCS = Path(__file__).resolve().parents[1] / "docs"
HEADER = """# Task catalogue

Generated from the registry by `python scripts/make_docs.py` (the table is
`pixtask tasks list --markdown`). *restore*: input = op(clean photo), target = the photo;
*apply*: input = the photo, target = op(photo). Severity tables follow GenLV's x-distortion
library (shared/reference/genlv-tasks.md §4.1); *cached* tasks run once per photo and serve crops.
Galleries per category (level 3 where a task has levels): [restoration](gallery/restoration.png),
[enhancement](gallery/enhancement.png), [stylization](gallery/stylization.png),
[feature extraction](gallery/feature-extraction.png).

"""


def main() -> int:
    table = subprocess.run(
        [sys.executable, "-m", "pixtask.cli.main", "tasks", "list", "--markdown"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (DOCS / "tasks.md").write_text(HEADER + table)
    photo = center_square(next(p for p in bundled_photos() if p.id == "bundled/chelsea").load(), 160)
    for category in Category:
        ids = list_tasks(category=category)
        rows, labels = [], []
        for i in range(0, len(ids), 3):
            row = []
            for tid in ids[i : i + 3]:
                task = get_task(tid)
                row += list(task(photo, rng_for(0, "gallery", tid), 3 if task.levels else None))
            rows.append(row)
            labels.append(" / ".join(ids[i : i + 3]))
        grid = image_grid(rows, row_labels=[str(i + 1) for i in range(len(rows))], col_labels=["input", "target"] * 3)
        name = category.value.replace(" ", "-")
        write_image(DOCS / "gallery" / f"{name}.png", grid)
        key = "\n".join(f"{i + 1}. {label}" for i, label in enumerate(labels))
        (DOCS / "gallery" / f"{name}.md").write_text(f"# {category.value} gallery rows\n\n{key}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
