"""A VQGAN-style image tokenizer (without the GAN and perceptual losses, which need pretrained
weights): a convolutional encoder, a codebook, and a mirrored decoder.

Each stride-2 stage halves the resolution, so ``len(channels)`` stages give a downsampling
factor ``f = 2**len(channels)``; a 64x64 image becomes an (64/f)x(64/f) grid of codes.

Codebooks trained from random vectors lose most of their codes: the encoder's outputs drift
away from them and the nearest-code assignment never picks them again. Here the codebook is
set by k-means on the first training batch's encoder outputs (:meth:`VQTokenizer.init_codebook`),
and a code unused for ``restart_after`` training steps is re-seeded on a random encoder output.

Loss (VQ-VAE): reconstruction L1 + codebook term ``|sg(z) - e|^2`` + ``beta`` times the
commitment term ``|z - sg(e)|^2``; gradients pass the quantizer straight through.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from pixtask.core.condition import Mode


@dataclass
class VQConfig:
    """Sizes of a :class:`VQTokenizer`; saved as config.json beside the weights."""

    channels: list[int] = field(default_factory=lambda: [64, 128, 128])  # one stride-2 stage each
    res_blocks: int = 1  # residual blocks after each stage (and mirrored in the decoder)
    codebook_size: int = 512
    code_dim: int = 32
    beta: float = 0.25  # commitment weight
    restart_after: int = 200  # training steps without use before a code is re-seeded (0: never)

    def __post_init__(self) -> None:
        if not self.channels or any(c < 1 for c in self.channels):
            raise ValueError(f"channels must be a non-empty list of positive widths, got {self.channels}")
        if self.codebook_size < 2 or self.code_dim < 1 or self.res_blocks < 0:
            raise ValueError("codebook_size must be at least 2, code_dim positive, res_blocks 0 or more")

    @property
    def modes(self) -> tuple[Mode, ...]:
        """Not told a task: a tokenizer reconstructs what it is given."""
        return ()

    @property
    def downsample(self) -> int:
        return 2 ** len(self.channels)


class ResBlock(nn.Module):
    def __init__(self, ch: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.GroupNorm(8 if ch % 8 == 0 else 1, ch),
            nn.SiLU(),
            nn.Conv2d(ch, ch, 3, padding=1),
            nn.GroupNorm(8 if ch % 8 == 0 else 1, ch),
            nn.SiLU(),
            nn.Conv2d(ch, ch, 3, padding=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class VQTokenizer(nn.Module):
    """Images in [0, 1] to a grid of code indices and back."""

    def __init__(self, config: VQConfig) -> None:
        super().__init__()
        self.config = config
        c = config.channels
        enc: list[nn.Module] = [nn.Conv2d(3, c[0], 3, padding=1)]
        prev = c[0]
        for ch in c:
            enc.append(nn.Conv2d(prev, ch, 4, stride=2, padding=1))
            enc.extend(ResBlock(ch) for _ in range(config.res_blocks))
            prev = ch
        enc += [nn.GroupNorm(8 if prev % 8 == 0 else 1, prev), nn.SiLU(), nn.Conv2d(prev, config.code_dim, 1)]
        self.encoder = nn.Sequential(*enc)
        dec: list[nn.Module] = [nn.Conv2d(config.code_dim, c[-1], 3, padding=1)]
        prev = c[-1]
        for ch in reversed(c):
            dec.extend(ResBlock(prev) for _ in range(config.res_blocks))
            dec += [nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(prev, ch, 3, padding=1)]
            prev = ch
        dec += [nn.GroupNorm(8 if prev % 8 == 0 else 1, prev), nn.SiLU(), nn.Conv2d(prev, 3, 3, padding=1)]
        self.decoder = nn.Sequential(*dec)
        self.codebook = nn.Embedding(config.codebook_size, config.code_dim)
        nn.init.uniform_(self.codebook.weight, -1 / config.codebook_size, 1 / config.codebook_size)
        # training state, saved with the weights so a resumed run continues it exactly
        self.register_buffer("initialised", torch.zeros((), dtype=torch.bool))
        self.register_buffer("steps_unused", torch.zeros(config.codebook_size, dtype=torch.long))

    @property
    def downsample(self) -> int:
        return self.config.downsample

    # --- codes -------------------------------------------------------------------------------
    def _latents(self, images: torch.Tensor) -> torch.Tensor:
        return self.encoder(images * 2 - 1)  # the VQGAN convention: inputs in [-1, 1]

    def _nearest(self, z: torch.Tensor) -> torch.Tensor:
        """Index of the nearest code for each latent vector; z is (N, D)."""
        e = self.codebook.weight.float()
        z = z.float()
        d = z.pow(2).sum(1, keepdim=True) - 2 * z @ e.t() + e.pow(2).sum(1)[None]
        return d.argmin(1)

    @torch.no_grad()
    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) in [0, 1], H and W multiples of ``downsample`` -> (B, H/f, W/f) codes."""
        self._check_size(images)
        z = self._latents(images)
        b, d, h, w = z.shape
        return self._nearest(z.permute(0, 2, 3, 1).reshape(-1, d)).view(b, h, w)

    def decode(self, codes: torch.Tensor) -> torch.Tensor:
        """(B, h, w) code indices -> (B, 3, h*f, w*f) images in [0, 1] (clamped)."""
        z = self.codebook(codes).permute(0, 3, 1, 2)
        return ((self.decoder(z) + 1) / 2).clamp(0, 1)

    def _check_size(self, images: torch.Tensor) -> None:
        f = self.downsample
        if images.ndim != 4 or images.shape[1] != 3 or images.shape[-1] % f or images.shape[-2] % f:
            raise ValueError(
                f"the tokenizer takes (B, 3, H, W) images with H and W multiples of {f}, got {tuple(images.shape)}"
            )

    # --- training ----------------------------------------------------------------------------
    @torch.no_grad()
    def init_codebook(self, z: torch.Tensor, iters: int = 10, seed: int = 0) -> None:
        """k-means (k-means++ seeding) of latent vectors ``z`` (N, D) into the codebook."""
        k = self.config.codebook_size
        z = z.float()
        g = torch.Generator(device="cpu").manual_seed(seed)
        if z.shape[0] < k:  # too few vectors: repeat them with a little noise
            reps = -(-k // z.shape[0])
            z = z.repeat(reps, 1) + 1e-3 * z.std() * torch.randn(z.shape[0] * reps, z.shape[1], generator=g).to(z)
        centres = z[torch.randint(z.shape[0], (1,), generator=g)]
        for _ in range(1, k):  # k-means++: each next centre far from those chosen
            d = torch.cdist(z, centres).min(1).values.pow(2)
            centres = torch.cat([centres, z[torch.multinomial(d.cpu() + 1e-12, 1, generator=g)].to(z)])
        for _ in range(iters):
            assign = torch.cdist(z, centres).argmin(1)
            sums = torch.zeros_like(centres).index_add_(0, assign, z)
            counts = torch.bincount(assign, minlength=k).to(z).unsqueeze(1)
            centres = torch.where(counts > 0, sums / counts.clamp_min(1), centres)
        self.codebook.weight.copy_(centres)
        self.initialised.fill_(True)

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Reconstruction and losses ``{"reconstruction", "codebook", "commitment", "loss"}``,
        plus ``codes``; in training mode the codebook is initialised and restarted here."""
        self._check_size(images)
        z = self._latents(images)
        b, d, h, w = z.shape
        flat = z.permute(0, 2, 3, 1).reshape(-1, d)
        if self.training and not bool(self.initialised):
            self.init_codebook(flat.detach())
        idx = self._nearest(flat.detach())
        if self.training and self.config.restart_after:
            self._restart_dead_codes(flat.detach(), idx)
        e = self.codebook(idx).to(flat.dtype)
        codebook_loss = F.mse_loss(e, flat.detach())
        commitment = F.mse_loss(flat, e.detach())
        quantised = flat + (e - flat).detach()  # straight-through
        recon = (self.decoder(quantised.view(b, h, w, d).permute(0, 3, 1, 2)) + 1) / 2
        rec_loss = F.l1_loss(recon.float(), images.float())
        losses = {
            "reconstruction": rec_loss,
            "codebook": codebook_loss.float(),
            "commitment": commitment.float(),
            "codes": idx.view(b, h, w),
        }
        losses["loss"] = rec_loss + codebook_loss.float() + self.config.beta * commitment.float()
        return recon, losses

    @torch.no_grad()
    def _restart_dead_codes(self, flat: torch.Tensor, idx: torch.Tensor) -> None:
        used = torch.bincount(idx, minlength=self.config.codebook_size) > 0
        self.steps_unused.add_(1).masked_fill_(used, 0)
        dead = (self.steps_unused >= self.config.restart_after).nonzero().flatten()
        if len(dead):
            pick = torch.randint(flat.shape[0], (len(dead),), device=flat.device)
            self.codebook.weight[dead] = flat[pick].to(self.codebook.weight.dtype)
            self.steps_unused[dead] = 0


def codebook_usage(codes: torch.Tensor, codebook_size: int) -> dict[str, float]:
    """How much of the codebook ``codes`` use: the fraction of codes seen, and the perplexity
    (exp of the code distribution's entropy; ``codebook_size`` when all are used equally)."""
    counts = torch.bincount(codes.flatten(), minlength=codebook_size).float()
    p = counts / counts.sum()
    entropy = -(p[p > 0] * p[p > 0].log()).sum()
    return {"used_fraction": float((counts > 0).float().mean()), "perplexity": float(entropy.exp())}
