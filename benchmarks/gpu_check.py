"""One-command GPU check: is pixtask right and fast on this CUDA machine?

    python benchmarks/gpu_check.py                       # on a CUDA machine: under 8 minutes on one H200
    python benchmarks/gpu_check.py --photos DIR          # train on a folder of photos (default: bundled)
    python benchmarks/gpu_check.py --device cpu --quick  # CPU mode: the same report, small sizes (CI runs it)

Needs only the project, its dependencies and training photos. It checks
  1. correctness: the shipped model's output on the device against CPU fp32, in fp32, TF32 and bf16;
  2. inference: latency and peak memory of genlv-tiny/small/base and naf-small/base at 256-1024 px,
     fp32 and bf16;
  3. training: ms/step of genlv-tiny and, on a GPU, naf-base (eager, and torch.compile'd with its
     compile time on CUDA) through the real trainer and DataLoader, with the share of time spent
     waiting for data;
and writes gpu_check.json and gpu_check.md into --out. Items are skipped, and say so, once the
time budget (--budget-s) is spent, so the check always finishes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from pixtask.core.condition import Condition
from pixtask.core.geometry import center_square
from pixtask.data.photos import bundled_photos
from pixtask.models import create_model, from_pretrained
from pixtask.training.config import load_config
from pixtask.training.trainer import Trainer, _forked_iter

FULL_INFERENCE = [
    ("genlv-tiny", 256, 1),
    ("genlv-tiny", 1024, 1),
    ("genlv-small", 256, 1),
    ("genlv-small", 1024, 1),
    ("genlv-base", 256, 1),
    ("genlv-base", 512, 1),
    ("genlv-base", 1024, 1),
    ("genlv-base", 256, 16),
    ("naf-small", 256, 1),
    ("naf-small", 1024, 1),
    ("naf-base", 1024, 1),
    ("naf-base", 256, 16),
]
QUICK_INFERENCE = [("genlv-tiny", 64, 1), ("genlv-tiny", 64, 2)]


class Budget:
    def __init__(self, seconds: float) -> None:
        self.end = time.perf_counter() + seconds

    def left(self) -> float:
        return self.end - time.perf_counter()


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def reset_peak(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def peak_gib(device: torch.device) -> float:
    """Peak GPU memory allocated since the last reset; on CPU the process's peak RSS."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**30
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def autocast(device: torch.device, precision: str):
    dtype = torch.bfloat16 if precision == "bf16" else None
    return torch.autocast(device.type, dtype=dtype, enabled=dtype is not None)


def correctness(device: torch.device, size: int) -> dict:
    """Shipped model, one photo and prompt: device output against CPU fp32."""
    photos = {p.id: p for p in bundled_photos()}
    query = center_square(photos["bundled/astronaut"].load(), size)
    prompt = center_square(photos["bundled/coffee"].load(), size)
    rng = np.random.default_rng(0)
    noisy = lambda img: np.clip(img + rng.normal(0, 0.1, img.shape), 0, 1).astype(np.float32)  # noqa: E731
    batch = [torch.from_numpy(a.transpose(2, 0, 1))[None] for a in (noisy(query), noisy(prompt), prompt)]
    model = from_pretrained("pixtask-tiny").eval()
    with torch.no_grad():
        reference = model(batch[0], Condition(prompt=tuple(batch[1:]))).numpy()
    model = model.to(device)
    moved = [t.to(device) for t in batch]
    out = {}
    modes = [("fp32", False), ("tf32", True), ("bf16", False)] if device.type == "cuda" else [("bf16", False)]
    for name, tf32 in modes:
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        with torch.no_grad(), autocast(device, "bf16" if name == "bf16" else "fp32"):
            pred = model(moved[0], Condition(prompt=tuple(moved[1:]))).float().cpu().numpy()
        diff = np.abs(pred - reference)
        out[name] = {"max_abs_diff": float(diff.max()), "mean_abs_diff": float(diff.mean())}
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = True
    return {"reference": "cpu fp32", "size": size, "modes": out}


def time_inference(device: torch.device, name: str, size: int, batch: int, precision: str, reps: int) -> dict:
    torch.manual_seed(0)
    model = create_model(name).eval().to(device)
    x = torch.rand(batch, 3, size, size, device=device)
    p = torch.rand(batch, 3, min(size, 256), min(size, 256), device=device)  # the pipeline's prompt_size
    reset_peak(device)
    times = []
    with torch.no_grad(), autocast(device, precision):
        for _ in range(reps + 1):  # the first is a warm-up
            sync(device)
            t = time.perf_counter()
            model(x, Condition(prompt=(p, p)))
            sync(device)
            times.append(time.perf_counter() - t)
    del model
    return {
        "model": name,
        "size": size,
        "batch": batch,
        "precision": precision,
        "ms": round(1000 * statistics.median(times[1:]), 1),
        "peak_gib": round(peak_gib(device), 2),
    }


