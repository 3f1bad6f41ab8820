"""Peak memory of one forward pass at 1024x1024, with and without chunked attention.

Each measurement runs in a fresh process (peak RSS on CPU; torch's peak allocation on CUDA):
  * genlv-base, fp32, the default attention kernels: chunking off (as before) and on;
  * genlv-tiny, fp32, SDPA forced to its plain math kernel (what a backend without a fused kernel
    for the case does; it materialises the score matrix): chunking on, and off with
    --with-unchunked-math (16,384 tokens, 8 heads: 8.6 GB per fp32 score matrix).
Each child runs under an address-space cap (--cap-gib, 20 by default on our 24 GiB machines),
so a case that needs more is reported as refused instead of waking the OOM killer.
Writes docs/attention_memory.md and .json.

    python benchmarks/attention_memory.py --with-unchunked-math   # ~20 min on our 2-core CPUs
    python benchmarks/attention_memory.py --device cuda
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def child(model: str, size: int, kernel: str, chunked: bool, device: str) -> dict:
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel

    import pixtask.models.layers.attention as attention
    from pixtask.core.condition import Condition
    from pixtask.models import create_model

    if not chunked:
        attention.MAX_SCORES = 2**62
    torch.manual_seed(0)
    dev = torch.device(device)
    net = create_model(model).eval().to(dev)
    x = torch.rand(1, 3, size, size, device=dev)
    p = torch.rand(1, 3, 256, 256, device=dev)
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = False
        torch.cuda.reset_peak_memory_stats(dev)
    started = time.perf_counter()
    with torch.no_grad(), sdpa_kernel(SDPBackend.MATH) if kernel == "math" else contextlib.nullcontext():
        net(x, Condition(prompt=(p, p)))
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
        peak = torch.cuda.max_memory_allocated(dev) / 2**30
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return {
        "model": model,
        "size": size,
        "kernel": kernel,
        "chunked": chunked,
        "device": device,
        "seconds": round(time.perf_counter() - started, 1),
        "peak_gib": round(peak, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--with-unchunked-math", action="store_true", help="also the 17+ GB unchunked math case")
    parser.add_argument("--cap-gib", type=float, default=20.0, help="address-space cap of each child (no OOM killer)")
    parser.add_argument("--child", nargs=4, metavar=("MODEL", "SIZE", "KERNEL", "CHUNKED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        cap = int(args.cap_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))  # a refused allocation, not a killed machine
        model, size, kernel, chunked = args.child
        print(json.dumps(child(model, int(size), kernel, chunked == "1", args.device)))
        return 0
    cases = [("genlv-base", "default", False), ("genlv-base", "default", True), ("genlv-tiny", "math", True)]
    if args.with_unchunked_math:
        cases.append(("genlv-tiny", "math", False))
    rows = []
    for model, kernel, chunked in cases:
        cmd = [sys.executable, __file__, "--device", args.device, "--cap-gib", str(args.cap_gib)]
        cmd += ["--child", model, str(args.size), kernel]
        done = subprocess.run([*cmd, "1" if chunked else "0"], capture_output=True, text=True)
        if done.returncode:
            last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
            refused = "can't allocate memory" in last
            error = f"over {args.cap_gib:g} (allocation refused at the cap)" if refused else last[-200:]
            rows.append({"model": model, "kernel": kernel, "chunked": chunked, "error": error})
        else:
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    DOCS.mkdir(exist_ok=True)
    (DOCS / "attention_memory.json").write_text(json.dumps(rows, indent=1) + "\n")
    what = (
        "peak GPU memory allocated by torch"
        if args.device.startswith("cuda")
        else "peak resident memory of the process"
    )
    lines = [
        "# Attention memory at large sizes",
        "",
        f"`python benchmarks/attention_memory.py --device {args.device}`: one forward pass, batch 1, "
        f"{args.size}x{args.size} query, 256x256 prompt pair, fp32, {what} (fresh process each).",
        "",
        "| model | attention kernel | chunked | seconds | peak (GiB) |",
        "|---|---|---|---:|---:|",
    ]
    for r in rows:
        peak = r.get("peak_gib", r.get("error", "?"))
        lines.append(f"| {r['model']} | {r['kernel']} | {r['chunked']} | {r.get('seconds', '-')} | {peak} |")
    (DOCS / "attention_memory.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
