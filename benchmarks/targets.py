"""Does a model clear the bar of a default model? Reads a three-mode study told in the user
phrasings with controls, and the classical baselines on the same benchmark; writes the targets,
each with the tasks that miss it and by how much.

    pixtask study modes --model MODEL --bench out/bench-eval --instructions user --out OUT/modes --tasks TASKS
    python benchmarks/classical_baselines.py --bench out/bench-eval --model MODEL
    python benchmarks/targets.py --modes OUT/modes/modes.json --model MODEL --out docs/targets.md
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pixtask.core.guards import read_json_file
from pixtask.core.output_plan import as_typed
from pixtask.studies.default_targets import check_targets, targets_markdown

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modes", type=Path, required=True, help="the modes.json of a user-phrasing study")
    parser.add_argument("--classical", type=Path, default=ROOT / "docs/classical_baselines.json")
    parser.add_argument("--model", required=True, help="the model's name, for the page's title")
    parser.add_argument("--out", type=Path, default=ROOT / "docs/targets.md")
    args = parser.parse_args(argv)
    try:
        result = check_targets(read_json_file(args.modes), read_json_file(args.classical))
    except ValueError as e:  # a missing or wrong file, or a study the targets cannot be read from
        parser.error(str(e))
    command = f"python benchmarks/targets.py --modes {args.modes} --model {args.model}"
    if (shown := as_typed(args.out, ROOT)) != Path("docs/targets.md"):
        command += f" --out {shown}"
    args.out.write_text(targets_markdown(result, model=args.model, command=command))
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1))
    for t in result["targets"]:
        print(f"{'met ' if t['met'] else 'MISS'} {t['target']}: {t['passed']} of {t['of']} (needed {t['needed']})")
    print(f"wrote {args.out}")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
