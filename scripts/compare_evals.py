"""Per-task gain over identity of two `pixtask eval` runs side by side (Markdown), to judge a
training change on the numbers rather than on the tasks it was aimed at.

    python scripts/compare_evals.py docs/eval-pixtask-tiny/summary.json out/eval-new/summary.json \
        --names "stage 3" "stage 4" > docs/experiments/stage4.md
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def compare(before: dict, after: dict, names: tuple[str, str]) -> list[str]:
    """Table rows for the tasks both runs scored, in the first run's order."""
    lines = [
        f"| task | category | metric | gain, {names[0]} | gain, {names[1]} | change |",
        "|---|---|---|---:|---:|---:|",
    ]
    shared = [t for t in before["tasks"] if t in after["tasks"]]
    if not shared:
        raise ValueError("the two summaries have no task in common")
    for task in shared:
        a, b = before["tasks"][task], after["tasks"][task]
        if a["metric"] != b["metric"]:
            raise ValueError(f"{task}: scored with {a['metric']} in one run and {b['metric']} in the other")
        lines.append(
            f"| {task} | {a['category']} | {a['metric']} | {a['gain']:+.2f} | {b['gain']:+.2f} "
            f"| {b['gain'] - a['gain']:+.2f} |"
        )
    better = sum(after["tasks"][t]["gain"] > before["tasks"][t]["gain"] for t in shared)
    lines += ["", f"{names[1]} is better than {names[0]} on {better} of {len(shared)} tasks."]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path, help="summary.json of the reference run")
    parser.add_argument("after", type=Path, help="summary.json of the changed run")
    parser.add_argument("--names", nargs=2, default=("before", "after"))
    args = parser.parse_args()
    before, after = (json.loads(p.read_text()) for p in (args.before, args.after))
    print("\n".join(compare(before, after, tuple(args.names))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
