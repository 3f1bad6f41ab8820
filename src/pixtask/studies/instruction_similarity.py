"""How unseen are the held-out instructions? Each one's highest cosine similarity (MiniLM
sentence embeddings) to the training instructions, so "unseen" is measured, not assumed.

The training side is a seeded sample of each task's training instructions in both directions
(the full bank has hundreds of thousands), taken from every task, so a held-out instruction is
compared with its own task's phrasing and with every other task's.
"""

from __future__ import annotations

import random

import numpy as np
import torch

from pixtask.core.progress import Progress, no_progress
from pixtask.core.seeding import derive_seed, rng_for
from pixtask.instructions import BANKS, all_instructions
from pixtask.models.text_encoder import TextEncoder
from pixtask.tasks import get_task, list_tasks


def instruction_sets(per_task: int = 100, seed: int = 0, level: int = 3) -> tuple[list[tuple[str, str]], list[str]]:
    """(held-out (task, text) pairs, training sample), one parameter draw per task."""
    heldout: list[tuple[str, str]] = []
    train: list[str] = []
    for task_id in list_tasks():
        task = get_task(task_id)
        if task.operator.name not in BANKS:
            continue
        lv = level if task.levels else None
        params = task.sample_params(rng_for(seed, "instructions", task_id, lv), lv)
        for direction in ("forward", "backward"):
            kwargs = {"level": lv, "direction": direction}
            heldout += [
                (task_id, t)
                for t in sorted(
                    set(all_instructions(task.operator.name, task.direction, params, split="heldout", **kwargs))
                )
            ]
            pool = sorted(set(all_instructions(task.operator.name, task.direction, params, **kwargs)))
            train += random.Random(derive_seed(seed, task_id, direction)).sample(pool, min(per_task, len(pool)))
    return heldout, train


def heldout_similarity(
    encoder: TextEncoder, per_task: int = 100, seed: int = 0, progress: Progress = no_progress
) -> dict:
    """Per held-out instruction, the highest cosine similarity to the training sample;
    ``progress(done, total)`` after each batch embedded."""
    heldout, train = instruction_sets(per_task, seed)
    batches = [train[i : i + 512] for i in range(0, len(train), 512)]
    train_emb = []
    for i, batch in enumerate(batches, start=1):
        train_emb.append(encoder.pooled(batch))
        progress(i, len(batches) + 1)
    bank = torch.cat(train_emb)
    held_emb = encoder.pooled([t for _, t in heldout])
    progress(len(batches) + 1, len(batches) + 1)
    best = (held_emb @ bank.T).max(dim=1).values.numpy()
    qs = np.quantile(best, [0.0, 0.1, 0.5, 0.9, 1.0])
    return {
        "heldout": len(heldout),
        "train_sample": len(train),
        "per_task_sample": per_task,
        "max_cosine": {k: round(float(v), 4) for k, v in zip(("min", "p10", "median", "p90", "max"), qs, strict=True)},
        "per_instruction": [
            {"task": task, "text": text, "max_cosine": round(float(b), 4)}
            for (task, text), b in zip(heldout, best, strict=True)
        ],
    }


#: What write_stats writes, for callers that check the folder first.
STATS_FILES = ("stats.json", "stats.md", "heldout_similarity.png")


def write_stats(result: dict, out) -> None:
    """stats.json, stats.md and (with similarities) a histogram PNG into ``out``."""
    import json
    from pathlib import Path

    from pixtask.studies._io import pyplot, write_text

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "stats.json", json.dumps(result, indent=1) + "\n")
    total = result["total"]
    lines = [
        "# Explanatory instructions",
        "",
        "`pixtask instructions stats --similarity --out docs/instructions --overwrite`: distinct instructions per task "
        "(both directions, one parameter draw at each of levels 1, 3 and 5).",
        "",
        f"**{total['train']:,} distinct training instructions and {total['heldout']:,} held-out ones over "
        f"{len(result['tasks'])} tasks** (mixed degradations are chains of these and are not counted). These "
        "counts are products: each instruction combines a structure, a clause about the change, a noun, a severity "
        "word, a clause about the result and one about what stays, so the *phrases* columns (distinct phrases per "
        "direction, forward/backward) are the measure of variety a model learns from.",
        "",
        f"Leak check: **{len(result.get('leaked_phrases', []))}** held-out phrases (two or more words) of any task "
        "appear inside a training phrase of any task.",
        "",
        "| task | train | phrases (fwd/bwd) | held out | phrases (fwd/bwd) |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {t} | {c['train']:,} | {c['train_phrases']['forward']}/{c['train_phrases']['backward']} | "
            f"{c['heldout']:,} | {c['heldout_phrases']['forward']}/{c['heldout_phrases']['backward']} |"
            for t, c in result["tasks"].items()
        ),
    ]
    sim = result.get("heldout_similarity")
    if sim:
        q = sim["max_cosine"]
        lines += [
            "",
            "## How unseen the held-out split is",
            "",
            f"Each of the {sim['heldout']} held-out instructions (level 3, one parameter draw per task) against a "
            f"seeded sample of {sim['train_sample']:,} training instructions ({sim['per_task_sample']} per task and "
            "direction, all tasks): its highest cosine similarity of MiniLM sentence embeddings.",
            "",
            "| min | p10 | median | p90 | max |",
            "|---:|---:|---:|---:|---:|",
            f"| {q['min']} | {q['p10']} | {q['median']} | {q['p90']} | {q['max']} |",
            "",
            "![histogram](heldout_similarity.png)",
        ]
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(6, 3.2))
        ax.hist([r["max_cosine"] for r in sim["per_instruction"]], bins=30, color="tab:blue")
        ax.set_xlabel("highest cosine similarity to a training instruction (MiniLM)")
        ax.set_ylabel("held-out instructions")
        fig.tight_layout()
        fig.savefig(out / "heldout_similarity.png", dpi=110)
        plt.close(fig)
    write_text(out / "stats.md", "\n".join(lines) + "\n")
