"""Print the README's headline table (per category: how many trained tasks beat their baseline,
which clearly, which are worse) from a `pixtask eval` summary.json, so it is not typed by hand.
A task's baseline is the stronger of identity and its trivial baseline (the best constant for
maps, colour transfer for stylization), as `pixtask eval` reports it.

Then it lists the tasks with *degenerate* queries: the input already equals the target (identity
PSNR of at least 60 dB, e.g. a saturation task on a monochrome photo), so identity scores up to
the 100 dB cap and any change at all costs tens of dB in a per-image average. The headline keeps
them (it is the benchmark's convention); the list shows each such task's gain without them.

    python scripts/eval_headline.py docs/eval-pixtask-tiny/summary.json --model pixtask-tiny
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from pixtask.models.hub import model_info

CLEAR_DB = 0.5
DEGENERATE_DB = 60.0
LABELS = {"psnr": "dB", "mae": "MAE levels", "perceptual-proxy": "perceptual proxy"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("summary", type=Path)
    parser.add_argument("--model", default="pixtask-tiny", help="its recorded trained_tasks select the rows")
    args = parser.parse_args()
    tasks = json.loads(args.summary.read_text())["tasks"]
    trained = set(model_info(args.model)["trained_tasks"])
    print("| trained tasks | beat their baseline | clearly (> 0.5 dB) | worse than their baseline |")
    print("|---|---|---|---|")
    for category in ("restoration", "enhancement", "feature extraction", "stylization"):
        rows = {t: r for t, r in tasks.items() if t in trained and r["category"] == category}
        if not rows:
            continue
        better = [t for t, r in rows.items() if r["gain"] > 0]
        clear = sorted((t for t, r in rows.items() if r["gain"] > CLEAR_DB), key=lambda t: -rows[t]["gain"])
        worse = sorted((t for t, r in rows.items() if r["gain"] <= 0), key=lambda t: rows[t]["gain"])
        unit = LABELS.get(next(iter(rows.values()))["metric"], "")
        over = sorted({r.get("baseline", "identity") for r in rows.values()})
        unit += f"; over {' / '.join(over)}"
        print(f"| {category} ({len(rows)}) | {len(better)} | {_gains(rows, clear)} | {_gains(rows, worse)} ({unit}) |")
    _degenerate(args.summary.parent / "per_query.csv", trained)


def _degenerate(per_query: Path, trained: set[str]) -> None:
    """Per trained PSNR task with degenerate queries: how many, which photos, gain without them."""
    rows = [r for r in csv.DictReader(per_query.open()) if r["task"] in trained and r["metric"] == "psnr"]
    lines = []
    for task in sorted({r["task"] for r in rows}):
        mine = [r for r in rows if r["task"] == task]
        kept = [r for r in mine if float(r["identity"]) < DEGENERATE_DB]
        if len(kept) == len(mine):
            continue
        photos = sorted({r["query_photo"] for r in mine if float(r["identity"]) >= DEGENERATE_DB})
        gain = sum(float(r["value"]) - float(r["identity"]) for r in kept) / len(kept)
        where = ", ".join(photos)
        lines.append(f"- {task}: {len(mine) - len(kept)} of {len(mine)} queries ({where}); without them {gain:+.2f} dB")
    if lines:
        print(f"\nQueries whose input already equals the target (identity >= {DEGENERATE_DB:g} dB):")
        print("\n".join(lines))


def _gains(rows: dict[str, dict], ids: list[str]) -> str:
    return ", ".join(f"{t} {rows[t]['gain']:+.1f}" for t in ids) or "–"


if __name__ == "__main__":
    main()
