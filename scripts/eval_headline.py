"""Print the README's headline table (per category: how many trained tasks beat identity,
which clearly, which are worse) from a `pixtask eval` summary.json, so it is not typed by hand.

    python scripts/eval_headline.py docs/eval-pixtask-tiny/summary.json --model pixtask-tiny
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pixtask.models.hub import model_info

CLEAR_DB = 0.5
LABELS = {"psnr": "dB", "mae": "MAE levels", "perceptual-proxy": "perceptual proxy"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("summary", type=Path)
    parser.add_argument("--model", default="pixtask-tiny", help="its recorded trained_tasks select the rows")
    args = parser.parse_args()
    tasks = json.loads(args.summary.read_text())["tasks"]
    trained = set(model_info(args.model)["trained_tasks"])
    print("| trained tasks | beat identity | clearly (> 0.5 dB) | worse than identity |")
    print("|---|---|---|---|")
    for category in ("restoration", "enhancement", "feature extraction", "stylization"):
        rows = {t: r for t, r in tasks.items() if t in trained and r["category"] == category}
        if not rows:
            continue
        better = [t for t, r in rows.items() if r["gain"] > 0]
        clear = sorted((t for t, r in rows.items() if r["gain"] > CLEAR_DB), key=lambda t: -rows[t]["gain"])
        worse = sorted((t for t, r in rows.items() if r["gain"] <= 0), key=lambda t: rows[t]["gain"])
        unit = LABELS.get(next(iter(rows.values()))["metric"], "")
        print(f"| {category} ({len(rows)}) | {len(better)} | {_gains(rows, clear)} | {_gains(rows, worse)} ({unit}) |")


def _gains(rows: dict[str, dict], ids: list[str]) -> str:
    return ", ".join(f"{t} {rows[t]['gain']:+.1f}" for t in ids) or "–"


if __name__ == "__main__":
    main()
