"""Collate benchmarks/words_study.sh's three-mode studies into one Markdown page.

python benchmarks/words_report.py --runs out/words --out docs/words/words.md
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

MODELS = {
    "shipped": "pixtask-tiny-text (shipped)",
    "before": "short retrain, before the fixes",
    "after": "short retrain, after the fixes",
    "align": "short retrain, after the fixes, with the alignment term",
}
SPLITS = {"user": "user phrasings", "heldout": "held-out templates"}


def _load(runs: Path) -> dict[tuple[str, str], dict]:
    found = {}
    for name in MODELS:
        for split in SPLITS:
            path = runs / name / split / "modes.json"
            if path.is_file():
                found[(name, split)] = json.loads(path.read_text())
    return found


def _summary(results: dict) -> list[str]:
    lines = [
        "| model | words | told in words | opposite words move the other way | mean gain over identity: "
        "example / words / both (dB) |",
        "|---|---|---:|---:|---|",
    ]
    for (name, split), r in results.items():
        c, g = r["controls"], r["targets"]["mean_gain_over_identity"]
        lines.append(
            f"| {MODELS[name]} | {SPLITS[split]} | {c['told_in_words']} of {c['judged']} | "
            f"{c['direction_pairs_opposed']} of {c['direction_pairs']} | "
            f"{g['example']:+.2f} / {g['instruction']:+.2f} / {g['both']:+.2f} |"
        )
    return lines


def _per_task(r: dict) -> list[str]:
    lines = [
        "| task | identity | words | empty | wrong-task | opposite | told in words | change: words / opposite |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for task, t in r["tasks"].items():
        c = t.get("controls")
        if not c:
            continue
        d = c.get("direction")
        moved = "-" if not d else f"{d['statistic']} {d['words_change']:+.3f} / {d['opposite_change']:+.3f}"
        if d and not d["opposed"]:
            moved += " (same way)"
        told = {True: "yes", False: "no"}.get(c.get("told_in_words"), "-")
        lines.append(
            f"| {task} | {t['identity']:.2f} | {t['instruction']:.2f} | {c['empty']:.2f} | {c['wrong-task']:.2f} | "
            f"{c['opposite']:.2f} | {told} | {moved} |"
        )
    return lines


def render(results: dict) -> str:
    lines = [
        "# Are the words read?",
        "",
        "Produced by `benchmarks/words_study.sh` (this page: `python benchmarks/words_report.py --runs out/words "
        "--out docs/words/words.md`). Benchmark: the 26 trained tasks, level 3 (where a task has levels), two "
        "test photos each (bundled and Debian photos never trained on), 128 px. Each query told in words is also "
        "told a lone full stop (empty), another trained task's words (wrong-task) and the opposite change's "
        "words (opposite). A task is *told in words* when its words beat identity and the wrong-task words by "
        "0.3 dB each (PSNR tasks).",
        "",
        "The short retrains (`configs/experiments/words-retrain.yaml`) start from `pixtask-tiny` (told by example "
        "only; its text layers start fresh) and train 500 steps of batch 8 with condition dropout on the same data "
        "stream, about 16 minutes each on our 2 cores; the shipped model had 2,400 such steps. *Before the fixes* "
        "is the code of commit fe11f75 (token embeddings padded to the batch's longest instruction, the last "
        "phrase of every slot held out, the old banks); *after* trims the padding, holds out a fifth of every "
        "slot, uses the corrected banks and tells a quarter of the worded samples by words measured from their own "
        "pair (`data.measured_words: 0.25`); *with the alignment term* adds `text_alignment: 0.1`.",
        "",
        *_summary(results),
        "",
    ]
    for (name, split), r in results.items():
        lines += [f"## {MODELS[name]}, {SPLITS[split]} (PSNR, or MAE for edge maps)", "", *_per_task(r), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=Path, default=Path("out/words"))
    parser.add_argument("--out", type=Path, default=Path("docs/words/words.md"))
    args = parser.parse_args()
    results = _load(args.runs)
    if not results:
        raise SystemExit(f"error: no modes.json under {args.runs}; run benchmarks/words_study.sh study first")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(results))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
