"""Few-shot fine-tuning from a handful of (input, target) pairs, with the GenLV paper's strategies.

The paper (Fig. 12) adapts a pretrained generalist to a new task from 5 pairs and compares which
parameters to tune; training from scratch on the same pairs is the reference. Each step draws
a query pair and a *different* prompt pair, cuts aligned random crops and applies one shared
flip/rotation, as in multi-task training. Validation on held-out pairs after every
``eval_every`` steps keeps the best weights and stops early when they stop improving.
"""

from __future__ import annotations

import contextlib
import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from pixtask.core.device import resolve_device, resolve_precision
from pixtask.core.image_io import to_uint8
from pixtask.data.multitask import dihedral
from pixtask.data.paired_folder import PairedFolder
from pixtask.models.genlv import GenLV

log = logging.getLogger(__name__)

_ENCODER = ("patch_embed", "encoder_level", "down")
# strategy -> module-name prefixes that are trained (None: every parameter)
STRATEGIES: dict[str, tuple[str, ...] | None] = {
    "prompt-encoder": ("prompt_encoder",),
    "prompt-and-latent": ("prompt_encoder", "latent_blocks"),
    "prompt-latent-encoder": ("prompt_encoder", "latent_blocks", *_ENCODER),
    "full": None,
    "backbone": (
        *_ENCODER,
        "latent_blocks",
        "up",
        "reduce_chan",
        "decoder_level",
        "refinement",
        "output",
    ),
    "scratch": None,
}


@dataclass
class FewShotConfig:
    """``steps`` is a cap; early stopping usually ends sooner. ``scratch`` gets twice the steps,
    as the paper gives training from scratch 60 epochs against 30 for fine-tuning."""

    strategy: str = "backbone"
    steps: int = 300
    lr: float = 2e-4
    batch_size: int = 4
    crop: int = 64
    eval_every: int = 20
    patience: int = 5
    seed: int = 0
    device: str = "auto"
    precision: str = "auto"

    def validate(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {self.strategy!r}; choose one of {', '.join(STRATEGIES)}")
        for name in ("steps", "batch_size", "crop", "eval_every", "patience"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.crop % 32:
            raise ValueError(f"crop must be a multiple of 32, got {self.crop}")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}")


@dataclass
class FewShotResult:
    model: GenLV
    best_step: int
    best_val_psnr: float
    initial_val_psnr: float
    trainable: int = 0  # parameters the strategy tuned
    history: list[dict] = field(default_factory=list)  # step, loss, val_psnr


def select_trainable(model: GenLV, strategy: str) -> int:
    """Freeze everything the strategy does not tune; returns the number of trainable parameters."""
    prefixes = STRATEGIES[strategy]
    n = 0
    for name, p in model.named_parameters():
        p.requires_grad_(prefixes is None or name.startswith(prefixes))
        n += p.numel() if p.requires_grad else 0
    if n == 0:
        raise ValueError(f"strategy {strategy!r} leaves no trainable parameter in this model")
    return n


def _load_pairs(folder: PairedFolder) -> list[tuple[np.ndarray, np.ndarray]]:
    return [folder.load_pair(stem) for stem in folder.stems]


def _crop_pair(pair, rng: np.random.Generator, crop: int, k: int) -> list[np.ndarray]:
    inp, tgt = pair
    h, w = inp.shape[:2]
    if min(h, w) < crop:
        raise ValueError(f"a training pair ({w}x{h}) is smaller than the crop size {crop}")
    top, left = int(rng.integers(0, h - crop + 1)), int(rng.integers(0, w - crop + 1))
    return [dihedral(a[top : top + crop, left : left + crop], k) for a in (inp, tgt)]


def _batch(pairs, rng: np.random.Generator, size: int, crop: int) -> torch.Tensor:
    items = []
    for _ in range(size):
        q = int(rng.integers(len(pairs)))
        others = [i for i in range(len(pairs)) if i != q] or [q]
        p = others[int(rng.integers(len(others)))]
        k = int(rng.integers(8))
        items.append(np.stack(_crop_pair(pairs[p], rng, crop, k) + _crop_pair(pairs[q], rng, crop, k)))
    return torch.from_numpy(np.stack(items).transpose(0, 1, 4, 2, 3).copy())


def _square(img: np.ndarray, side: int = 256) -> np.ndarray:
    """Validation runs on a centred square whose side is a multiple of 32 (at most ``side``)."""
    h, w = img.shape[:2]
    s = min(side, h, w) // 32 * 32
    if s < 32:
        raise ValueError(f"a validation pair ({w}x{h}) is smaller than 32 px")
    top, left = (h - s) // 2, (w - s) // 2
    return img[top : top + s, left : left + s]


def _psnr8(pred: np.ndarray, target: np.ndarray) -> float:
    """PSNR on 8-bit values, the benchmark's convention (validation only needs a ranking)."""
    mse = np.mean((to_uint8(pred).astype(np.float64) - to_uint8(target).astype(np.float64)) ** 2)
    return 100.0 if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def _tensor(img: np.ndarray, device: torch.device) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))[None].to(device)


