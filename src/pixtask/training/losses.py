"""Reconstruction losses, chosen by ``TrainConfig.loss``.

Plain L1 (the paper's loss) lets tasks that change the image a lot (edges, stylization, dehazing)
dominate the gradient: their errors are tens of times larger than those of mild tasks such as
x2 super-resolution, whose best answer is close to the input. ``relative-l1`` divides each
sample's L1 by the L1 of the identity answer (input as output) for that sample, so every sample
starts at 1 and a mild task is penalised for moving away from identity as much as a large one.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

LOSSES = ("l1", "relative-l1")
IDENTITY_FLOOR = 0.01  # ~2.5 grey levels: samples whose input is already (nearly) the target


def reconstruction_loss(kind: str, pred: torch.Tensor, target: torch.Tensor, query_in: torch.Tensor) -> torch.Tensor:
    """Scalar loss of ``pred`` (B, C, H, W) against ``target``; ``query_in`` is the model's input."""
    if kind == "l1":
        return F.l1_loss(pred, target)
    if kind == "relative-l1":
        per_sample = (pred - target).abs().flatten(1).mean(1)
        identity = (query_in - target).abs().flatten(1).mean(1).clamp_min(IDENTITY_FLOOR)
        return (per_sample / identity).mean()
    raise ValueError(f"unknown loss {kind!r}; choose from {', '.join(LOSSES)}")


Z_LOSS_WEIGHT = 1e-5  # the paper's and Chameleon's z-loss weight


def next_token_loss(
    logits: torch.Tensor, labels: torch.Tensor, z_weight: float = Z_LOSS_WEIGHT
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(total, cross-entropy, z-loss) of (B, T, V) ``logits`` against (B, T) ``labels``.

    Position t predicts token t+1, so logits and labels are shifted before both terms; the
    z-loss ``mean(logsumexp(logits)^2)`` keeps the softmax normaliser near 1 and is taken over
    the same supervised (shifted) positions as the cross-entropy. The UVT code built its mask
    from the unshifted labels, one position off (Lumina-mGPT issue #13).
    """
    logits, labels = logits[:, :-1].float(), labels[:, 1:]
    keep = labels != -100
    if not keep.any():
        raise ValueError("no supervised position in the batch (every label is -100)")
    ce = F.cross_entropy(logits[keep], labels[keep])
    z = torch.logsumexp(logits[keep], dim=-1).pow(2).mean()
    return ce + z_weight * z, ce, z
