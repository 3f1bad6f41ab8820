"""Per-task gain over identity of two `pixtask eval` runs side by side (Markdown), to judge a
training change on the numbers rather than on the tasks it was aimed at.

    python scripts/compare_evals.py docs/eval-pixtask-tiny/summary.json out/eval-new/summary.json \
        --names "stage 3" "stage 4" > docs/experiments/stage4.md

The table is pixtask.evaluation.report.compare_summaries.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pixtask.evaluation.report import compare_summaries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path, help="summary.json of the reference run")
    parser.add_argument("after", type=Path, help="summary.json of the changed run")
    parser.add_argument("--names", nargs=2, default=("before", "after"))
    args = parser.parse_args()
    before, after = (json.loads(p.read_text()) for p in (args.before, args.after))
    print("\n".join(compare_summaries(before, after, tuple(args.names))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
