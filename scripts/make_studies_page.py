"""Assemble docs/studies.md from the studies' own outputs (benchmarks/studies.sh writes them
into docs/studies/<study>/), so no number on the page is typed by hand. Each study folder may
hold a hand-written READING.md: what our numbers say against the paper's claim."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
STUDIES = [
    # folder, title, table file, figure, stage of benchmarks/studies.sh, the paper's claim
    (
        "prompts",
        "Prompt robustness",
        "prompt_robustness.md",
        "prompt_robustness.png",
        "prompts",
        "the choice of prompt pair barely matters: about 0.1 dB std for GenLV, 1-3 dB for Painter/PromptGIP.",
    ),
    (
        "mismatch",
        "Mismatch test",
        "mismatch.md",
        "mismatch_grid.png",
        "mismatch",
        "a prompt of an unrelated task leaves the input (nearly) unchanged.",
    ),
    (
        "ablation",
        "No-prompt ablation",
        "comparison.md",
        "comparison.png",
        "ablation",
        "the same backbone without prompts (X-Restormer*) is clearly worse than GenLV* on restoration tasks.",
    ),
    (
        "specialists",
        "Generalist vs specialists",
        "comparison.md",
        "comparison.png",
        "specialists",
        "one generalist approaches per-task specialists and group reference models.",
    ),
    (
        "zero-shot",
        "Zero-shot on held-out tasks",
        "results.md",
        "per_task.png",
        "zero-shot",
        "unseen tasks get reasonable output when related tasks were trained.",
    ),
    (
        "few-shot",
        "Few-shot fine-tuning strategies",
        "few_shot.md",
        "few_shot.png",
        "few-shot",
        "every tuning strategy beats training from scratch on 5 pairs; tuning the whole backbone is best (Fig. 12).",
    ),
    (
        "scale",
        "Scale: tiny vs small",
        "comparison.md",
        "comparison.png",
        "scale",
        "larger models are better at equal data (GenLV-Base < Large < Huge).",
    ),
]


def main() -> None:
    lines = [
        "# The GenLV paper's studies on our CPU-trained models",
        "",
        "Every table below is written by the command shown (all of them: `benchmarks/studies.sh`, or",
        "`make studies`) and copied here by `python scripts/make_studies_page.py`. Models: the prompt",
        "robustness, mismatch and zero-shot studies ran on the shipped `pixtask-tiny` (stage 4,",
        "docs/models/pixtask-tiny.md), the few-shot study on its stage-3 weights (not re-run since).",
        "The studies that train several models use 400-step runs of `configs/studies/restoration6.yaml`",
        "(six restoration tasks, bundled training photos, genlv-tiny without the global residual).",
        "A study command writes into its `--out` folder and refuses, before any model runs, a folder",
        "that already holds files (pass `--overwrite` to replace an earlier study there) or one that",
        "holds the benchmark or the model it reads.",
        "",
    ]
    for folder, title, table, figure, stage, claim in STUDIES:
        root = DOCS / "studies" / folder
        lines += [f"## {title}", "", f"Paper: {claim}", "", f"Reproduce: `benchmarks/studies.sh {stage}`", ""]
        if not (root / table).is_file():
            lines += ["Not run yet.", ""]
            continue
        body = (root / table).read_text()
        body = re.sub(r"^# .*\n", "", body, count=1).strip()
        body = re.sub(r"^## ", "### ", body, flags=re.M)
        lines += [body, "", f"![{title}](studies/{folder}/{figure})", ""]
        reading = root / "READING.md"
        if reading.is_file():
            lines += ["**Reading.** " + reading.read_text().strip(), ""]
    explanatory = DOCS / "studies" / "explanatory" / "zero_shot.md"
    if explanatory.is_file():  # the Explanatory Instructions paper's studies (pixtask study explanatory)
        body = re.sub(r"^# .*\n", "", explanatory.read_text(), count=1).strip()
        body = re.sub(r"^## ", "### ", body, flags=re.M)
        body = re.sub(r"\]\((\w+\.png)\)", r"](studies/explanatory/\1)", body)
        lines += ["## Explanatory Instructions: zero-shot at our scale", "", body, ""]
        reading = explanatory.parent / "READING.md"
        if reading.is_file():
            lines += ["**Reading.** " + reading.read_text().strip(), ""]
    (DOCS / "studies.md").write_text("\n".join(lines))
    print(f"wrote {DOCS / 'studies.md'}")


if __name__ == "__main__":
    main()