def time_training(
    device: torch.device, photos: str, compile_model: bool, quick: bool, steps: int, model: str = "genlv-tiny"
) -> dict:
    batch, crop, workers = (4, 64, 0) if quick else (64, 128, min(14, max(1, (os.cpu_count() or 2) - 2)))
    with tempfile.TemporaryDirectory() as out:
        overrides = [
            f"device={device.type}",
            f"out_dir={out}",
            f"batch_size={batch}",
            f"data.crop={crop}",
            f"data.workers={workers}",
            f"data.photos={photos}",
            f"compile={compile_model}",
            f"steps={steps + 3}",
            "sample_every=0",
            f"model={model}",
        ]
        trainer = Trainer(
            load_config(
                Path(__file__).resolve().parents[1] / "configs" / "shipped-tiny-stage4.yaml",
                [*overrides, "init_from=null"],
            )
        )
        it = _forked_iter(trainer.loader(list(range((steps + 3) * batch))))
        wait = compute = 0.0
        for step in range(steps + 3):
            t0 = time.perf_counter()
            samples = next(it)
            t1 = time.perf_counter()
            trainer.train_step(samples)
            sync(device)
            t2 = time.perf_counter()
            if step >= 3:
                wait, compute = wait + t1 - t0, compute + t2 - t1
    total = wait + compute
    return {
        "model": trainer.cfg.model,
        "batch": batch,
        "crop": crop,
        "workers": workers,
        "precision": str(trainer.autocast_dtype or "fp32").replace("torch.", ""),
        "compiled": compile_model,
        "compile_s": round(trainer.compile_seconds, 1) if trainer.compile_seconds is not None else None,
        "ms_per_step": round(1000 * total / steps, 1),
        "data_wait_share": round(wait / total, 4),
    }


def render(report: dict) -> str:
    lines = [
        "# GPU check",
        "",
        f"`python benchmarks/gpu_check.py {' '.join(report['args'])}` on {report['device_name']} "
        f"(torch {report['torch']}, {report['host']}), {report['seconds']:.0f} s.",
        "",
        "## Correctness (shipped pixtask-tiny, against CPU fp32)",
        "",
        "| mode | max abs diff | mean abs diff |",
        "|---|---:|---:|",
    ]
    for mode, d in report["correctness"]["modes"].items():
        lines.append(f"| {mode} | {d['max_abs_diff']:.2e} | {d['mean_abs_diff']:.2e} |")
    lines += ["", "## Inference (median, batch as given, eager)", ""]
    lines += ["| model | size | batch | precision | ms | peak memory (GiB) |", "|---|---:|---:|---|---:|---:|"]
    for r in report["inference"]:
        lines.append(f"| {r['model']} | {r['size']} | {r['batch']} | {r['precision']} | {r['ms']} | {r['peak_gib']} |")
    lines += ["", "## Training (real trainer and DataLoader)", ""]
    lines += ["| model | batch | crop | workers | precision | compiled | compile s | ms/step | data wait |"]
    lines += ["|---|---:|---:|---:|---|---|---:|---:|---:|"]
    for r in report["training"]:
        lines.append(
            f"| {r['model']} | {r['batch']} | {r['crop']} | {r['workers']} | {r['precision']} | {r['compiled']} | "
            f"{'-' if r['compile_s'] is None else r['compile_s']} | {r['ms_per_step']} | "
            f"{r['data_wait_share']:.1%} |"
        )
    if report["skipped"]:
        lines += ["", "Skipped (time budget spent or not possible here): " + "; ".join(report["skipped"])]
    memory = "GPU memory allocated by torch" if report["device"] == "cuda" else "the process's peak RSS (cumulative)"
    lines += ["", f"Peak memory is {memory}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="auto", help="auto (CUDA if available), cuda or cpu")
    parser.add_argument("--quick", action="store_true", help="small sizes and few steps (CPU mode, CI)")
    parser.add_argument("--photos", default="bundled", help="training photos: bundled, debian, all or a folder")
    parser.add_argument("--budget-s", type=float, default=420.0, help="skip what is left after this many seconds")
    parser.add_argument("--out", type=Path, default=Path("out/gpu-check"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    budget = Budget(args.budget_s)
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else args.device)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit("error: --device cuda but no CUDA device is available")
        torch.backends.cudnn.benchmark = False  # its trial workspaces would dominate the memory figures
    quick = args.quick or device.type == "cpu"
    skipped: list[str] = []
    report: dict = {
        "args": argv if argv is not None else sys.argv[1:],
        "device": device.type,
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or "CPU",
        "torch": torch.__version__,
        "host": f"{os.cpu_count()} CPU cores",
        "correctness": correctness(device, 64 if quick else 256),
        "inference": [],
        "training": [],
    }
    for name, size, batch in QUICK_INFERENCE if quick else FULL_INFERENCE:
        for precision in ("fp32", "bf16"):
            if budget.left() < 60:
                skipped.append(f"inference {name} {size} batch {batch} {precision}")
                continue
            row = time_inference(device, name, size, batch, precision, reps=2 if quick else 5)
            report["inference"].append(row)
            print(row, flush=True)
    # the conditioned NAFNet trains on a GPU too; on CPU its step is measured by the CPU-hour study
    for model in ("genlv-tiny",) if quick else ("genlv-tiny", "naf-base"):
        for compile_model in (False, True):
            if compile_model and device.type != "cuda":
                skipped.append("compiled training (CUDA only: torch's CPU compiler crashes in this model's backward)")
                continue
            if budget.left() < (150 if compile_model else 30):
                skipped.append(f"training {model} compiled={compile_model}")
                continue
            row = time_training(device, args.photos, compile_model, quick, steps=3 if quick else 30, model=model)
            report["training"].append(row)
            print(row, flush=True)
    report["skipped"] = skipped
    report["seconds"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu_check.json").write_text(json.dumps(report, indent=1) + "\n")
    (args.out / "gpu_check.md").write_text(render(report))
    print(f"wrote {args.out / 'gpu_check.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
