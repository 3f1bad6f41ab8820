"""Device and precision chosen at run time, so the same code runs on CPU and CUDA."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path

import torch

PRECISIONS = ("auto", "fp32", "bf16")


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """``None``/"auto": CUDA when available, else CPU; anything else as torch understands it."""
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device {device!r} is not one torch knows; use auto, cpu, cuda or cuda:N") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was requested but no CUDA device is available")
    return dev


@functools.cache
def cpu_has_fast_bf16() -> bool:
    """AMX or AVX512-BF16 units: bf16 autocast is then faster than fp32 on CPU (measured)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def resolve_precision(device: torch.device, precision: str = "auto") -> torch.dtype | None:
    """The autocast dtype for ``precision`` ("auto", "fp32", "bf16"); None means plain fp32."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if precision == "fp32":
        return None
    if precision == "bf16":
        return torch.bfloat16
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else None
    return torch.bfloat16 if cpu_has_fast_bf16() else None


def matmul_peak(dtype: torch.dtype, device: torch.device | str = "cpu", n: int = 2048, reps: int = 5) -> float:
    """Measured FLOP/s of an n x n matmul in ``dtype`` on ``device``: the denominator of model
    FLOP utilisation (MFU) on machines whose nominal peak nobody publishes (our CPUs)."""
    import time

    a = torch.rand(n, n, dtype=dtype, device=device)
    b = torch.rand(n, n, dtype=dtype, device=device)
    a @ b
    sync = torch.cuda.synchronize if torch.device(device).type == "cuda" else (lambda: None)
    sync()
    t = time.perf_counter()
    for _ in range(reps):
        a @ b
    sync()
    return 2 * n**3 * reps / (time.perf_counter() - t)


def subnormals_flushed() -> bool:
    """Whether this process flushes subnormal floats to zero (torch has no getter)."""
    return torch.tensor([1e-40]).item() == 0.0


@contextlib.contextmanager
def flushing_subnormals(device: torch.device) -> Iterator[None]:
    """On CPU, flush subnormal floats to zero inside the block, then restore the process's setting.

    Over tens of thousands of steps AdamW's second moments decay into subnormals, which CPUs
    handle in microcode; GPUs flush them by default. Scoped, so a training run does not change
    how the rest of a program (a parser, a notebook) reads tiny numbers."""
    if device.type != "cpu":
        yield
        return
    before = subnormals_flushed()
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(before)
