"""Training throughput on this machine: samples/s, the share of step time spent waiting for
data, and model FLOP utilisation against the measured bf16 matmul peak.

Runs the real trainer (configs/tiny.yaml settings, 64x64 crops, batch 8, one DataLoader
worker, precision auto) for a fixed number of steps after a warm-up, for genlv-tiny and
genlv-small. FLOPs per sample = 3 x 2 x thop MACs of one forward pass (forward + backward),
prompt encoder included; attention matmuls are not in thop's count.
Writes docs/training_speed.md and docs/training_speed.json.

    python benchmarks/training_speed.py     # about 4 minutes
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import torch

from pixtask.models import get_config
from pixtask.models.counting import count
from pixtask.training.config import load_config
from pixtask.training.trainer import Trainer

DOCS = Path(__file__).resolve().parents[1] / "docs"
CONFIG = Path(__file__).resolve().parents[1] / "configs" / "tiny.yaml"


def bf16_peak(n: int = 2048, reps: int = 5) -> float:
    a, b = torch.rand(n, n, dtype=torch.bfloat16), torch.rand(n, n, dtype=torch.bfloat16)
    a @ b
    t = time.perf_counter()
    for _ in range(reps):
        a @ b
    return 2 * n**3 * reps / (time.perf_counter() - t)


def measure(model: str, steps: int, warmup: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        cfg = load_config(CONFIG, [f"model={model}", f"out_dir={out}", f"steps={warmup + steps}", "data.workers=1"])
        trainer = Trainer(cfg)
        loader = torch.utils.data.DataLoader(
            trainer.dataset,
            batch_size=cfg.batch_size,
            sampler=range((warmup + steps) * cfg.batch_size),
            num_workers=cfg.data.workers,
        )
        wait = compute = 0.0
        it = iter(loader)
        for step in range(warmup + steps):
            t0 = time.perf_counter()
            batch = next(it)
            t1 = time.perf_counter()
            trainer.train_step(batch["images"])
            t2 = time.perf_counter()
            if step >= warmup:
                wait += t1 - t0
                compute += t2 - t1
        total = wait + compute
        samples_per_s = steps * cfg.batch_size / total
        macs = count(get_config(model), cfg.data.crop, cfg.data.crop).macs_thop
        return {
            "model": model,
            "crop": cfg.data.crop,
            "batch": cfg.batch_size,
            "precision": cfg.precision,
            "autocast": str(trainer.autocast_dtype),
            "steps_timed": steps,
            "samples_per_s": round(samples_per_s, 2),
            "seconds_per_step": round(total / steps, 3),
            "data_wait_share": round(wait / total, 3),
            "train_gflops": round(6 * macs * samples_per_s / 1e9, 1),
        }


def main() -> int:
    torch.set_num_threads(2)
    peak = bf16_peak()
    rows = []
    for model in ("genlv-tiny", "genlv-small"):
        row = measure(model, steps=40, warmup=5)
        row["fraction_of_bf16_peak"] = round(row["train_gflops"] * 1e9 / peak, 4)
        rows.append(row)
        print(row, flush=True)
    result = {"bf16_peak_gflops": round(peak / 1e9, 1), "rows": rows}
    DOCS.mkdir(exist_ok=True)
    (DOCS / "training_speed.json").write_text(json.dumps(result, indent=1))
    lines = [
        "# Training speed",
        "",
        "Measured by `python benchmarks/training_speed.py`: the real trainer with configs/tiny.yaml (64x64 crops, "
        f"batch 8, one DataLoader worker, 2 threads), 40 timed steps after 5 warm-up steps. Measured bf16 matmul "
        f"peak: {result['bf16_peak_gflops']} GFLOP/s. Training FLOPs = 3 x 2 x thop forward MACs per sample.",
        "",
        "| model | precision | samples/s | s/step | data wait share | training GFLOP/s | of bf16 peak |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['autocast']} | {r['samples_per_s']} | {r['seconds_per_step']} | "
            f"{r['data_wait_share']:.1%} | {r['train_gflops']} | {r['fraction_of_bf16_peak']:.1%} |"
        )
    (DOCS / "training_speed.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
