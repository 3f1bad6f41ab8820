"""The instruction latent space (the Explanatory Instructions paper, appendix D): MiniLM
embeddings of explanatory instructions and of terminological ones, coloured by task.

Explanatory instructions of one task vary in wording yet should sit together, apart from other
tasks; terminological ones are a handful of phrasings of a name. The silhouette score by task
(cosine, full embedding space) puts a number on how well each kind separates tasks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pixtask.core.seeding import rng_for
from pixtask.data.task_instructions import describe_task
from pixtask.instructions import terminological
from pixtask.studies._io import pyplot, write_json
from pixtask.tasks import get_task

TERM_PHRASINGS = ("{name}", "{Name}.", "Perform {name}.", "Apply {name} to this photo.", "Task: {name}.")
SPACE_TASKS = (
    "derain", "denoise-gaussian", "deblur-motion", "dehaze", "desnow", "sr-x4", "lowlight-enhancement",
    "white-balance", "colorization", "canny", "watercolor", "cartoon",
)  # fmt: skip


def instruction_texts(tasks: tuple[str, ...], per_task: int, seed: int = 0) -> dict[str, list[tuple[str, str]]]:
    """{style: [(task, text)]}: explanatory (training split, both directions, varied parameters
    and levels) and terminological phrasings of the task's name."""
    explanatory, term = [], []
    for task_id in tasks:
        task = get_task(task_id)
        for i in range(per_task):
            rng = rng_for(seed, "instruction-space", task_id, i)
            level = int(rng.choice(task.levels)) if task.levels else None
            params = task.sample_params(rng, level)
            direction = "forward" if i % 2 == 0 else "backward"
            explanatory.append((task_id, describe_task(task_id, params, rng, level=level, direction=direction).text))
        name = terminological(task_id)
        term += [(task_id, p.format(name=name, Name=name.capitalize())) for p in TERM_PHRASINGS]
    return {"explanatory": explanatory, "terminological": term}


def instruction_space(encoder, out_dir: str | Path, tasks: tuple[str, ...] = SPACE_TASKS, per_task: int = 40) -> dict:
    """Embed, score and plot; writes instruction_space.{png,json} into ``out_dir``."""
    from sklearn.decomposition import PCA
    from sklearn.metrics import silhouette_score

    texts = instruction_texts(tasks, per_task)
    out = Path(out_dir)
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 5))
    cmap = plt.get_cmap("tab20")
    silhouette = {}
    for ax, (style, pairs) in zip(axes, texts.items(), strict=True):
        emb = encoder.pooled([t for _, t in pairs]).numpy()
        labels = np.array([task for task, _ in pairs])
        silhouette[style] = round(float(silhouette_score(emb, labels, metric="cosine")), 3)
        xy = PCA(n_components=2, random_state=0).fit_transform(emb)
        for i, task in enumerate(tasks):
            keep = labels == task
            ax.scatter(xy[keep, 0], xy[keep, 1], s=10 if style == "explanatory" else 28, color=cmap(i), label=task)
        ax.set_title(f"{style} (silhouette {silhouette[style]})", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[1].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.suptitle("Instruction embeddings (MiniLM), 2-D PCA, coloured by task", fontsize=11)
    fig.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "instruction_space.png", dpi=120)
    plt.close(fig)
    result = {"tasks": list(tasks), "per_task": per_task, "silhouette": silhouette, "phrasings": list(TERM_PHRASINGS)}
    write_json(out / "instruction_space.json", result)
    return result
