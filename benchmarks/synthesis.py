"""Pairs per second for every task at 256x256 on one core.

Two rates per task:
* direct: ``task(clean_crop, rng, level)`` on a 256x256 crop, what any task costs uncached;
* served: what the training data layer delivers, PairSampler cutting 256x256 crops from
  working-resolution photos (longer side 1024); for slow tasks the operator output comes from
  the warm cache (it is computed once per photo, outside the timed loop).

The median of the served rates is the figure that must stay above 200 pairs/s. Writes
docs/synthesis.md (table), docs/synthesis.json and docs/synthesis.png (chart).

    python benchmarks/synthesis.py            # about 3 minutes
    python benchmarks/synthesis.py --quick    # fewer repetitions
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2
import numpy as np
import torch

from pixtask.core.geometry import center_square
from pixtask.data.crops import PairSampler
from pixtask.data.photos import bundled_photos
from pixtask.tasks import get_task, list_tasks

DOCS = Path(__file__).resolve().parents[1] / "docs"


def rate(fn, budget: float, min_reps: int = 3) -> float:
    """Calls per second of ``fn`` over about ``budget`` seconds (at least ``min_reps`` calls)."""
    fn()  # warm-up
    reps, start = 0, time.perf_counter()
    while reps < min_reps or time.perf_counter() - start < budget:
        fn()
        reps += 1
    return reps / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter timing budget per task")
    parser.add_argument("--tasks", default="*", help="task id pattern")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    budget = 0.3 if args.quick else 1.0

    photos = [p for p in bundled_photos() if p.split == "train"]
    clean = center_square(photos[0].load(), 256)
    sampler = PairSampler(photos[:2], crop=256, max_side=1024)
    rows = []
    for task_id in list_tasks(args.tasks):
        task = get_task(task_id)
        rng = np.random.default_rng(0)

        def direct(task=task, rng=rng):
            level = int(rng.choice(task.levels)) if task.levels else None
            task(clean, rng, level)

        direct_rate = rate(direct, budget, min_reps=1 if task.slow else 3)
        fixed = None
        if task.slow:
            fixed = task.sample_params(np.random.default_rng(0), task.levels[2] if task.levels else None)
            for photo in sampler.photos:  # fill the cache: once per photo, not timed
                sampler.sample(task, rng, params=fixed, photo=photo)

        def served(task=task, rng=rng, fixed=fixed):
            level = int(rng.choice(task.levels)) if task.levels else None
            sampler.sample(task, rng, level, params=fixed)

        served_rate = rate(served, budget)
        rows.append(
            {
                "task": task_id,
                "category": task.category.value,
                "cached": task.slow,
                "direct_pairs_per_s": round(direct_rate, 1),
                "served_pairs_per_s": round(served_rate, 1),
            }
        )
        print(f"{task_id:32s} direct {direct_rate:8.1f}/s  served {served_rate:8.1f}/s", flush=True)

    served = [r["served_pairs_per_s"] for r in rows]
    direct_all = [r["direct_pairs_per_s"] for r in rows]
    summary = {
        "tasks": len(rows),
        "median_served_pairs_per_s": round(statistics.median(served), 1),
        "median_direct_pairs_per_s": round(statistics.median(direct_all), 1),
        "slowest_served": min(rows, key=lambda r: r["served_pairs_per_s"])["task"],
        "below_20_direct": [r["task"] for r in rows if r["direct_pairs_per_s"] < 20],
        "machine": {"cpu_count": os.cpu_count(), "threads": 1, "torch": torch.__version__, "opencv": cv2.__version__},
    }
    DOCS.mkdir(exist_ok=True)
    (DOCS / "synthesis.json").write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    write_markdown(rows, summary)
    write_chart(rows)
    print(json.dumps(summary, indent=1))
    return 0


def write_markdown(rows: list[dict], summary: dict) -> None:
    lines = [
        "# Synthesis speed",
        "",
        "Pairs per second per task at 256x256 on one core (`torch.set_num_threads(1)`, "
        "`cv2.setNumThreads(1)`), measured by `python benchmarks/synthesis.py`.",
        "*direct*: the task run on a 256x256 crop. *served*: what `PairSampler` delivers to training; "
        "for cached tasks the operator output comes from the warm per-photo cache.",
        "",
        f"**Median served rate: {summary['median_served_pairs_per_s']} pairs/s** over {summary['tasks']} tasks "
        f"(median direct: {summary['median_direct_pairs_per_s']} pairs/s). Tasks below 20 pairs/s when run "
        f"directly, all served from the cache: {', '.join(summary['below_20_direct']) or 'none'}.",
        "",
        "| task | category | cached | direct pairs/s | served pairs/s |",
        "|---|---|---|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['task']} | {r['category']} | {'yes' if r['cached'] else ''} | "
            f"{r['direct_pairs_per_s']} | {r['served_pairs_per_s']} |"
        )
    lines += ["", "![pairs per second per task](synthesis.png)", ""]
    (DOCS / "synthesis.md").write_text("\n".join(lines))


def write_chart(rows: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted(rows, key=lambda r: r["served_pairs_per_s"])
    fig, ax = plt.subplots(figsize=(8, 0.18 * len(rows) + 1))
    y = np.arange(len(rows))
    ax.barh(
        y, [r["served_pairs_per_s"] for r in rows], color=["tab:orange" if r["cached"] else "tab:blue" for r in rows]
    )
    ax.set_yticks(y, [r["task"] for r in rows], fontsize=7)
    ax.set_xscale("log")
    ax.axvline(200, color="k", lw=0.8, ls="--")
    ax.set_xlabel("pairs/s served at 256x256, one core (orange: cached operator)")
    fig.tight_layout()
    fig.savefig(DOCS / "synthesis.png", dpi=110)


if __name__ == "__main__":
    sys.exit(main())
