"""The task library: seeded generators that turn any clean photo into an (input, target) pair."""

from pixtask.tasks._registry import get_task, list_tasks, resolve_tasks
from pixtask.tasks.spec import LEVELS, Category, Metric, Operator, Pairing, Task

__all__ = ["LEVELS", "Category", "Metric", "Operator", "Pairing", "Task", "get_task", "list_tasks", "resolve_tasks"]
