"""The task registry: explicit registration, duplicates fail, unknown names suggest matches."""

from __future__ import annotations

import difflib
import fnmatch

from pixtask.tasks.spec import Category, Direction, Metric, Operator, Pairing, Task

_TASKS: dict[str, Task] = {}

_DEFAULT_METRIC = {
    Category.RESTORATION: Metric.PSNR,
    Category.ENHANCEMENT: Metric.PSNR,
    Category.STYLIZATION: Metric.PERCEPTUAL,
    Category.FEATURE_EXTRACTION: Metric.MAE,
}


def register(task: Task) -> Task:
    """Add a task; a second task with the same id is a programming error."""
    if task.id in _TASKS:
        raise KeyError(f"task {task.id!r} is already registered")
    _TASKS[task.id] = task
    return task


def register_operator(
    operator: Operator,
    *,
    id: str,
    name: str,
    category: Category,
    direction: Direction,
    description: str,
    pairing: Pairing | None = None,
    metric: Metric | None = None,
    inverse: tuple[str, str, str] | None = None,
) -> Task:
    """Register the task an operator defines and, if ``inverse=(id, name, description)`` is
    given, its inverse: same operator, opposite direction, judged by PSNR against the photo.
    """
    pairing = pairing or Pairing()
    forward = Task(
        id=id,
        name=name,
        category=category,
        operator=operator,
        direction=direction,
        metric=metric or _DEFAULT_METRIC[category],
        description=description,
        pairing=pairing,
        inverse_id=inverse[0] if inverse else None,
    )
    register(forward)
    if inverse:
        inv_id, inv_name, inv_description = inverse
        register(
            Task(
                id=inv_id,
                name=inv_name,
                category=category,
                operator=operator,
                direction="restore" if direction == "apply" else "apply",
                metric=Metric.PSNR if direction == "apply" else _DEFAULT_METRIC[category],
                description=inv_description,
                pairing=pairing,
                inverse_id=id,
            )
        )
    return forward


def get_task(task_id: str) -> Task:
    """Look up a task by id; an unknown id raises KeyError naming the closest ids."""
    _ensure_loaded()
    try:
        return _TASKS[task_id]
    except KeyError:
        close = difflib.get_close_matches(task_id, _TASKS, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else "; see `pixtask tasks list`"
        raise KeyError(f"unknown task {task_id!r}{hint}") from None


def list_tasks(pattern: str = "*", category: Category | str | None = None) -> list[str]:
    """Task ids matching a shell-style ``pattern``, in registration order (family by family)."""
    _ensure_loaded()
    cat = Category(category) if category is not None else None
    return [
        tid for tid, task in _TASKS.items() if fnmatch.fnmatch(tid, pattern) and (cat is None or task.category == cat)
    ]


def resolve_tasks(patterns: str | list[str], among: set[str] | None = None, *, strict: bool = True) -> list[str]:
    """Task ids matched by ``patterns`` (a list, or one comma-separated string of shell-style
    patterns), in pattern order without repeats; restricted to ``among`` when given (e.g. a
    benchmark's tasks). With ``strict`` a pattern matching no registered task is an error with
    suggestions (a typo would otherwise silently select nothing); an empty result always is."""
    if isinstance(patterns, str):
        patterns = patterns.split(",")
    ids: list[str] = []
    for pattern in (p.strip() for p in patterns if p.strip()):
        matched = list_tasks(pattern)
        if not matched and strict:
            get_task(pattern)  # raises KeyError with suggestions
        ids.extend(t for t in matched if t not in ids and (among is None or t in among))
    if not ids:
        where = "" if among is None else " among the benchmark's tasks"
        raise ValueError(f"no tasks match {','.join(patterns)!r}{where}")
    return ids


def _ensure_loaded() -> None:
    # The family modules register on import; importing here keeps `get_task` usable on its own.
    import pixtask.tasks.families  # noqa: F401
