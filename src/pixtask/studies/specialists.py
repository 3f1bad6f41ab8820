"""Generalist vs specialists: the training configs the GenLV paper's comparison needs.

From the generalist's config this derives, for each chosen task, a specialist with the same
backbone and data but one task, and without prompts (one task needs no prompt; the paper's
specialists and group "reference" models are prompt-free Restormers). Two budgets:
``split`` gives each specialist the generalist's steps divided by the number of tasks (the same
total compute), ``same`` gives each the generalist's full steps. The ``reference`` model is one
prompt-free multi-task model on the whole group with the generalist's steps.
"""

from __future__ import annotations

import copy
from pathlib import Path

from pixtask.tasks import get_task
from pixtask.training.config import TrainConfig

BUDGETS = ("split", "same")


def plan_specialists(
    base: TrainConfig, tasks: list[str], out_root: str | Path, budgets: tuple[str, ...] = BUDGETS
) -> dict[str, TrainConfig]:
    """``{run name: config}``; run names are ``split/<task>``, ``same/<task>`` and ``reference``."""
    unknown = set(budgets) - set(BUDGETS)
    if unknown:
        raise ValueError(f"unknown budget(s) {sorted(unknown)}; choose from {', '.join(BUDGETS)}")
    if len(tasks) < 2:
        raise ValueError("a generalist-vs-specialists study needs at least 2 tasks")
    for t in tasks:
        get_task(t)  # unknown ids fail here, with suggestions
    root = Path(out_root)
    runs: dict[str, TrainConfig] = {}

    def derive(name: str, task_list: list[str], steps: int) -> None:
        cfg = copy.deepcopy(base)
        cfg.data.tasks = task_list
        cfg.data.weights = {}
        cfg.model_overrides = {**cfg.model_overrides, "use_prompt": False}
        cfg.steps = steps
        cfg.optim.warmup_steps = min(cfg.optim.warmup_steps, max(1, steps // 10))
        cfg.out_dir = str(root / name)
        cfg.validate()
        runs[name] = cfg

    for budget in budgets:
        for t in tasks:
            derive(f"{budget}/{t}", [t], max(1, base.steps // len(tasks)) if budget == "split" else base.steps)
    derive("reference", list(tasks), base.steps)
    return runs