def finetune(
    model: GenLV,
    train: PairedFolder,
    val: PairedFolder,
    cfg: FewShotConfig,
    on_eval: Callable[[int, float, float], None] | None = None,
) -> FewShotResult:
    """Fine-tune a copy of ``model`` (or a fresh model, for ``scratch``); returns the best one."""
    cfg.validate()
    device = resolve_device(cfg.device)
    dtype = resolve_precision(device, cfg.precision)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    net = GenLV(model.config) if cfg.strategy == "scratch" else copy.deepcopy(model)
    net = net.to(device)
    n = select_trainable(net, cfg.strategy)
    log.info("few-shot %s: %d trainable parameters", cfg.strategy, n)
    optimizer = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], lr=cfg.lr, betas=(0.9, 0.99))
    pairs, val_pairs = _load_pairs(train), _load_pairs(val)
    prompt = [_tensor(_square(a), device) for a in pairs[0]]
    val_sq = [(_tensor(_square(i), device), _square(t)) for i, t in val_pairs]

    def autocast():
        return torch.autocast(device.type, dtype=dtype) if dtype is not None else contextlib.nullcontext()

    @torch.no_grad()
    def validate() -> float:
        net.eval()
        scores = []
        with autocast():
            tokens = net.encode_prompt(*prompt) if net.config.use_prompt else None
            for inp, tgt in val_sq:
                out = net(inp, prompt_tokens=tokens).float().clamp(0, 1)[0].permute(1, 2, 0).cpu().numpy()
                scores.append(_psnr8(out, tgt))
        return float(np.mean(scores))

    steps = cfg.steps * (2 if cfg.strategy == "scratch" else 1)
    best = initial = validate()
    best_step, best_state, since_best = 0, copy.deepcopy(net.state_dict()), 0
    history = [{"step": 0, "loss": None, "val_psnr": round(initial, 4)}]
    for step in range(1, steps + 1):
        images = _batch(pairs, rng, cfg.batch_size, cfg.crop).to(device)
        p_in, p_out, q_in, q_out = images.unbind(1)
        net.train()
        with autocast():
            pred = net(q_in, p_in, p_out)
        loss = F.l1_loss(pred.float(), q_out)
        if not torch.isfinite(loss):
            raise FloatingPointError(f"few-shot loss is {loss.item()} at step {step}; lower --lr")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        loss = loss.detach()
        if step % cfg.eval_every == 0 or step == steps:
            value = validate()
            history.append({"step": step, "loss": round(float(loss), 6), "val_psnr": round(value, 4)})
            if on_eval:
                on_eval(step, float(loss), value)
            if value > best:
                best, best_step, best_state, since_best = value, step, copy.deepcopy(net.state_dict()), 0
            else:
                since_best += 1
                if since_best >= cfg.patience:
                    break
    net.load_state_dict(best_state)
    for p in net.parameters():
        p.requires_grad_(True)
    return FewShotResult(net.eval(), best_step, best, initial, n, history)
