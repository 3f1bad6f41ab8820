"""The Explanatory Instructions paper's zero-shot studies at our scale -> docs/studies/explanatory/.

    pixtask bench build --out /root/bench-zs --photos all --levels 3 --prompts 2 --max-queries 8 \
        --tasks "$(python benchmarks/zero_shot.py --print-tasks)"
    python benchmarks/zero_shot.py --bench /root/bench-zs space            # the latent-space figure
    python benchmarks/zero_shot.py --bench /root/bench-zs instruction      # pixtask-tiny-text, train vs held-out words
    python benchmarks/zero_shot.py --bench /root/bench-zs task \
        --explanatory runs/studies/zs-explanatory/model --terminological runs/studies/zs-terminological/model

The task-level models come from configs/studies/task-zero-shot.yaml (its header has both
commands). Each part writes its JSON and PNG; every run rewrites zero_shot.md from what is there.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml
from rich.progress import Progress

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs/studies/task-zero-shot.yaml"
HELDOUT = ("deblur-motion", "white-balance", "watercolor")
COMMANDS = {
    "space": "python benchmarks/zero_shot.py --bench /root/bench-zs space",
    "instruction": "python benchmarks/zero_shot.py --bench /root/bench-zs instruction",
    "task": "python benchmarks/zero_shot.py --bench /root/bench-zs task --heldout-only "
    "--explanatory runs/studies/zs-explanatory/model --terminological runs/studies/zs-terminological/model",
}


def trained_tasks() -> list[str]:
    return yaml.safe_load(CONFIG.read_text())["data"]["tasks"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", nargs="?", choices=["space", "instruction", "task"])
    parser.add_argument("--bench")
    parser.add_argument("--out", type=Path, default=ROOT / "docs/studies/explanatory")
    parser.add_argument("--model", default="pixtask-tiny-text", help="the instruction-level study's model")
    parser.add_argument("--explanatory", help="model trained on explanatory instructions (task-level study)")
    parser.add_argument("--terminological", help="model trained on task names (task-level study)")
    parser.add_argument("--print-tasks", action="store_true", help="the benchmark's tasks, for `bench build`")
    parser.add_argument(
        "--heldout-only", action="store_true", help="task part: skip the trained tasks' reference (about 1/9 the time)"
    )
    args = parser.parse_args()
    if args.print_tasks:
        print(",".join([*trained_tasks(), *HELDOUT]))
        return 0
    if args.part is None or (args.part != "space" and not args.bench):
        parser.error("give a part (space, instruction, task) and, except for space, --bench")
    from pixtask.models.hub import model_info
    from pixtask.models.text_encoder import shared_encoder
    from pixtask.pipelines import GenLVPipeline
    from pixtask.studies import zero_shot

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    with Progress() as bar:
        job = bar.add_task(args.part, total=None)

        def progress(label: str, done: int, total: int, what: str) -> None:
            bar.update(job, completed=done, total=total, description=f"{label}: {what}")

        if args.part == "space":
            from pixtask.studies.instruction_space import instruction_space

            result = instruction_space(shared_encoder(), out)
        elif args.part == "instruction":
            trained = set(model_info(args.model).get("trained_tasks", []))
            pipe = GenLVPipeline.from_pretrained(args.model, tile=None)
            result = zero_shot.instruction_level_study(
                pipe.predictor(), args.bench, out, name=args.model, trained_tasks=trained,
                encoder=shared_encoder(), progress=progress,
            )  # fmt: skip
        else:
            if not (args.explanatory and args.terminological):
                parser.error("task needs --explanatory and --terminological model folders")
            models = {
                "explanatory": (GenLVPipeline.from_pretrained(args.explanatory, tile=None).predictor(), "heldout"),
                "terminological": (
                    GenLVPipeline.from_pretrained(args.terminological, tile=None).predictor(),
                    "terminological",
                ),
            }
            result = zero_shot.task_level_study(
                models, args.bench, out, heldout_tasks=set(HELDOUT),
                trained_tasks=set() if args.heldout_only else set(trained_tasks()),
                progress=progress,
            )  # fmt: skip
    parts = {}
    for name, file in (
        ("instruction", "instruction_level.json"),
        ("task", "task_level.json"),
        ("space", "instruction_space.json"),
    ):
        path = out / file
        parts[name] = json.loads(path.read_text()) if path.exists() else None
    page = zero_shot.zero_shot_markdown(parts["instruction"], parts["task"], parts["space"], COMMANDS)
    (out / "zero_shot.md").write_text(page)
    print(json.dumps({k: v for k, v in result.items() if k not in ("tasks",)}, indent=1)[:3000])
    print(f"wrote {out / 'zero_shot.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
