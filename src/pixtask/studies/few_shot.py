"""Few-shot study (the GenLV paper's Fig. 12): every fine-tuning strategy, and training from
scratch, on the same few pairs of a task the model never saw, scored on the benchmark's test
queries of that task beside the zero-shot model and the identity baseline."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pixtask.core.geometry import center_square
from pixtask.core.image_io import write_image
from pixtask.core.progress import Progress, no_progress
from pixtask.core.seeding import rng_for
from pixtask.data.benchmark import Benchmark
from pixtask.data.paired_folder import PairedFolder
from pixtask.data.photos import Photo, resolve_photos
from pixtask.evaluation.evaluator import evaluate
from pixtask.models.genlv import GenLV
from pixtask.models.hub import save_pretrained
from pixtask.pipelines import GenLVPipeline
from pixtask.studies._io import markdown_table, pyplot, write_json, write_text
from pixtask.tasks import get_task
from pixtask.training.finetune import STRATEGIES, FewShotConfig, finetune


def write_task_pairs(task_id: str, photos: list[Photo], out: Path, level: int | None, seed: int, size: int = 256):
    """``out/input`` + ``out/target`` pairs of one task (linked per its pairing policy), one per
    photo's centred square: a paired folder a user could have made by hand."""
    task = get_task(task_id)
    params = task.sample_linked_params(rng_for(seed, "few-shot", task_id, level), task.check_level(level), len(photos))
    for photo, p in zip(photos, params, strict=True):
        inp, tgt = task.apply(center_square(photo.load(), size), p)
        name = photo.id.replace("/", "_") + ".png"
        write_image(out / "input" / name, inp)
        write_image(out / "target" / name, tgt)
    return PairedFolder.open(out)


def few_shot_study(
    model: GenLV,
    task_id: str,
    bench_dir: str | Path | Benchmark,
    out_dir: str | Path,
    cfg: FewShotConfig,
    strategies: list[str] | None = None,
    shots: int = 5,
    photos: str = "bundled",
    level: int | None = 3,
    progress: Progress = no_progress,
) -> dict:
    """``progress(done, total, strategy)`` before each strategy is fine-tuned (``done``: the
    strategies finished so far)."""
    out = Path(out_dir)
    bench = Benchmark.open(bench_dir)
    if task_id not in bench.tasks:
        raise ValueError(f"{task_id} is not in the benchmark {bench.root}; build one with --tasks {task_id}")
    train_photos = [p for p in resolve_photos(photos) if p.split == "train"]
    if len(train_photos) < shots + 1:
        raise ValueError(f"{photos}: {len(train_photos)} training photos, need {shots + 1} ({shots} shots + 1 val)")
    order = rng_for(cfg.seed, "few-shot-photos", task_id).permutation(len(train_photos))
    chosen = [train_photos[i] for i in order[: shots + 1]]
    task_level = level if get_task(task_id).levels else None
    train = write_task_pairs(task_id, chosen[:shots], out / "pairs" / "train", task_level, cfg.seed)
    val = write_task_pairs(task_id, chosen[shots:], out / "pairs" / "val", task_level, cfg.seed + 1)

    def score(net: GenLV) -> tuple[float, float]:
        rows = evaluate(
            GenLVPipeline(net, device=cfg.device, precision=cfg.precision).predictor(), bench, tasks={task_id}
        )
        return float(np.mean([r.value for r in rows])), float(np.mean([r.identity for r in rows]))

    zero, identity = score(model)
    rows = {"zero-shot": {"test": round(zero, 3), "best_step": 0, "val_psnr": None, "trainable": 0}}
    curves = {}
    chosen = strategies or list(STRATEGIES)
    for done, strategy in enumerate(chosen):
        progress(done, len(chosen), strategy)
        run = FewShotConfig(**{**cfg.__dict__, "strategy": strategy})
        result = finetune(model, train, val, run)
        save_pretrained(result.model, out / "models" / strategy)
        rows[strategy] = {
            "test": round(score(result.model)[0], 3),
            "best_step": result.best_step,
            "val_psnr": round(result.best_val_psnr, 3),
            "trainable": result.trainable,
        }
        curves[strategy] = result.history
    summary = {"task": task_id, "shots": shots, "identity": round(identity, 3), "rows": rows, "curves": curves}
    write_few_shot(summary, out)
    return summary


def write_few_shot(summary: dict, out: Path) -> None:
    write_json(out / "few_shot.json", summary)
    table = [
        [name, r["trainable"], r["best_step"], r["val_psnr"] or "-", r["test"]] for name, r in summary["rows"].items()
    ]
    text = (
        f"# Few-shot: {summary['task']} from {summary['shots']} pairs\n\n"
        f"Test metric on the benchmark's test queries; identity baseline {summary['identity']}.\n\n"
        + markdown_table(["strategy", "trainable params", "best step", "val PSNR", "test"], table)
    )
    write_text(out / "few_shot.md", text)
    plt = pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    names = list(summary["rows"])
    ax1.bar(names, [summary["rows"][n]["test"] for n in names], color="tab:blue")
    ax1.axhline(summary["identity"], color="k", ls="--", lw=1, label="identity")
    ax1.set_ylim(min(summary["identity"], *(summary["rows"][n]["test"] for n in names)) - 1, None)
    ax1.tick_params(axis="x", rotation=45, labelsize=8)
    ax1.set_ylabel("test metric")
    ax1.legend(fontsize=8)
    for name, hist in summary["curves"].items():
        ax2.plot([h["step"] for h in hist], [h["val_psnr"] for h in hist], label=name)
    ax2.set_xlabel("step")
    ax2.set_ylabel("validation PSNR (dB)")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "few_shot.png", dpi=110)
    plt.close(fig)
