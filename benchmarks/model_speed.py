"""Latency, throughput and FLOP utilisation of GenLV variants on this machine.

For tiny, small and base at 256x256 and 1024x1024 (base also at 512x512), in fp32 and in bf16
autocast, both channels_last, batch 1, untiled, 2 threads. Utilisation = 2 * thop MACs /
latency, as a fraction of this machine's measured matmul peak (bf16 and fp32 2048x2048
matmuls); thop MACs leave out attention matmuls (about 8% more for base at 256x256).
Writes docs/model_speed.md and docs/model_speed.json.

    python benchmarks/model_speed.py            # about 10 minutes
    python benchmarks/model_speed.py --quick    # skips base at 1024x1024
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

from pixtask.core.device import cpu_has_fast_bf16
from pixtask.models import create_model, get_config
from pixtask.models.counting import count

DOCS = Path(__file__).resolve().parents[1] / "docs"
# As stated in the issue for the official implementation on our machine class (not re-measured here).
OFFICIAL = {("genlv-base", 256, "fp32"): 11.0, ("genlv-base", 256, "bf16"): 5.8, ("genlv-base", 512, "fp32"): 63.0}


def matmul_peak(dtype: torch.dtype, n: int = 2048, reps: int = 5) -> float:
    a, b = torch.rand(n, n, dtype=dtype), torch.rand(n, n, dtype=dtype)
    a @ b
    t = time.perf_counter()
    for _ in range(reps):
        a @ b
    return 2 * n**3 * reps / (time.perf_counter() - t)


def latency(name: str, size: int, precision: str, reps: int) -> float:
    torch.manual_seed(0)
    model = create_model(name).eval().to(memory_format=torch.channels_last)
    x = torch.rand(1, 3, size, size).contiguous(memory_format=torch.channels_last)
    p = torch.rand(1, 3, 256, 256).contiguous(memory_format=torch.channels_last)
    times = []
    with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16, enabled=precision == "bf16"):
        model(x, p, p)  # warm-up: oneDNN primitives for these shapes
        for _ in range(reps):
            t = time.perf_counter()
            model(x, p, p)
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(2)
    peaks = {"fp32": matmul_peak(torch.float32), "bf16": matmul_peak(torch.bfloat16)}
    print({k: f"{v / 1e9:.0f} GFLOP/s" for k, v in peaks.items()}, flush=True)
    cases = [(n, s) for n in ("genlv-tiny", "genlv-small", "genlv-base") for s in (256, 1024)]
    cases.insert(5, ("genlv-base", 512))
    if args.quick:
        cases.remove(("genlv-base", 1024))
    rows = []
    for name, size in cases:
        # prompt stays 256x256: MACs = query at `size` + prompt encoder at 256, counted separately
        macs = count(get_config(name), size, size).macs_thop
        enc = (
            count(get_config(name), 256, 256).macs_thop - count(get_config(name, use_prompt=False), 256, 256).macs_thop
        )
        enc_at_size = (
            count(get_config(name), size, size).macs_thop
            - count(get_config(name, use_prompt=False), size, size).macs_thop
        )
        macs = macs - enc_at_size + enc
        for precision in ("fp32", "bf16"):
            reps = 3 if size <= 256 else 1
            sec = latency(name, size, precision, reps)
            flops = 2 * macs / sec
            row = {
                "model": name,
                "size": size,
                "precision": precision,
                "latency_s": round(sec, 3),
                "images_per_s": round(1 / sec, 3),
                "gmacs": round(macs / 1e9, 2),
                "achieved_gflops": round(flops / 1e9, 1),
                "fraction_of_bf16_peak": round(flops / peaks["bf16"], 3),
                "official_s": OFFICIAL.get((name, size, precision)),
            }
            rows.append(row)
            print(row, flush=True)
    result = {
        "peaks_gflops": {k: round(v / 1e9, 1) for k, v in peaks.items()},
        "fast_bf16_cpu": cpu_has_fast_bf16(),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "rows": rows,
    }
    DOCS.mkdir(exist_ok=True)
    (DOCS / "model_speed.json").write_text(json.dumps(result, indent=1))
    write_markdown(result)
    return 0


def write_markdown(result: dict) -> None:
    peaks = result["peaks_gflops"]
    lines = [
        "# Model speed",
        "",
        "Measured by `python benchmarks/model_speed.py` on our 2-core CPU machine "
        f"(torch {result['torch']}, {result['threads']} threads; AMX/AVX512-BF16 present: {result['fast_bf16_cpu']}). "
        f"Measured matmul peak: fp32 {peaks['fp32']:.0f} GFLOP/s, bf16 {peaks['bf16']:.0f} GFLOP/s (2048x2048).",
        "Batch 1, untiled, channels_last, prompt pair 256x256, median latency. GMACs are thop-style "
        "(no attention matmuls); utilisation = 2 x GMACs / latency over the bf16 matmul peak.",
        "",
        "| model | size | precision | latency (s) | images/s | GMACs | achieved GFLOP/s | of bf16 peak "
        "| official (s) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        official = "" if r["official_s"] is None else f"{r['official_s']}"
        lines.append(
            f"| {r['model']} | {r['size']} | {r['precision']} | {r['latency_s']} | {r['images_per_s']} | "
            f"{r['gmacs']} | {r['achieved_gflops']} | {r['fraction_of_bf16_peak']:.1%} | {official} |"
        )
    lines += [
        "",
        "Official figures are those given for the official implementation on this machine class "
        "(fp32, batch 1, 2 threads), not re-measured here.",
        "",
    ]
    (DOCS / "model_speed.md").write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
