"""A bounded load test of the web app on loopback: N concurrent requests through the Gradio
client API, against `pixtask app` running in its own process; reports errors, p50/p95 latency
and the server's peak and final memory.

    python benchmarks/app_load.py --requests 24 --concurrency 24 --rounds 3    # -> docs/app_load.{md,json}
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _memory_mib(pid: int) -> tuple[float, float]:
    """(peak, current) resident memory of a process, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmHWM"].split()[0]) / 1024, int(fields["VmRSS"].split()[0]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=24, help="client threads sending at once")
    parser.add_argument("--rounds", type=int, default=3, help="bursts, one after another (memory after each)")
    parser.add_argument("--model", default="pixtask-tiny-text")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    from gradio_client import Client, handle_file

    from pixtask.app.examples import example_photos

    port = _free_port()
    # the server's own log goes to a file: a pipe nobody reads fills up and stalls the server
    log_path = Path(tempfile.mkstemp(prefix="pixtask-app-load-", suffix=".log")[1])
    log = log_path.open("w")
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "pixtask.cli.main", "app", "--port", str(port), "--queue", str(args.requests + 8)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 120
        client = None
        while client is None:
            try:
                client = Client(url, verbose=False)
            except Exception:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError(f"the app did not start: {log_path.read_text()[-2000:]}") from None
                time.sleep(1)
        photos = [str(p.path) for p in example_photos()]
        kinds = ["task", "words", "both"]
        _, idle = _memory_mib(server.pid)

        def one(i: int) -> tuple[float, float | None, str | None]:
            kind = kinds[i % 3]
            task = "denoise-gaussian" if kind != "words" else "(none)"
            words = "the random speckles dissolve and surfaces turn calm" if kind != "task" else ""
            started = time.perf_counter()
            try:
                _, report, *_ = Client(url, verbose=False).predict(
                    handle_file(photos[i % len(photos)]), task, 3, None, None, words, args.model, api_name="/run"
                )
                computed = float(re.search(r"([\d.]+) s for", report).group(1))  # the model's own time
                return time.perf_counter() - started, computed, None
            except Exception as exc:  # counted, not raised: the figure is the error count
                return time.perf_counter() - started, None, f"{type(exc).__name__}: {exc}"

        outcomes, after_round = [], []
        started = time.perf_counter()
        for _ in range(args.rounds):
            with ThreadPoolExecutor(args.concurrency) as pool:
                outcomes += list(pool.map(one, range(args.requests)))
            after_round.append(round(_memory_mib(server.pid)[1], 1))
        wall = time.perf_counter() - started
        peak, final = _memory_mib(server.pid)
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    server_log = log_path.read_text()
    latencies = sorted(t for t, _, _ in outcomes)
    computed = [c for _, c, _ in outcomes if c is not None]
    errors = [err for _, _, err in outcomes if err]
    record = {
        "requests_per_round": args.requests,
        "rounds": args.rounds,
        "concurrent_clients": args.concurrency,
        "model": args.model,
        "errors": len(errors),
        "error_examples": errors[:3],
        "server_tracebacks": server_log.count("Traceback"),
        "p50_s": round(statistics.median(latencies), 2),
        "p95_s": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 2),
        "compute_median_s": round(statistics.median(computed), 2) if computed else None,
        "wall_s": round(wall, 1),
        "server_rss_idle_mib": round(idle, 1),
        "server_rss_peak_mib": round(peak, 1),
        "server_rss_final_mib": round(final, 1),
        "server_rss_after_each_round_mib": after_round,
        "photos": "the 6 bundled test photos, full size (512x512 and smaller)",
    }
    (args.out / "app_load.json").write_text(json.dumps(record, indent=1))
    lines = [
        "# Web app under load",
        "",
        f"`python benchmarks/app_load.py --requests {args.requests} --concurrency {args.concurrency} "
        f"--rounds {args.rounds}`: {args.rounds} bursts, one after another, of {args.requests} requests sent at "
        f"once by {args.concurrency} Gradio clients on loopback to `pixtask app` "
        f"(its defaults: 1 request computed at a time, the rest queued), model `{args.model}`, a third each told "
        "by a library task, by words, and both, on the bundled test photos; 2-core CPU.",
        "",
        "| requests | errors | p50 latency | p95 latency | model time (median) | wall | "
        "server memory idle / peak / final |",
        "|---:|---:|---:|---:|---:|---:|---|",
        f"| {len(outcomes)} | {len(errors)} | {record['p50_s']} s | {record['p95_s']} s | "
        f"{record['compute_median_s']} s | {record['wall_s']} s | "
        f"{record['server_rss_idle_mib']} / {record['server_rss_peak_mib']} / {record['server_rss_final_mib']} MiB |",
        "",
        "Latency is from sending to receiving, queueing included: with one request computed at a time, the last "
        "of a burst waits for all before it. Server memory (resident) after each burst: "
        + ", ".join(f"{m} MiB" for m in after_round)
        + ".",
    ]
    (args.out / "app_load.md").write_text("\n".join(lines) + "\n")
    print(json.dumps(record, indent=1))
    print(f"server log: {log_path}")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
