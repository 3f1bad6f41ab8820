"""The bar a default model must clear before it ships: read off a three-mode study (told in the
user phrasings, with controls) and the classical baselines measured on the same benchmark.

Over the trained restoration and enhancement tasks:

- told by example, and again in words, it beats identity by ``IDENTITY_MARGIN`` on every task;
- told either way, it beats the classical method on every task that has one;
- on at least ``WORDS_READ_TASKS`` tasks its words beat another task's words by the controls'
  margin (the words are read, not ignored);
- told both ways, it is within ``BOTH_SLACK`` of the better single way on every task.

Nothing here runs a model: the numbers come from ``pixtask study modes`` and
``benchmarks/classical_baselines.py``, so a target can be re-read without recomputing it.
"""

from __future__ import annotations

from pixtask.evaluation.controls import TOLD_MARGIN
from pixtask.instructions.user_phrasings import SETS as USER_SETS
from pixtask.studies.condition_modes import BOTH_SLACK, TARGET_CATEGORIES

IDENTITY_MARGIN = 0.3  # dB
WORDS_READ_TASKS = 15
SINGLE_MODES = {"example": "by example", "instruction": "in words"}
# two scorings of the same queries give the same identity PSNR to the rounding of the JSON files
SAME_BENCH_TOLERANCE = 0.02


def check_targets(modes: dict, classical: list[dict]) -> dict:
    """Each target with the tasks that miss it and by how much (dB, negative: missed)."""
    if modes.get("instruction_split") not in USER_SETS:
        split = modes.get("instruction_split")
        sets = " or ".join(USER_SETS)
        raise ValueError(f"the targets are told in user phrasings ({sets}); this study used {split!r}")
    aimed = {t: r for t, r in modes["tasks"].items() if r["trained"] and r["category"] in TARGET_CATEGORIES}
    if not aimed:
        raise ValueError("the study has no trained restoration or enhancement tasks")
    if any(r["metric"] != "psnr" for r in aimed.values()):
        raise ValueError("the targets are in dB: every aimed task must be scored by PSNR")
    missing_controls = sorted(t for t, r in aimed.items() if "wrong-task" not in r.get("controls", {}))
    if missing_controls:
        raise ValueError(f"the study was run without controls (no wrong-task score for {', '.join(missing_controls)})")
    baselines = {row["task"]: row for row in classical if row["task"] in aimed}
    for task, row in baselines.items():
        if abs(row["identity"] - aimed[task]["identity"]) > SAME_BENCH_TOLERANCE:
            raise ValueError(
                f"{task}: identity is {row['identity']} in the classical baselines but {aimed[task]['identity']} "
                "in the study; score both on the same benchmark"
            )

    def margins(value_of) -> dict[str, float]:
        return {t: value_of(t, r) for t, r in aimed.items()}

    result = {"words": modes["instruction_split"], "tasks": sorted(aimed), "targets": []}

    def add(name: str, per_task: dict[str, float], need: int | None = None, strict: bool = False) -> None:
        """A task passes when its margin is >= 0 (> 0 when ``strict``: a tie is no win)."""
        passed = sorted(t for t, m in per_task.items() if (m > 0 if strict else m >= 0))
        need = len(per_task) if need is None else need
        result["targets"].append(
            {
                "target": name,
                "passed": len(passed),
                "of": len(per_task),
                "needed": need,
                "met": len(passed) >= need,
                "missed": {t: round(m, 2) for t, m in sorted(per_task.items()) if t not in passed},
            }
        )

    for mode, words in SINGLE_MODES.items():
        over_identity = margins(lambda t, r, m=mode: r[m] - r["identity"] - IDENTITY_MARGIN)
        add(f"{words}: beats identity by {IDENTITY_MARGIN} dB", over_identity)
    for mode, words in SINGLE_MODES.items():
        per_task = {t: aimed[t][mode] - b["classical"] for t, b in sorted(baselines.items())}
        add(f"{words}: beats the classical method", per_task, strict=True)
    add(
        f"in words: beat the wrong-task words by {TOLD_MARGIN} dB",
        margins(lambda t, r: r["instruction"] - r["controls"]["wrong-task"] - TOLD_MARGIN),
        need=WORDS_READ_TASKS,
    )
    add(
        f"both: within {BOTH_SLACK} dB of the better single way",
        margins(lambda t, r: r["both"] - max(r["example"], r["instruction"]) + BOTH_SLACK),
    )
    result["met"] = all(t["met"] for t in result["targets"])
    result["rows"] = {
        t: {
            "identity": r["identity"],
            "classical": baselines[t]["classical"] if t in baselines else None,
            "classical_method": baselines[t]["method"] if t in baselines else None,
            "example": r["example"],
            "instruction": r["instruction"],
            "both": r["both"],
            "wrong_task": r["controls"]["wrong-task"],
        }
        for t, r in sorted(aimed.items())
    }
    return result


def targets_markdown(result: dict, *, model: str, command: str) -> str:
    lines = [
        f"# {model}: the targets of a default model",
        "",
        f"Measured by `{command}`, told in words by the `{result.get('words', 'user')}` phrasings. Margins in dB; "
        "a negative margin is a miss.",
        "",
        "| target | tasks | met |",
        "|---|---:|---|",
    ]
    for t in result["targets"]:
        met = "yes" if t["met"] else "no"
        lines.append(f"| {t['target']} | {t['passed']} of {t['of']} (needed {t['needed']}) | {met} |")
    lines += ["", "Missed:", ""]
    for t in result["targets"]:
        if t["missed"]:
            lines.append(f"- {t['target']}: " + ", ".join(f"{k} {v:+.2f}" for k, v in t["missed"].items()))
    lines += [
        "",
        "| task | identity | classical | by example | in words | both | wrong-task words |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for task, r in result["rows"].items():
        classical = "-" if r["classical"] is None else f"{r['classical']:.2f} ({r['classical_method']})"
        lines.append(
            f"| {task} | {r['identity']:.2f} | {classical} | {r['example']:.2f} | {r['instruction']:.2f} | "
            f"{r['both']:.2f} | {r['wrong_task']:.2f} |"
        )
    return "\n".join(lines) + "\n"
