"""The training loop: one loop for training from scratch, continuing, and fine-tuning.

Each sample carries its condition (example pair, instruction, or both; see
:class:`~pixtask.core.condition.Condition`), and the model is called as ``model(query, condition)``.
Fine-tuning is a policy on this loop: which parameters train (``freeze``) and when to stop
(``early_stopping`` on validation pairs).

L1 between prediction and query target (computed here, never inside the model; see losses.py), AdamW with
linear warmup and cosine decay, bf16 autocast where the hardware runs it fast, gradient
clipping, an optional EMA copy, and a guard that stops on a non-finite loss. Checkpoints
carry everything for an exact resume: a run stopped at step k and resumed ends with the same
weights as an uninterrupted one.

Multi-GPU and multi-node training use ``torchrun`` (DDP; see distributed.py: each rank reads its
slice of one global index stream, and only rank 0 writes). What a run writes (config, log,
checkpoints, samples, the final model) is laid out and read back by run_folder.py.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import math
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter

from pixtask.core.condition import Condition
from pixtask.core.device import flushing_subnormals, resolve_device, resolve_precision
from pixtask.core.image_io import read_image
from pixtask.data.decvt import open_pair_source
from pixtask.data.multitask import MultiTaskDataset, TaskMixture
from pixtask.data.paired_folder import PAIR_SOURCE_PREFIXES, PairedFolder
from pixtask.data.photos import resolve_photos
from pixtask.data.task_instructions import task_sentences
from pixtask.models import from_pretrained, get_config, save_pretrained
from pixtask.models.condition_encoder import ConditionEncoder, ConditionTensors
from pixtask.models.hub import RECORD_NAME, build_checked, config_dict, model_info
from pixtask.models.text_encoder import shared_encoder
from pixtask.training.checkpoint import load_checkpoint, save_checkpoint
from pixtask.training.config import TrainConfig, result_differences
from pixtask.training.distributed import init_distributed, rank_device, rank_indices, wrap_model
from pixtask.training.objectives import ImageObjective, StepContext, objective_for, token_model_overrides
from pixtask.training.policy import apply_freeze
from pixtask.training.run_folder import CONFIG_NAME, SNAPSHOTS_DIR, RunFolder
from pixtask.training.validation import Validator
from pixtask.training.word_anchors import anchor_examples


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss; the run stops instead of corrupting weights."""


def warmup_cosine(step: int, warmup: int, total: int, min_ratio: float) -> float:
    """Learning-rate multiplier: linear warmup to 1, then cosine down to ``min_ratio``."""
    if step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


