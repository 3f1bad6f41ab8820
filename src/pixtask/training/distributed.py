"""Multi-GPU and multi-node training under ``torchrun`` (DDP; gloo on CPU, NCCL on CUDA).

With world size W each rank takes ``batch_size`` samples per step from the global index stream
(rank r of step s reads indices s*W*B + r*B ... + B-1), so the global batch is W*B and the data
seen does not depend on how many workers or ranks produce it. Only rank 0 writes.
"""

from __future__ import annotations

import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel


def init_distributed(device: str) -> tuple[int, int]:
    """(world size, rank); joins the process group when launched by torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return 1, 0
    if not dist.is_initialized():
        use_nccl = (torch.cuda.is_available() and device in ("auto", "cuda")) or str(device).startswith("cuda")
        dist.init_process_group("nccl" if use_nccl else "gloo")
    # no destroy_process_group at exit: with gloo it aborts intermittently (environment.md)
    return dist.get_world_size(), dist.get_rank()


def rank_device(device: torch.device, world: int) -> torch.device:
    """The device this rank trains on: its own GPU (LOCAL_RANK) when several share a node."""
    if world > 1 and device.type == "cuda":
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    return device


def wrap_model(model: torch.nn.Module, device: torch.device, world: int) -> torch.nn.Module:
    """``model`` in DDP when there are several ranks (gradients averaged over the global batch)."""
    if world <= 1:
        return model
    return DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)


def rank_indices(start: int, end: int, batch_size: int, world: int, rank: int) -> list[int]:
    """The sample indices this rank reads for steps ``start`` to ``end`` - 1, in order."""
    b, w, r = batch_size, world, rank
    return [s * w * b + r * b + i for s in range(start, end) for i in range(b)]
