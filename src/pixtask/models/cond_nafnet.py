"""CondNAFNet: a CPU-efficient conditioned restorer, told its task by example, in words, or both.

A NAFNet U-Net (Chen et al., "Simple Baselines for Image Restoration", 2022: LayerNorm,
depthwise conv, SimpleGate and simplified channel attention; no nonlinear activations, no
self-attention) whose blocks are modulated by one condition vector, as InstructIR modulates
NAFNet channels by a sentence embedding. The vector comes from the example pair (a small
strided conv encoder of input, target and their difference, pooled to mean and spread), from
the words (MiniLM's pooled sentence embedding through an MLP), or from both (the mean of the
two, then a shared MLP). Every block scales and shifts its two branches' channels by a linear
map of that vector.

Why beside GenLV: convolutions and per-channel arithmetic are what a CPU does well, so this
network trains several times more samples per CPU-hour than GenLV's attention. GenLV stays as
the paper has it. Both take ``(query, ConditionTensors)`` and ``encode_condition`` once for
all tiles, so pipelines, training, tiling and export treat them alike.

Images are RGB in [0, 1]; height and width are multiples of ``config.size_multiple`` (the
pipeline pads). The output is the query plus a learnt residual.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import torch
from torch import nn

from pixtask.core.condition import MODES, Condition, ConditionError, Mode, check_accepted
from pixtask.models.condition_encoder import ConditionTensors
from pixtask.models.layers import ChannelLayerNorm


def unit_rms(embedding: torch.Tensor) -> torch.Tensor:
    """Each row scaled to root-mean-square 1 (a zero row stays zero, and its gradient finite:
    the floor is taken before the square root, whose slope at zero is infinite)."""
    rms = embedding.float().pow(2).mean(-1, keepdim=True).clamp(min=1e-12).sqrt()
    return embedding / rms.to(embedding.dtype)


@dataclass
class CondNAFNetConfig:
    """Every size and choice of a CondNAFNet; saved as config.json beside the weights."""

    width: int = 16  # channels at full resolution; level i has width * 2**i
    enc_blocks: list[int] = field(default_factory=lambda: [1, 1, 1, 2])  # one entry per downsampling
    middle_blocks: int = 2
    dec_blocks: list[int] = field(default_factory=lambda: [1, 1, 1, 1])
    cond_dim: int = 128  # the condition vector every block reads
    example_width: int = 16  # the example encoder's first width (doubles at each of 3 strides)
    text_dim: int = 384  # width of the pooled instruction embedding read (MiniLM); 0: examples only
    dw_expand: int = 2  # depthwise branch width over block width (NAFNet's DW_Expand)
    ffn_expand: int = 2  # feed-forward width over block width
    # scale the example's and the words' embeddings to unit RMS before averaging them: unscaled,
    # the example's pooled statistics (norm ~1e6) drown the words when told both. The fusing
    # LayerNorm is scale-invariant, so told one way the output is the same either way.
    unit_parts: bool = False
    # tasks the words' reader may route to (WordRouter): the words pick a mix of one learnt
    # vector per task, gated against the MLP's reading; empty: the MLP alone
    word_anchors: list[str] = field(default_factory=list)
    #: fields that change no weight: a run may start from weights saved with another value
    weightless: ClassVar[tuple[str, ...]] = ("unit_parts",)

    def __post_init__(self) -> None:
        if self.width < 1 or self.cond_dim < 1 or self.example_width < 1:
            raise ValueError("width, cond_dim and example_width must be positive")
        if not self.enc_blocks or len(self.enc_blocks) != len(self.dec_blocks):
            raise ValueError(
                f"enc_blocks and dec_blocks need one entry per level: {self.enc_blocks}, {self.dec_blocks}"
            )
        if any(n < 0 for n in [*self.enc_blocks, *self.dec_blocks, self.middle_blocks]):
            raise ValueError("block counts must be 0 or positive")
        if self.text_dim < 0 or self.dw_expand < 1 or self.ffn_expand < 1:
            raise ValueError("text_dim must be 0 or positive, dw_expand and ffn_expand at least 1")
        if self.word_anchors and not self.text_dim:
            raise ValueError("word_anchors need a model that reads words (text_dim > 0)")
        if len(set(self.word_anchors)) != len(self.word_anchors):
            raise ValueError(f"word_anchors name a task twice: {self.word_anchors}")
        if (self.width * self.dw_expand) % 2 or (self.width * self.ffn_expand) % 2:
            raise ValueError(
                f"width x dw_expand and width x ffn_expand must be even (SimpleGate halves them): width {self.width}"
            )

    @property
    def reads_text(self) -> bool:
        return self.text_dim > 0

    @property
    def use_prompt(self) -> bool:
        """Always told a task (the attribute GenLV's no-prompt baseline sets False)."""
        return True

    @property
    def modes(self) -> tuple[Mode, ...]:
        return MODES if self.reads_text else ("example",)

    @property
    def size_multiple(self) -> int:
        """Input height and width must be multiples of this (one halving per level)."""
        return 2 ** len(self.enc_blocks)


@dataclass
class ConditionVector:
    """A condition as a CondNAFNet reads it: one (B, cond_dim) vector per sample."""

    vector: torch.Tensor

    def expand(self, batch: int) -> ConditionVector:
        """One condition for a batch of queries (tiles of one image, a sweep)."""
        n = self.vector.shape[0]
        if n == batch:
            return self
        if n != 1:
            raise ConditionError(f"a condition for {n} samples given with {batch} queries")
        return ConditionVector(self.vector.expand(batch, -1))


class SimpleGate(nn.Module):
    """NAFNet's nonlinearity: split the channels in two halves and multiply them."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = x.chunk(2, dim=1)
        return a * b


class ConditionedNAFBlock(nn.Module):
    """A NAFNet block whose two branches are scaled and shifted per channel by the condition
    (zero-initialised, so an untrained condition changes nothing; the layer scales ``beta``
    and ``gamma`` start at zero too, so a fresh block is the identity)."""

    def __init__(self, channels: int, cfg: CondNAFNetConfig) -> None:
        super().__init__()
        dw = channels * cfg.dw_expand
        self.norm1 = ChannelLayerNorm(channels)
        self.conv1 = nn.Conv2d(channels, dw, 1)
        self.conv2 = nn.Conv2d(dw, dw, 3, padding=1, groups=dw)
        self.sca = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(dw // 2, dw // 2, 1))
        self.conv3 = nn.Conv2d(dw // 2, channels, 1)
        self.norm2 = ChannelLayerNorm(channels)
        ffn = channels * cfg.ffn_expand
        self.conv4 = nn.Conv2d(channels, ffn, 1)
        self.conv5 = nn.Conv2d(ffn // 2, channels, 1)
        self.gate = SimpleGate()
        self.beta = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.gamma = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.modulation = nn.Linear(cfg.cond_dim, 4 * channels)  # scale, shift for each branch
        nn.init.zeros_(self.modulation.weight)
        nn.init.zeros_(self.modulation.bias)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        s1, t1, s2, t2 = self.modulation(cond).to(x.dtype)[:, :, None, None].chunk(4, dim=1)
        y = self.gate(self.conv2(self.conv1(self.norm1(x))))
        y = self.conv3(y * self.sca(y))
        x = x + self.beta * (y * (1 + s1) + t1)
        y = self.conv5(self.gate(self.conv4(self.norm2(x))))
        return x + self.gamma * (y * (1 + s2) + t2)


class ExampleEncoder(nn.Module):
    """An example pair -> (B, cond_dim): input, target and their difference through three
    strided conv stages, pooled over space to each channel's mean and spread, so the vector
    describes the change whatever the example's size."""

    def __init__(self, width: int, cond_dim: int) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(9, width, 3, padding=1), nn.GELU()]
        c = width
        for _ in range(3):
            layers += [nn.Conv2d(c, 2 * c, 3, stride=2, padding=1), nn.GELU(), nn.Conv2d(2 * c, 2 * c, 3, padding=1)]
            layers.append(nn.GELU())
            c *= 2
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(2 * c, cond_dim), nn.GELU(), nn.Linear(cond_dim, cond_dim))

    def forward(self, prompt_in: torch.Tensor, prompt_out: torch.Tensor) -> torch.Tensor:
        f = self.features(torch.cat([prompt_in, prompt_out, prompt_out - prompt_in], dim=1)).flatten(2)
        stats = torch.cat([f.mean(-1), f.float().var(-1, unbiased=False).add(1e-6).sqrt().to(f.dtype)], dim=1)
        return self.head(stats)