class Trainer:
    """Train ``cfg.model`` on the multi-task stream described by ``cfg.data``."""

    def __init__(
        self,
        cfg: TrainConfig,
        dataset: MultiTaskDataset | None = None,
        *,
        overwrite: bool = False,
        model: torch.nn.Module | None = None,
    ) -> None:
        """``model``: train this network (it is changed in place) instead of building ``cfg.model``."""
        cfg.validate()
        self.cfg = cfg
        self.out = Path(cfg.out_dir)
        self.run = RunFolder(self.out)
        self.overwrite = overwrite  # replace a run found in out_dir instead of refusing
        if self.out.exists() and not self.out.is_dir():
            raise ValueError(f"out_dir {self.out}: is a file, not a folder")
        self.world, self.rank = init_distributed(cfg.device)
        self.device = rank_device(resolve_device(cfg.device), self.world)
        self.autocast_dtype = resolve_precision(self.device, cfg.precision)
        torch.manual_seed(cfg.seed)
        if model is not None:
            self.model = model
        else:
            overrides = dict(cfg.model_overrides)
            if cfg.data.tokens and hasattr(get_config(cfg.model), "vq"):
                overrides = token_model_overrides(cfg.data.tokens, overrides)
            try:
                config = get_config(cfg.model, **overrides)
            except (TypeError, ArithmeticError) as exc:  # an unknown, ill-typed or impossible model_overrides field
                raise ValueError(f"model_overrides: {exc or type(exc).__name__}") from None
            # weights, gradients, AdamW's two moments and an EMA copy, in fp32
            self.model = build_checked(config, f"model {cfg.model} with model_overrides", bytes_per_param=20)
        self.init_info = self._init_weights(cfg.init_from) if cfg.init_from else {}
        if cfg.word_router_fit:  # before the first step; a resumed run loads its router after
            self.init_info["word_router_accuracy"] = self._fit_word_router()
        self.objective = objective_for(self.model, cfg.data.tokens, self.device)
        self.data_info = self.objective.prepare(self.model) if hasattr(self.objective, "prepare") else {}
        self.trainable = apply_freeze(self.model, cfg.freeze)
        self.memory_format = torch.channels_last if cfg.channels_last else torch.contiguous_format
        self.model.to(self.device, memory_format=self.memory_format)
        self.ema = copy.deepcopy(self.model).requires_grad_(False) if cfg.optim.ema_decay > 0 else None
        self.network = wrap_model(self.model, self.device, self.world)
        if cfg.compile and self.device.type != "cuda":
            raise ValueError(
                "compile: true needs a CUDA device: torch 2.13's CPU compiler crashed in this model's backward "
                "pass (docs/gpu.md); train on CPU without it"
            )
        if cfg.compile:  # after DDP, so its optimizer can split the graph at bucket boundaries
            self.network = torch.compile(self.network)
        self.compile_seconds: float | None = None  # time of the first (compiling) step
        self.step_context = StepContext(
            self.network, self.device, self._autocast, self.memory_format, cfg.loss, model=self.model
        )
        if isinstance(self.objective, ImageObjective):
            if cfg.text_alignment and not hasattr(self.model, "alignment_loss"):
                raise ValueError(f"text_alignment: {type(self.model).__name__} has no alignment term")
            self.objective.alignment = cfg.text_alignment
            self.objective.alignment_tasks = frozenset(cfg.text_alignment_tasks)
            if cfg.word_routing and not getattr(self.model.config, "word_anchors", None):
                raise ValueError("word_routing: the model has no words' router (set model_overrides.word_anchors)")
            self.objective.routing = cfg.word_routing
        o = cfg.optim
        # foreach: one kernel per operation over all tensors instead of one per tensor; on CPU,
        # where PyTorch defaults to the per-tensor loop, it is the same update in a third of the time
        self.optimizer = torch.optim.AdamW(
            [p for p in self.model.parameters() if p.requires_grad],
            lr=o.lr,
            betas=tuple(o.betas),
            weight_decay=o.weight_decay,
            foreach=True,
        )
        self._params = list(self.model.parameters())
        self._ema_pairs = None if self.ema is None else (list(self.ema.parameters()), self._params)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda s: warmup_cosine(s, o.warmup_steps, cfg.steps, o.min_lr_ratio)
        )
        if dataset is None:
            dataset = (
                self.objective.dataset(self.model, cfg.seed, cfg.data.instruction_dropout)
                if hasattr(self.objective, "dataset")
                else self._dataset()
            )
        self.dataset = dataset
        self.step = 0
        self.validator = self._validator() if cfg.validation.pairs else None
        self.validation: list[dict] = []  # step, loss, val_psnr per validation
        self.best: tuple[int, float, dict] | None = None  # step, score, weights of the best validation
        self.stopped_early = False  # stop_minutes ended the run before cfg.steps (resumable)

    def _validator(self) -> Validator:
        """Validation pairs, told the task as validation.mode says: by validation.prompt (default:
        the first training folder's first pair), validation.instruction, or both."""
        v = self.cfg.validation
        pairs = PairedFolder.open(v.pairs)
        if v.prompt:
            prompt = tuple(read_image(p) for p in v.prompt)
        else:
            source = PairedFolder.open(self.cfg.data.paired_folders[0]) if self.cfg.data.paired_folders else pairs
            prompt = source.load_pair(source.stems[0])
        condition = Condition(prompt=prompt, instruction=v.instruction)
        encoder = ConditionEncoder(self.model.config, self.device)
        return Validator(pairs, condition.restricted(v.mode), encoder, self._autocast)

    @property
    def final_model(self) -> torch.nn.Module:
        """What the run saves: the EMA copy when it keeps one, else the trained weights."""
        return self.ema if self.ema is not None else self.model

    def validate(self, loss: float | None) -> bool:
        """Score the validation pairs, keep the best weights; False when patience has run out."""
        value = self.validator(self.final_model)
        self.validation.append({"step": self.step, "loss": loss, "val_psnr": round(value, 4)})
        if self.best is None or value > self.best[1]:
            state = {k: v.detach().clone() for k, v in self.final_model.state_dict().items()}
            self.best = (self.step, value, state)
        patience = self.cfg.validation.patience
        since_best = sum(1 for v in self.validation if v["step"] > self.best[0])
        return not (patience and since_best >= patience)

    def _init_weights(self, name_or_folder: str) -> dict:
        """Load a saved model's weights as the starting point (fine-tuning, extending a run).
        Its architecture must be the one this config builds, except that a model told by
        example may start one that also reads words (the text layers start fresh), and fields
        that change no weight (the config's ``weightless``) may differ."""
        saved = from_pretrained(name_or_folder)
        own = self.model.config
        if type(saved.config) is type(own) and getattr(own, "weightless", ()):
            saved_values = {f: getattr(saved.config, f) for f in own.weightless}
            own = dataclasses.replace(own, **saved_values)  # compared as if they agreed
        text_fields = {"text_dim": 0, "text_tokens": True, "text_modulation": False}
        text_fields = {k: v for k, v in text_fields.items() if k in {f.name for f in dataclasses.fields(own)}}
        adds_words = hasattr(own, "text_dim") and not saved.config.text_dim and own.text_dim
        adds_router = getattr(own, "word_anchors", None) and not getattr(saved.config, "word_anchors", None)
        fresh = {**(text_fields if adds_words else {}), **({"word_anchors": []} if adds_router else {})}
        if saved.config != own and not (fresh and saved.config == dataclasses.replace(own, **fresh)):
            raise ValueError(
                f"init_from {name_or_folder!r} is a {saved.config} model but this config builds "
                f"{own}; set model / model_overrides to match it"
            )
        missing, unexpected = self.model.load_state_dict(saved.state_dict(), strict=False)
        if unexpected or any(not k.startswith("text_") for k in missing):
            raise ValueError(f"init_from {name_or_folder!r}: weights do not fit ({missing[:3]}, {unexpected[:3]})")
        if "text_router.anchors" in missing:  # a router added to trained weights: anchors from examples
            self.model.init_word_anchors(anchor_examples(self.model.config.word_anchors, self.cfg))
        return model_info(name_or_folder)

    def _fit_word_router(self) -> float:
        """Fit the words' router to the training instructions of its anchor tasks (CondNAFNet.
        fit_word_router); its accuracy on them."""
        texts, tasks = task_sentences(list(self.model.config.word_anchors), self.cfg.seed)
        pooled = shared_encoder().pooled(texts)
        return round(self.model.fit_word_router(pooled, tasks, gate=self.cfg.word_router_gate), 4)

    def _dataset(self) -> MultiTaskDataset:
        d = self.cfg.data
        photos = [p for p in resolve_photos(d.photos) if p.split == "train"]
        folders = [open_pair_source(f) for f in d.paired_folders]
        patterns = [t for t in d.tasks if not t.startswith(PAIR_SOURCE_PREFIXES)]
        folder_ids = {f.task_id for f in folders}
        task_weights = {k: v for k, v in d.weights.items() if k not in folder_ids}
        mixture = TaskMixture.from_patterns(patterns, task_weights) if patterns else TaskMixture({})
        for f in folders:
            mixture.weights[f.task_id] = float(d.weights.get(f.task_id, 1.0))
        return MultiTaskDataset(
            photos,
            mixture,
            crop=d.crop,
            seed=self.cfg.seed,
            max_side=d.max_side,
            cache_dir=d.cache_dir,
            paired_folders=folders,
            condition_modes=self.condition_modes(),
            folder_instruction=d.folder_instruction,
            instruction_style=d.instruction_style,
            measured_words=d.measured_words,
            backward=d.backward,
            people_words=d.people_words,
        )

    def condition_modes(self) -> dict[str, float]:
        """Condition dropout: data.condition_modes, or by default each mode the model reads,
        equally (a model told by example only gets examples)."""
        accepted = self.model.config.modes
        if not isinstance(self.objective, ImageObjective):
            return {m: 1.0 for m in accepted}
        modes = dict(self.cfg.data.condition_modes) or {m: 1.0 for m in accepted}
        refused = [m for m, w in modes.items() if w > 0 and m not in accepted]
        if refused:
            raise ValueError(
                f"data.condition_modes {modes} uses {', '.join(refused)}, but {self.cfg.model} is told "
                f"{' or '.join(accepted)} only"
            )
        return modes

    # --- state ------------------------------------------------------------------------------
    def state(self) -> dict:
        return {
            "step": self.step,
            "model": self.model.state_dict(),
            "ema": self.ema.state_dict() if self.ema is not None else None,
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "torch_rng": torch.get_rng_state(),
            "config": self.cfg.to_dict(),
            "model_config": config_dict(self.model.config),
        }

    def resume(self, path: str | Path | None = None) -> None:
        try:
            ckpt = load_checkpoint(path or self.run.checkpoint)
        except FileNotFoundError as exc:
            raise FileNotFoundError(f"{exc}; start without --resume") from None
        if ckpt["config"]["model"] != self.cfg.model or ckpt["config"]["model_overrides"] != self.cfg.model_overrides:
            raise ValueError("the checkpoint was written for another model configuration; refusing to resume")
        differences = result_differences(ckpt["config"], self.cfg)
        if differences:
            raise ValueError(
                f"{path or self.run.checkpoint}: written by a run with another config, so resuming would not continue "
                f"it; differing keys: {'; '.join(differences)}"
            )
        self.model.load_state_dict(ckpt["model"])
        if self.ema is not None and ckpt["ema"] is not None:
            self.ema.load_state_dict(ckpt["ema"])
        self.optimizer.load_state_dict(ckpt["optimizer"])
        for group in self.optimizer.param_groups:  # checkpoints from before foreach kept the slow loop
            group["foreach"] = True
        self.scheduler.load_state_dict(ckpt["scheduler"])
        torch.set_rng_state(ckpt["torch_rng"])
        self.step = int(ckpt["step"])

    # --- loop -------------------------------------------------------------------------------
    def _autocast(self):
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.autocast_dtype)

    def autocast(self):
        return self._autocast()

    def batch_condition(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor, ConditionTensors]:
        """(query input, query target, condition tensors) of a collated batch, on the device."""
        return self.objective.batch_condition(batch, self.device, self.memory_format)

    def write_samples(self, batch: dict, path: Path) -> np.ndarray:
        """A grid per batch item: prompt input, prompt target, query input, prediction, target."""
        from pixtask.core.image_io import write_image
        from pixtask.viz import image_grid

        model = self.ema if self.ema is not None else self.model
        model.eval()
        query_in, _, condition = self.batch_condition(batch)
        images = batch["images"]
        with torch.no_grad(), self._autocast():
            pred = model(query_in, condition).float().clamp(0, 1)
        rows = []
        for i in range(min(4, images.shape[0])):
            cols = [images[i, 0], images[i, 1], images[i, 2], pred[i], images[i, 3]]
            rows.append([c.permute(1, 2, 0).cpu().numpy() for c in cols])
        labels = ["prompt in", "prompt target", "query in", "prediction", "target"]
        grid = image_grid(rows, col_labels=labels, tile=96)
        write_image(path, grid)
        return grid

    def ema_decay(self, step: int) -> float:
        """The EMA decay applied after optimiser step ``step`` (0-based)."""
        o = self.cfg.optim
        return min(o.ema_decay, (1 + step) / (10 + step)) if o.ema_warmup else o.ema_decay

    def train_step(self, batch: dict) -> float:
        first = self.cfg.compile and self.compile_seconds is None
        started = time.perf_counter()
        self.network.train()
        loss = self.objective.loss(self.step_context, batch)
        if not torch.isfinite(loss):
            raise NonFiniteLossError(
                f"loss is {loss.item()} at step {self.step}; stopping. The last good checkpoint is "
                f"{self.run.checkpoint}. Lower optim.lr, enable optim.grad_clip, or use precision=fp32."
            )
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.cfg.optim.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(self._params, self.cfg.optim.grad_clip, foreach=True)
        self.optimizer.step()
        self.scheduler.step()
        if self._ema_pairs is not None:
            with torch.no_grad():
                torch._foreach_lerp_(self._ema_pairs[0], self._ema_pairs[1], 1 - self.ema_decay(self.step))
        self.step += 1
        loss_value = float(loss.detach())  # synchronises, so the compile time below is real
        if first:
            self.compile_seconds = time.perf_counter() - started
        return loss_value

    def _time_is_up(self, minutes: float) -> bool:
        """Whether stop_minutes has passed on rank 0's clock (the one the log keeps), decided
        there and shared, so every rank stops after the same step."""
        up = torch.tensor([float(minutes >= self.cfg.stop_minutes)], device=self.device)
        if self.world > 1:
            torch.distributed.broadcast(up, src=0)
        return bool(up.item())

    def _snapshot(self, minutes: float) -> None:
        """Save the model at each ``snapshot_minutes`` mark the training clock has passed (once:
        a resumed run skips marks already written)."""
        for mark in self.cfg.snapshot_minutes:
            folder = self.run.snapshot_dir(mark)
            if minutes >= mark and not (folder / RECORD_NAME).is_file():  # the record is written last
                samples = self.step * self.cfg.batch_size * self.world
                record = {"step": self.step, "minutes": round(minutes, 2), "samples": samples}
                save_pretrained(self.final_model, folder, record=record)

    def _refuse_to_replace_a_run(self) -> None:
        """A fresh run into a folder that holds another run would rewrite its log, config and
        checkpoints; that needs --resume (continue it) or --overwrite (replace it)."""
        if self.overwrite:
            return
        found = self.run.run_files()
        if found == [CONFIG_NAME]:  # a start that failed before its first step: nothing to keep
            return
        if found:
            raise ValueError(
                f"{self.out}: holds a run already ({', '.join(found)}); pass --resume to continue it or "
                "--overwrite to replace it"
            )

    def _log_compile(self, board: SummaryWriter | None) -> None:
        """The compile time, in TensorBoard and in OUT_DIR/compile.json (log.csv stays numeric)."""
        if board is None:
            return
        board.add_scalar("train/compile_seconds", self.compile_seconds, self.step)
        self.run.write_compile(
            {"compile_seconds": round(self.compile_seconds, 2), "step": self.step, "device": str(self.device)}
        )

    def loader(self, indices: list[int]) -> DataLoader:
        """Batches of ``indices``. Photos are decoded before workers fork (shared copy-on-write);
        on CUDA the batches are pinned and copied asynchronously and workers stay alive."""
        workers = self.cfg.data.workers
        b = self.cfg.batch_size
        if hasattr(self.dataset, "preload"):
            self.dataset.preload()
        options: dict = {"pin_memory": self.device.type == "cuda", "collate_fn": getattr(self.dataset, "collate", None)}
        if workers > 0:
            options.update(persistent_workers=self.device.type == "cuda", prefetch_factor=4)
        if hasattr(self.dataset, "batches"):  # the dataset groups the stream itself (e.g. by length)
            batches = self.dataset.batches(indices, b)
        else:
            batches = [indices[i : i + b] for i in range(0, len(indices), b)]
        return DataLoader(self.dataset, batch_sampler=batches, num_workers=workers, **options)

    def fit(self, stop_at: int | None = None, on_step: Callable[[int, float], None] | None = None) -> Path:
        """Train until ``cfg.steps`` (or ``stop_at``, for tests and time-boxed runs); returns the
        folder of the final model, or the checkpoint to resume from when ``cfg.stop_minutes``
        ended the run first."""
        cfg = self.cfg
        main = self.rank == 0
        self.stopped_early = False
        if main:
            if self.step == 0:
                self._refuse_to_replace_a_run()
                shutil.rmtree(self.run.path / SNAPSHOTS_DIR, ignore_errors=True)  # another run's marks
            self.run.write_config(cfg)
        end = min(cfg.steps, stop_at or cfg.steps)
        order = rank_indices(self.step, end, cfg.batch_size, self.world, self.rank)
        batches = _forked_iter(self.loader(order))
        # purge_step drops TensorBoard events a killed run wrote after its last checkpoint
        purge = self.step + 1 if self.step else None
        board = SummaryWriter(str(self.run.board_dir), purge_step=purge) if main else None
        with self.run.open_log(self.step, write=main) as log, flushing_subnormals(self.device):
            start = time.perf_counter() - log.elapsed
            if main and cfg.stop_minutes and log.elapsed / 60 >= cfg.stop_minutes:
                raise ValueError(
                    f"{self.out}: its training clock is at {log.elapsed / 60:.1f} minutes, past stop_minutes "
                    f"{cfg.stop_minutes:g}; resume with a larger stop_minutes (or 0: no limit)"
                )
            compile_logged = False
            if self.validator is not None and not self.validation:
                self.validate(None)  # the starting point: fine-tuning must beat it to change anything
            for batch in batches:
                loss = self.train_step(batch)
                if self.compile_seconds is not None and not compile_logged:
                    self._log_compile(board)
                    compile_logged = True
                if board is not None:
                    board.add_scalar("train/loss", loss, self.step)
                    board.add_scalar("train/lr", self.scheduler.get_last_lr()[0], self.step)
                if self.step % cfg.log_every == 0 or self.step == end:
                    log.write(self.step, loss, self.scheduler.get_last_lr()[0], time.perf_counter() - start)
                if main and (self.step % cfg.checkpoint_every == 0 or self.step == end):
                    save_checkpoint(self.run.checkpoint, self.state())
                if main and cfg.sample_every and self.step % cfg.sample_every == 0 and self.objective.reads_images:
                    grid = self.write_samples(batch, self.run.sample_path(self.step))
                    board.add_image("samples", grid, self.step, dataformats="HWC")
                minutes = (time.perf_counter() - start) / 60
                if main:
                    self._snapshot(minutes)
                if on_step:
                    on_step(self.step, loss)
                if self.validator is not None and (self.step % cfg.validation.every == 0 or self.step == end):
                    keep_going = self.validate(loss)
                    if board is not None:
                        board.add_scalar("val/psnr", self.validation[-1]["val_psnr"], self.step)
                    if not keep_going:
                        break
                if cfg.stop_minutes and self.step < end and self._time_is_up(minutes):
                    if self.step % cfg.log_every:  # not logged above
                        log.write(self.step, loss, self.scheduler.get_last_lr()[0], time.perf_counter() - start)
                    if main and self.step % cfg.checkpoint_every:  # not saved above
                        save_checkpoint(self.run.checkpoint, self.state())
                    self.stopped_early = True
                    break
        if board is not None:
            board.close()
        if self.stopped_early:  # the session's minutes are spent; --resume continues the run
            return self.run.checkpoint
        if self.best is not None:  # early stopping keeps the best validated weights
            self.final_model.load_state_dict(self.best[2])
            if main:
                self.run.write_validation(self.validation)
        final = self.run.model_dir
        if main:
            # a run started from another model adds to what that model had seen
            mixture = getattr(self.dataset, "mixture", None)
            own = set(mixture.weights) if mixture is not None else set(getattr(self.dataset, "tasks", []))
            tasks = own | set(self.init_info.get("trained_tasks", []))
            steps = self.step + self.init_info.get("trained_steps", 0)
            record = {"trained_tasks": sorted(tasks), "trained_steps": steps, "condition_modes": self.condition_modes()}
            if self.cfg.init_from:
                record["init_from"] = self.cfg.init_from
            record |= self.data_info
            if self.cfg.freeze != "none":
                record["freeze"] = self.cfg.freeze
            if "word_router_accuracy" in self.init_info:  # of the refit router, on its sentences
                record["word_router_accuracy"] = self.init_info["word_router_accuracy"]
            if self.best is not None:
                record["best_step"], record["best_val_psnr"] = self.best[0], round(self.best[1], 4)
            save_pretrained(self.final_model, final, record=record)
            self.run.plot_loss()
        return final


def _forked_iter(loader: DataLoader):
    """Start ``loader``'s workers with OpenCV single-threaded: each worker is one process
    already, and setting the thread count inside a forked worker deadlocked it (docs/gpu.md),
    so it is set here, in the parent, around the fork only."""
    if loader.num_workers == 0:
        return iter(loader)
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        return iter(loader)
    finally:
        cv2.setNumThreads(threads)
