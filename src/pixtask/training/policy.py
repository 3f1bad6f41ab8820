"""Fine-tuning policies: which parameters train (the GenLV paper's Fig. 12 strategies).

A policy is applied by the one training loop (``TrainConfig.freeze``); everything it does not
name is frozen. An architecture other than GenLV names its own parts for the same policies
(``freeze_policies`` on the model class, e.g. CondNAFNet's). The words side of a model that
reads instructions (its text projections and modulation) belongs with the prompt encoder: both
turn the condition into keys and values.
"""

from __future__ import annotations

from torch import nn

_ENCODER = ("patch_embed", "encoder_level", "down")
_CONDITION = ("prompt_encoder", "text_keys", "text_values", "text_scales")
# policy -> module-name prefixes that train (None: every parameter)
FREEZE_POLICIES: dict[str, tuple[str, ...] | None] = {
    "none": None,
    "prompt-encoder": _CONDITION,
    "prompt-and-latent": (*_CONDITION, "latent_blocks"),
    "prompt-latent-encoder": (*_CONDITION, "latent_blocks", *_ENCODER),
    "backbone": (*_ENCODER, "latent_blocks", "up", "reduce_chan", "decoder_level", "refinement", "output"),
}


def apply_freeze(model: nn.Module, policy: str) -> int:
    """Freeze everything ``policy`` does not tune; returns the number of trainable parameters."""
    policies = getattr(model, "freeze_policies", FREEZE_POLICIES)  # an architecture's own module names
    if policy not in policies:
        raise ValueError(f"unknown freeze policy {policy!r}; choose one of {', '.join(policies)}")
    prefixes = policies[policy]
    n = 0
    fixed = getattr(model, "frozen_prefixes", ())  # parts a model never trains (the AR model's VQ)
    for name, p in model.named_parameters():
        p.requires_grad_((prefixes is None or name.startswith(prefixes)) and not name.startswith(fixed))
        n += p.numel() if p.requires_grad else 0
    if n == 0:
        raise ValueError(f"freeze policy {policy!r} leaves no trainable parameter in this model")
    return n