class WordRouter(nn.Module):
    """The words routed to what examples of the trained tasks show.

    A reader fitted to template sentences generalises poorly to requests as people type them,
    while a linear task classifier on the same sentence embedding names the task of most of
    them, and each task's mean example vector (its prototype) beats the reader's vector on the
    tone tasks (docs/words_space.md). So the words' embedding also picks a softmax mix of one
    anchor per task (zero in a fresh model; a router added to trained weights starts each at its
    task's mean example embedding, ``init_word_anchors``), and a per-sentence gate
    blends that mix with the MLP's reading. Both are blended at unit RMS (the fusing LayerNorm
    ignores scale; the example encoder's raw embeddings are about 1e6 long). The gate starts
    nearly shut, so a model given a router starts close to as it was."""

    def __init__(self, text_dim: int, cond_dim: int, tasks: int) -> None:
        super().__init__()
        self.route = nn.Linear(text_dim, tasks)
        self.anchors = nn.Parameter(torch.zeros(tasks, cond_dim))
        self.gate = nn.Linear(text_dim, 1)
        for layer in (self.route, self.gate):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)
        nn.init.constant_(self.gate.bias, -3.0)

    def fit_route(
        self, pooled: torch.Tensor, labels: torch.Tensor, gate: float = 0.5, l2: float = 1e-5, iterations: int = 300
    ) -> float:
        """Fit the task classifier alone, as a regularised logistic regression (full-batch
        L-BFGS) on sentence embeddings ``pooled`` (N, text_dim) of known tasks ``labels`` (N,)
        (anchor indices), and restart the gate at ``gate`` (0-1) for every sentence. Returns the
        fitted accuracy.

        Why: taught by a small cross-entropy term inside image training, the router named the
        task of fewer user phrasings than a classifier fitted to the same sentences apart (65
        against 125 of 160), and a shut gate never opened, as an unhelpful mix gave it no
        reason to; fitted first and open, the mix is worth learning to use."""
        if not 0 < gate < 1:
            raise ValueError(f"the gate restarts strictly between 0 and 1, got {gate:g}")
        x, y = pooled.detach().float(), labels.detach().long().to(pooled.device)
        weight = torch.zeros(self.route.out_features, x.shape[1], device=x.device, requires_grad=True)
        bias = torch.zeros(self.route.out_features, device=x.device, requires_grad=True)
        solver = torch.optim.LBFGS([weight, bias], max_iter=iterations, line_search_fn="strong_wolfe")

        def objective() -> torch.Tensor:
            solver.zero_grad()
            loss = nn.functional.cross_entropy(x @ weight.T + bias, y) + l2 * weight.pow(2).sum()
            loss.backward()
            return loss

        with torch.enable_grad():
            solver.step(objective)
        with torch.no_grad():
            self.route.weight.copy_(weight)
            self.route.bias.copy_(bias)
            nn.init.zeros_(self.gate.weight)
            nn.init.constant_(self.gate.bias, math.log(gate / (1 - gate)))
            return float(((x @ weight.T + bias).argmax(1) == y).float().mean())

    def forward(self, pooled: torch.Tensor, read: torch.Tensor) -> torch.Tensor:
        mix = unit_rms(torch.softmax(self.route(pooled).float(), -1).to(read.dtype) @ self.anchors.to(read.dtype))
        read = unit_rms(read)
        gate = torch.sigmoid(self.gate(pooled)).to(read.dtype)
        return read + gate * (mix - read)


