"""Quality per CPU-hour: which network learns the most per hour of our 2-core machine?

Each candidate is one run of ``configs/cpu-hour/*.yaml`` (same task mixture, photos, crop,
batch and condition dropout; only the network and its learning rate differ), saved by the
trainer at 15, 30 and 60 training minutes (``snapshot_minutes``: the run's own wall clock on a
quiet machine, summed over resumes). Every snapshot is scored on one fixed subset: the 20
trained restoration and enhancement tasks, level 3, 8 test photos at 128 px, told by example
and in words (the user phrasings, which no training instruction contains). Throughput comes
from the run's log; MFU is 3 x 2 x forward MACs per sample (thop convention: attention matmuls
are not counted, so GenLV's is a lower bound) over the measured fp32 matmul peak.

    python benchmarks/quality_per_cpu_hour.py                   # every run under runs/cpu-hour
    python benchmarks/quality_per_cpu_hour.py --runs runs/cpu-hour/naf-small
    python benchmarks/quality_per_cpu_hour.py --runs --reference pixtask-tiny-text   # a shipped model's line
    python benchmarks/quality_per_cpu_hour.py --runs runs/naf-base-3 --series naf-base --offset-minutes 135
        # a later stage of a candidate (from its committed weights): its snapshots and final model
        # continue that candidate's curve, minutes counted from the start of its first stage

Writes docs/cpu_hour.json, docs/cpu_hour.md and docs/images/cpu_hour.png; scores of a snapshot
already in the JSON are kept (delete the JSON to rescore). Needs the Debian photos.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import numpy as np
import torch
import yaml

from pixtask.core.device import matmul_peak
from pixtask.data.benchmark import BenchmarkConfig, build_benchmark
from pixtask.evaluation.evaluator import evaluate, summarise
from pixtask.models import from_pretrained
from pixtask.models.counting import count
from pixtask.pipelines.genlv_pipeline import GenLVPipeline
from pixtask.training.run_folder import RunFolder

ROOT = Path(__file__).resolve().parents[1]
TASKS = yaml.safe_load((ROOT / "configs/shipped-tiny-text.yaml").read_text())["data"]["tasks"][:20]
MODES = {"example": "by example", "instruction": "in words (user phrasings)"}


def bench(folder: Path) -> Path:
    """The fixed evaluation subset (built once; test photos only)."""
    if not (folder / "manifest.json").is_file():
        config = BenchmarkConfig("all", 128, 0, ",".join(TASKS), [3], 2, 8)
        build_benchmark(folder, config)
    return folder


def score(model_dir: Path, bench_dir: Path) -> dict:
    """Mean PSNR over the 20 tasks (each task's mean over its 8 queries), per mode, and per task."""
    pipe = GenLVPipeline(from_pretrained(model_dir), device="cpu", precision="fp32", tile=None)
    out: dict = {}
    for mode in MODES:
        if mode not in pipe.model.config.modes:
            continue
        split = {"instruction_split": "user"} if mode != "example" else {}
        summary = summarise(evaluate(pipe.predictor(), bench_dir, tasks=set(TASKS), mode=mode, **split))
        tasks = summary["tasks"]
        out[mode] = {
            "psnr": round(float(np.mean([t["model"] for t in tasks.values()])), 4),
            "identity": round(float(np.mean([t["identity"] for t in tasks.values()])), 4),
            "beats_identity": sum(t["gain_vs_identity"] > 0 for t in tasks.values()),
            "tasks": {k: round(t["model"], 4) for k, t in sorted(tasks.items())},
        }
    return out


def checkpoints(run: RunFolder, offset_minutes: float) -> list[tuple[Path, dict]]:
    """Each snapshot of ``run`` and, once it has finished, its final model, with the training
    record (minutes counted from the first stage: ``offset_minutes`` earlier)."""
    found = [(snap, json.loads((snap / "training.json").read_text())) for snap in run.snapshots()]
    if run.is_finished():
        last = run.log()[-1]
        batch = run.config()["batch_size"]
        found.append((run.model_dir, {"minutes": last.seconds / 60, "samples": last.step * batch, "step": last.step}))
    return [(folder, {**record, "minutes": round(record["minutes"] + offset_minutes, 2)}) for folder, record in found]


def throughput(run: RunFolder, peak: float) -> dict:
    """Samples per second over the whole logged run, and the MFU that implies."""
    config = run.config()
    last = run.log()[-1]
    samples_per_s = last.step * config["batch_size"] / last.seconds
    model = from_pretrained(run.snapshots()[0])
    crop = config["data"]["crop"]
    flops = 3 * 2 * count(model.config, crop, crop).macs_thop
    return {
        "model": config["model"],
        "params_M": round(sum(p.numel() for p in model.parameters()) / 1e6, 3),
        "lr": config["optim"]["lr"],
        "samples_per_s": round(samples_per_s, 2),
        "s_per_step": round(last.seconds / last.step, 3),
        "mfu_percent": round(100 * flops * samples_per_s / peak, 2),
        "gflops_per_sample": round(flops / 1e9, 3),
    }


def _trained_hours(name: str) -> float | None:
    """The training hours a shipped model's record states (its stages' logged time), if any."""
    from pixtask.models.hub import model_info

    stages = model_info(name).get("training", {}).get("stages", [])
    hours = [s.get("hours") for s in stages]
    return round(sum(hours), 2) if hours and all(h is not None for h in hours) else None


def plot(results: dict, references: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(MODES), figsize=(11, 4), sharey=True)
    identity = None
    for ax, (mode, label) in zip(axes, MODES.items(), strict=True):
        for name, run in sorted(results.items()):
            points = sorted((s["minutes"], s["scores"][mode]["psnr"]) for s in run["snapshots"] if mode in s["scores"])
            identity = identity or next((s["scores"][mode]["identity"] for s in run["snapshots"]), None)
            if points:
                ax.plot(*zip(*points, strict=True), marker="o", label=name)
        if identity is not None:
            ax.axhline(identity, color="grey", linestyle="--", label="identity")
        for (name, ref), style in zip(sorted(references.items()), (":", "-."), strict=False):
            if mode in ref["scores"]:
                hours = f", {ref['hours']:.1f} h" if ref.get("hours") else ""
                ax.axhline(ref["scores"][mode]["psnr"], color="black", linestyle=style, label=f"{name}{hours}")
        ax.set_title(f"told {label}")
        ax.set_xlabel("training minutes (2-core CPU)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("mean PSNR, 20 tasks (dB)")
    axes[0].legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def later(snapshot: dict) -> str:
    """A mark for a point from a later stage (scored with ``--series``)."""
    return "*" if "/" in snapshot["folder"] else ""


def report(results: dict, references: dict, meta: dict) -> str:
    lines = [
        "# Quality per CPU-hour",
        "",
        f"Measured by `python benchmarks/quality_per_cpu_hour.py` on {meta['machine']} "
        f"(torch {meta['torch']}, fp32 matmul peak {meta['peak_gflops']:.0f} GFLOP/s). Each candidate is one "
        "run of `configs/cpu-hour/NAME.yaml`: the shipped models' 26-task mixture and photos, crop 64, "
        "batch 8, a third of the samples told by example, in words and both; saved at 15, 30 and 60 "
        "training minutes of a quiet 2-core machine (the winner's run goes on as the default model's "
        "first stages, so its later points are the same run resumed). MFU is against the matmul peak "
        "measured when the page is written. Scores: mean PSNR over the 20 trained restoration "
        "and enhancement tasks (level 3, 8 test photos at 128 px), told by example and in the user "
        "phrasings.",
        "",
        "![PSNR against training minutes](images/cpu_hour.png)",
        "",
        "| candidate | params | lr | samples/s | s/step | MFU | minutes | by example (dB) | in words (dB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    identity = None
    for name, run in sorted(results.items()):
        t = run["throughput"]
        for s in sorted(run["snapshots"], key=lambda s: s["minutes"]):
            ex, words = s["scores"].get("example"), s["scores"].get("instruction")
            identity = identity or (ex or {}).get("identity")
            lines.append(
                f"| {name} | {t['params_M']:.2f}M | {t['lr']:g} | {t['samples_per_s']:.1f} | {t['s_per_step']:.3f} "
                f"| {t['mfu_percent']:.1f}% | {s['minutes']:.0f}{later(s)} | {ex['psnr']:.2f} | "
                f"{words['psnr']:.2f} |"
                if ex and words
                else f"| {name} | | | | | | {s['minutes']:.0f} | - | - |"
            )
    if identity is not None:
        lines += ["", f"Identity (the input returned unchanged): {identity:.2f} dB."]
    if any("/" in s["folder"] for run in results.values() for s in run["snapshots"]):
        lines.append(
            "\\* a later stage of that run, started from its committed weights (`--series`), possibly on "
            "another machine and precision; its minutes count from the start of the first stage, and the "
            "throughput columns are the first stage's."
        )
    for name, ref in sorted(references.items()):
        sc = ref["scores"]
        words = f", in words {sc['instruction']['psnr']:.2f} dB" if "instruction" in sc else ""
        hours = f" ({ref['hours']:.1f} h of training)" if ref.get("hours") else ""
        lines.append(f"Shipped `{name}`{hours} on the same subset: by example {sc['example']['psnr']:.2f} dB{words}.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", nargs="*", type=Path, default=sorted((ROOT / "runs/cpu-hour").glob("*/")))
    parser.add_argument("--bench", type=Path, default=ROOT / "out/bench-cpu-hour")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs")
    parser.add_argument("--reference", nargs="*", default=[], help="shipped models drawn as horizontal lines")
    parser.add_argument("--series", help="the candidate whose curve the --runs continue (later stages of its run)")
    parser.add_argument("--offset-minutes", type=float, default=0.0, help="with --series: its minutes before them")
    args = parser.parse_args(argv)
    if args.offset_minutes and not args.series:
        parser.error("--offset-minutes goes with --series")
    torch.manual_seed(0)
    json_path = args.docs / "cpu_hour.json"
    saved = json.loads(json_path.read_text()) if json_path.is_file() else {"runs": {}}
    peak = matmul_peak(torch.float32)
    meta = {
        "machine": f"{platform.machine()}, {torch.get_num_threads()} threads",
        "torch": torch.__version__,
        "peak_gflops": round(peak / 1e9, 1),
    }
    if args.series and "meta" in saved:  # no throughput is measured: the MFU shown stays against its own peak
        meta = saved["meta"]
    bench_dir = bench(args.bench)
    results = saved["runs"]
    for folder in args.runs:
        run = RunFolder(folder)
        if not run.snapshots():
            print(f"skipping {folder}: no snapshots yet", file=sys.stderr)
            continue
        name = args.series or folder.name
        if args.series and name not in results:
            raise SystemExit(f"--series {name}: no such candidate in {json_path}; score its first run first")
        entry = results.setdefault(name, {"snapshots": []})
        if not args.series:  # a later stage keeps the candidate's own throughput (the study's machine)
            entry["throughput"] = throughput(run, peak)
        done = {s["folder"] for s in entry["snapshots"]}
        for model_dir, record in checkpoints(run, args.offset_minutes):
            key = str(model_dir.relative_to(folder.parent)) if args.series else model_dir.name
            if key in done or (not args.series and model_dir == run.model_dir):
                continue
            print(f"{name} {key}: scoring", file=sys.stderr)
            entry["snapshots"].append({"folder": key, **record, "scores": score(model_dir, bench_dir)})
    references = saved.get("references", {})
    for name in args.reference:
        if name not in references:
            print(f"{name}: scoring", file=sys.stderr)
            references[name] = {"hours": _trained_hours(name), "scores": score(name, bench_dir)}
    out = {"meta": meta, "tasks": TASKS, "runs": results, "references": references}
    args.docs.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(out, indent=1) + "\n")
    plot(results, references, args.docs / "images" / "cpu_hour.png")
    (args.docs / "cpu_hour.md").write_text(report(results, references, meta))
    print(f"wrote {json_path}, {args.docs / 'cpu_hour.md'}, {args.docs / 'images' / 'cpu_hour.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
