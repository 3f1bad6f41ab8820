"""The shipped text+example model told by example, in words (held-out instructions) and both, on
the evaluation benchmark, beside identity and the visual-prompt model's recorded evaluation.

    pixtask bench build --out /root/bench-eval --photos all --levels 1,3,5 --prompts 3   (as docs/eval-pixtask-tiny)
    python benchmarks/condition_modes.py --bench /root/bench-eval --out docs/eval-pixtask-tiny-text \
        --visual-summary docs/eval-pixtask-tiny/summary.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.progress import Progress

from pixtask.models.hub import DEFAULT_TEXT_MODEL, model_info
from pixtask.pipelines import GenLVPipeline
from pixtask.studies.condition_modes import condition_mode_study, load_summary
from pixtask.tasks import resolve_tasks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", default=DEFAULT_TEXT_MODEL)
    parser.add_argument("--visual-summary", help="summary.json of the visual-prompt model on the same benchmark")
    parser.add_argument("--visual-name", default="pixtask-tiny")
    parser.add_argument("--tasks", default="*")
    parser.add_argument("--instructions", default="heldout", choices=["heldout", "train"])
    args = parser.parse_args()
    from pixtask.data.benchmark import load_manifest

    tasks = set(resolve_tasks(args.tasks, set(load_manifest(args.bench)["tasks"]), strict=False))
    pipe = GenLVPipeline.from_pretrained(args.model, tile=None)
    with Progress() as bar:
        job = bar.add_task("evaluating", total=None)
        result = condition_mode_study(
            pipe.predictor(),
            args.bench,
            args.out,
            name=args.model,
            trained_tasks=set(model_info(args.model).get("trained_tasks", [])),
            visual=load_summary(args.visual_summary) if args.visual_summary else None,
            visual_name=args.visual_name,
            tasks=tasks,
            instruction_split=args.instructions,
            progress=lambda mode, d, t, label: bar.update(job, completed=d, total=t, description=f"{mode}: {label}"),
        )
    t = result["targets"]
    aimed = f"{t['tasks']} trained restoration/enhancement tasks"
    print(f"in words beats identity on {t['instruction_beats_identity']}/{aimed}")
    print(
        f"both >= either alone on {t['both_at_least_either']}/{t['tasks']}; mean gains {t['mean_gain_over_identity']}"
    )
    print(f"wrote {args.out / 'modes.md'}, {args.out / 'modes.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