_CONDITION = ("example_encoder", "text_encoder", "text_router", "fuse")
_ENCODER = ("intro", "encoders", "downs")


class CondNAFNet(nn.Module):
    """``model(query, condition) -> prediction`` on (B, 3, H, W) RGB in [0, 1].

    The condition is :class:`ConditionTensors` (what a ConditionEncoder made of a Condition; a
    Condition told by example with tensors works too) or, for tiles, ``encoded=`` what
    :meth:`encode_condition` returned. The model computes no loss.
    """

    # the fine-tuning policies (GenLV paper, Fig. 12) in this network's parts: the condition's
    # encoders stand for the prompt encoder, the middle blocks for the latent blocks; a block's
    # modulation belongs to the block
    freeze_policies: ClassVar[dict[str, tuple[str, ...] | None]] = {
        "none": None,
        "prompt-encoder": _CONDITION,
        "prompt-and-latent": (*_CONDITION, "middle"),
        "prompt-latent-encoder": (*_CONDITION, "middle", *_ENCODER),
        "backbone": (*_ENCODER, "middle", "ups", "decoders", "ending"),
        # the words' reading alone: how the network is told by example stays exactly as it was
        "words": ("text_encoder", "text_router"),
        # the example's reading alone: how the network is told in words stays exactly as it was
        "example": ("example_encoder",),
    }

    def __init__(self, config: CondNAFNetConfig | None = None) -> None:
        super().__init__()
        self.config = cfg = config or CondNAFNetConfig()
        self.example_encoder = ExampleEncoder(cfg.example_width, cfg.cond_dim)
        if cfg.text_dim:
            self.text_encoder = nn.Sequential(
                nn.Linear(cfg.text_dim, cfg.cond_dim), nn.GELU(), nn.Linear(cfg.cond_dim, cfg.cond_dim)
            )
            if cfg.word_anchors:
                self.text_router = WordRouter(cfg.text_dim, cfg.cond_dim, len(cfg.word_anchors))
        self.fuse = nn.Sequential(nn.LayerNorm(cfg.cond_dim), nn.Linear(cfg.cond_dim, cfg.cond_dim), nn.GELU())
        self.intro = nn.Conv2d(3, cfg.width, 3, padding=1)
        self.encoders, self.downs = nn.ModuleList(), nn.ModuleList()
        c = cfg.width
        for n in cfg.enc_blocks:
            self.encoders.append(nn.ModuleList([ConditionedNAFBlock(c, cfg) for _ in range(n)]))
            self.downs.append(nn.Conv2d(c, 2 * c, 2, stride=2))
            c *= 2
        self.middle = nn.ModuleList([ConditionedNAFBlock(c, cfg) for _ in range(cfg.middle_blocks)])
        self.ups, self.decoders = nn.ModuleList(), nn.ModuleList()
        for n in reversed(cfg.dec_blocks):
            self.ups.append(nn.Sequential(nn.Conv2d(c, 2 * c, 1, bias=False), nn.PixelShuffle(2)))
            c //= 2
            self.decoders.append(nn.ModuleList([ConditionedNAFBlock(c, cfg) for _ in range(n)]))
        self.ending = nn.Conv2d(cfg.width, 3, 3, padding=1)

    def encode_condition(self, condition: ConditionTensors | Condition) -> ConditionVector:
        """The condition vector (compute once, reuse for every tile): the example's and the
        words' embeddings averaged over the ways each sample was told, then fused."""
        if isinstance(condition, Condition):
            check_accepted(condition, self.config.modes)
            condition = ConditionTensors.from_condition(condition)
        if not isinstance(condition, ConditionTensors):
            raise ConditionError(f"a model is told its task by a condition, got {type(condition).__name__}")
        parts: list[tuple[torch.Tensor, torch.Tensor | None]] = []  # (embedding, which samples count)
        dtype = self.intro.weight.dtype
        if condition.prompt is not None:
            prompt_in, prompt_out = condition.prompt
            if prompt_in.shape != prompt_out.shape or prompt_in.ndim != 4 or prompt_in.shape[1] != 3:
                raise ConditionError(
                    f"prompt images must be two (B, 3, h, w) tensors of one shape; got "
                    f"{tuple(prompt_in.shape)} and {tuple(prompt_out.shape)}"
                )
            has = condition.has_prompt
            parts.append((self.example_encoder(prompt_in, prompt_out), None if has is None else has.bool()))
        if condition.text is not None:
            if not self.config.reads_text:
                raise ConditionError("this model is told by example only and reads no instructions")
            text = condition.text.to(self.intro.weight.device)
            parts.append((self.read_words(text.pooled.to(dtype)), text.mask.any(1)))
        if not parts:
            raise ConditionError("a condition needs an example pair, an instruction, or both")
        if self.config.unit_parts:
            parts = [(unit_rms(e), m) for e, m in parts]
        if len(parts) == 2 and parts[0][0].shape[0] != parts[1][0].shape[0]:
            raise ConditionError(f"{parts[0][0].shape[0]} example pairs but {parts[1][0].shape[0]} instructions")
        if all(m is None for _, m in parts):  # static: exporters and meta tensors never test data
            total = sum(e for e, _ in parts)
            return ConditionVector(self.fuse(total / len(parts)))
        weights = [torch.ones(e.shape[0], device=e.device) if m is None else m.to(e.device, e.dtype) for e, m in parts]
        count = sum(weights)
        if count.device.type != "meta":
            empty = (count == 0).nonzero().flatten().tolist()
            if empty:
                raise ConditionError(f"sample(s) {empty} of the batch have neither an example nor an instruction")
        total = sum(e * w[:, None] for (e, _), w in zip(parts, weights, strict=True))
        return ConditionVector(self.fuse(total / count.clamp(min=1)[:, None]))

    def read_words(self, pooled: torch.Tensor) -> torch.Tensor:
        """The words' embedding (before fusing) from MiniLM's pooled sentence vector."""
        read = self.text_encoder(pooled)
        return self.text_router(pooled, read) if self.config.word_anchors else read

    def routing_loss(self, condition: ConditionTensors, tasks: list[str | None]) -> torch.Tensor | None:
        """Cross-entropy of the router's task scores on the samples told in words whose task
        is an anchor (a task of None: not taught); None when there are none (or no router).
        Teaches the router to name the task the words ask for, which a linear classifier learns
        to do for unseen phrasings better than the reader's regression alone."""
        anchors = self.config.word_anchors
        if not anchors or condition.text is None:
            return None
        text = condition.text.to(self.intro.weight.device)
        target = torch.tensor([anchors.index(t) if t in anchors else -100 for t in tasks], device=text.pooled.device)
        target = target.masked_fill(~text.mask.any(1), -100)
        if not bool((target >= 0).any()):
            return None
        logits = self.text_router.route(text.pooled.to(self.intro.weight.dtype)).float()
        return nn.functional.cross_entropy(logits, target, ignore_index=-100)

    @torch.no_grad()
    def init_word_anchors(self, examples: dict[str, tuple[torch.Tensor, torch.Tensor]]) -> None:
        """Start each anchor at the mean embedding of its task's example pairs (scaled to unit
        RMS, the scale the router blends at): per anchor task, (N, 3, h, w) input and target
        tensors."""
        missing = [t for t in self.config.word_anchors if t not in examples]
        if missing:
            raise ValueError(f"no example pairs for the word anchors {missing}")
        for k, task in enumerate(self.config.word_anchors):
            embedded = self.example_encoder(*examples[task])
            self.text_router.anchors[k] = unit_rms(embedded.float().mean(0)).to(self.text_router.anchors.dtype)

    def fit_word_router(self, pooled: torch.Tensor, tasks: list[str], gate: float = 0.5, l2: float = 1e-5) -> float:
        """Fit the words' router to name the task of sentences ``pooled`` (N, text_dim) asking
        for ``tasks`` (each an anchor); see :meth:`WordRouter.fit_route`. Returns its accuracy."""
        anchors = self.config.word_anchors
        if not anchors:
            raise ValueError("this model has no words' router (config.word_anchors is empty)")
        unknown = sorted(set(tasks) - set(anchors))
        if unknown:
            raise ValueError(f"sentences of tasks that are not anchors: {unknown}")
        labels = torch.tensor([anchors.index(t) for t in tasks])
        return self.text_router.fit_route(pooled.to(self.text_router.route.weight.device), labels, gate, l2)

    def alignment_loss(self, condition: ConditionTensors) -> torch.Tensor | None:
        """How far the words' condition vector is from the example's, on the samples told both
        ways: each told alone, fused, squared distance over the example's squared length,
        averaged; None when no sample has both. The example's side is not pulled
        (stop-gradient), so the words learn to say what the example shows (the task prototype
        the words-space benchmark measures as their ceiling)."""
        both = condition.told_both(self.intro.weight.device) if self.config.reads_text else None
        if both is None:
            return None
        text = condition.text.to(self.intro.weight.device)
        dtype = self.intro.weight.dtype

        def alone(embedding: torch.Tensor) -> torch.Tensor:  # what encode_condition makes of one part
            return self.fuse(unit_rms(embedding) if self.config.unit_parts else embedding).float()

        with torch.no_grad():
            example = alone(self.example_encoder(*(t[both].to(dtype) for t in condition.prompt)))
        words = alone(self.read_words(text.pooled[both].to(dtype)))
        return ((words - example).pow(2).sum(1) / example.pow(2).sum(1).clamp(min=1e-6)).mean()

    def forward(
        self,
        query: torch.Tensor,
        condition: ConditionTensors | Condition | None = None,
        *,
        encoded: ConditionVector | None = None,
    ) -> torch.Tensor:
        m = self.config.size_multiple
        if query.ndim != 4 or query.shape[1] != 3 or query.shape[-2] % m or query.shape[-1] % m:
            raise ValueError(f"query must be (B, 3, H, W) with H, W multiples of {m}; got {tuple(query.shape)}")
        if encoded is None:
            if condition is None:
                raise ConditionError("this model needs a condition: an example pair and/or an instruction")
            encoded = self.encode_condition(condition)
        cond = encoded.expand(query.shape[0]).vector
        x = self.intro(query)
        skips = []
        for blocks, down in zip(self.encoders, self.downs, strict=True):
            for block in blocks:
                x = block(x, cond)
            skips.append(x)
            x = down(x)
        for block in self.middle:
            x = block(x, cond)
        for up, blocks, skip in zip(self.ups, self.decoders, reversed(skips), strict=True):
            x = up(x) + skip
            for block in blocks:
                x = block(x, cond)
        return query + self.ending(x)
