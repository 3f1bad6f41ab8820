"""Ship finished training runs as a model inside the package, with its model card
(``pixtask models ship``).

A shipped model is a folder ``src/pixtask/models/pretrained/NAME`` (config.json, model.safetensors,
training.json, README.md, and a token-AR model's tokenizer.json) and a copy of its card in
``docs/models/NAME.md``. The card is generated from what the runs recorded (config.yaml, log.csv;
read through :class:`~pixtask.training.run_folder.RunFolder`) and what the evaluations measured,
so its numbers are never typed by hand.

- A GenLV model may be trained in stages (a later run started with ``init_from`` an earlier one's
  output); it is shipped from its last run, given every stage's run and committed config in
  order. Its weights are copied as they are (fp32). To add a stage to a model that is already
  shipped when the earlier runs are not on this machine, give only the new runs and ``extend``:
  the earlier stages are then read from what that model's record says about them; a recorded
  stage with the same config as a given run is that run shipped before, and is replaced.
- A token-AR model is shipped from its run, its VQ tokenizer's run and its token folder; its
  weights are stored as fp16 (read back as fp32).

Nothing is replaced unless asked (``overwrite``): the folder and the docs card are planned first
(:mod:`pixtask.core.output_plan`), the model is built and checked to load in a scratch folder, and
only then is each file published whole (:mod:`pixtask.core.atomic_write`).

This module sits in ``training`` because it reads run folders; the condition-mode study's table
(``studies``, a layer above) is rendered by the caller and handed in as :class:`ModesResult`.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import yaml
from safetensors.torch import load_file, save_file

from pixtask.core.atomic_write import atomic_target, write_bytes_atomic
from pixtask.core.guards import read_json_file, read_text_file
from pixtask.core.output_plan import plan_file, plan_folder
from pixtask.data.photos import resolve_photos
from pixtask.evaluation.controls import SPLIT_WORDS
from pixtask.evaluation.report import secondary_table
from pixtask.models._registry import architecture_of
from pixtask.models.ar.model import ARConfig
from pixtask.models.ar.text_tokenizer import FILE_NAME as TOKENIZER_NAME
from pixtask.models.cond_nafnet import CondNAFNet
from pixtask.models.hub import (
    CONFIG_NAME,
    FORMAT,
    PRETRAINED_DIR,
    RECORD_NAME,
    WEIGHTS_NAME,
    from_pretrained,
    load_config,
    model_info,
)
from pixtask.tasks import get_task
from pixtask.training.config import load_config as load_train_config
from pixtask.training.run_folder import TAIL, RunFolder

#: The files a shipped folder holds (what --overwrite may replace).
SHIPPED_FILES = (CONFIG_NAME, WEIGHTS_NAME, RECORD_NAME, "README.md", TOKENIZER_NAME)
RESULTS_HEADING = "## Results on the benchmark's test photos"
MODES_HEADING = "## Told by example, in words, or both"


def checkout_root() -> Path:
    """The source checkout the package was installed from (committed configs, docs/); the
    current folder when the package is not installed from one."""
    root = PRETRAINED_DIR.resolve().parents[3]
    return root if (root / "configs").is_dir() else Path.cwd()


@dataclass
class ModesResult:
    """The condition-mode study's result (``pixtask study modes``) for the card: where its
    modes.json is, what it holds, and its per-category table as the study renders it."""

    path: Path
    result: dict
    table: str


@dataclass
class Shipped:
    """What shipping wrote."""

    folder: Path
    docs_card: Path
    parameters: int
    mib: float


@dataclass
class Stage:
    """One training run of the shipped model: its committed config and what it recorded."""

    config_path: str
    cfg: dict
    steps: int
    hours: float
    tail_loss: float  # mean of the last TAIL logged batches

    @classmethod
    def from_run(cls, run: str | Path, config_path: str) -> Stage:
        folder = RunFolder(run)
        summary = folder.summary()
        return cls(config_path, folder.config(), summary.steps, summary.hours, summary.tail_loss)

    @classmethod
    def from_record(cls, record: dict, root: Path) -> Stage:
        """A stage as a shipped record holds it; its config is resolved from the committed YAML under ``root``."""
        missing = {"config", "steps", "hours", "tail_loss"} - set(record)
        if missing:
            raise ValueError(f"the shipped model's record of a stage lacks {sorted(missing)}; ship from its runs")
        cfg = load_train_config(root / record["config"]).to_dict()
        return cls(record["config"], cfg, int(record["steps"]), float(record["hours"]), float(record["tail_loss"]))

    def record(self) -> dict:
        return {
            "config": self.config_path,
            "steps": self.steps,
            "batch_size": self.cfg["batch_size"],
            "crop": self.cfg["data"]["crop"],
            "seed": self.cfg["seed"],
            "photos": self.cfg["data"]["photos"],
            "loss": self.cfg.get("loss", "l1"),
            "hours": round(self.hours, 4),
            "tail_loss": round(self.tail_loss, 4),
            **({"condition_modes": modes} if (modes := self.cfg["data"].get("condition_modes")) else {}),
            **({"freeze": self.cfg["freeze"]} if self.cfg.get("freeze", "none") != "none" else {}),
        }


# --- shipping ---------------------------------------------------------------------------------
def ship(
    runs: Sequence[str | Path],
    name: str,
    *,
    config_paths: Sequence[str] = (),
    vq_run: str | Path | None = None,
    tokens: str | Path | None = None,
    eval_dir: str | Path | None = None,
    classical: str | Path | None = None,
    modes: ModesResult | None = None,
    extend: str | None = None,
    root: str | Path | None = None,
    into: str | Path = PRETRAINED_DIR,
    overwrite: bool = False,
) -> Shipped:
    """Ship ``runs`` (a GenLV model's stages, or one token-AR run) as ``into/name``, its card
    also written to ``root/docs/models/name.md``. The recipe follows the last run's model: a
    token-AR model needs ``vq_run`` and ``tokens``; the other options describe a GenLV model."""
    if not runs:
        raise ValueError("give at least one run to ship")
    runs = [Path(r) for r in runs]
    root = Path(root) if root is not None else checkout_root()
    last = RunFolder(runs[-1])
    if not last.is_finished():
        raise ValueError(f"{last.path}: has no final model ({last.model_dir}); ship a finished run")
    if isinstance(load_config(last.model_dir), ARConfig):
        options = {
            "config paths": config_paths,
            "an evaluation": eval_dir,
            "classical baselines": classical,
            "a condition-mode study": modes,
            "extend": extend,
        }
        given = [o for o, v in options.items() if v]
        if given:
            raise ValueError(f"{last.path} holds a token-AR model; {', '.join(given)} apply to GenLV models only")
        if len(runs) != 1 or vq_run is None or tokens is None:
            raise ValueError("a token-AR model is shipped from one run with its tokenizer's run and token folder")
        return _ship_ar(runs[0], Path(vq_run), Path(tokens), name, root=root, into=Path(into), overwrite=overwrite)
    if vq_run is not None or tokens is not None:
        raise ValueError(f"{last.path} holds a GenLV model; a tokenizer run and token folder are for token-AR models")
    if len(config_paths) != len(runs):
        raise ValueError("give one committed config path per run, in the order the stages ran")
    return _ship_genlv(
        runs,
        list(config_paths),
        name,
        eval_dir=Path(eval_dir) if eval_dir else None,
        classical=Path(classical) if classical else None,
        modes=modes,
        extend=extend,
        root=root,
        into=Path(into),
        overwrite=overwrite,
    )


def _plan(name: str, root: Path, into: Path, inputs: list[Path], overwrite: bool) -> tuple[Path, Path]:
    """The shipped folder and the docs card, checked before any work is done."""
    if not name or Path(name).name != name or name.startswith("."):
        raise ValueError(f"{name!r}: a model name is one plain folder name, such as pixtask-tiny")
    dest = plan_folder(
        into / name,
        overwrite=overwrite,
        names=SHIPPED_FILES,
        inputs=inputs,
        hint="pass --overwrite to replace the shipped model",
    )
    docs = plan_file(root / "docs" / "models" / f"{name}.md", overwrite=overwrite, inputs=inputs)
    return dest, docs


def _publish(staged: Path, dest: Path, docs: Path, card: str, overwrite: bool) -> None:
    """Each staged file into ``dest``, then the docs card; every file appears whole or not at all."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(staged.iterdir()):
        with atomic_target(dest / path.name) as tmp:
            shutil.copyfile(path, tmp)
    write_bytes_atomic(docs, card.encode(), overwrite=overwrite)


def _read_json(path: Path) -> dict:
    data = read_json_file(path)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return data


def _ship_genlv(
    runs: list[Path],
    config_paths: list[str],
    name: str,
    *,
    eval_dir: Path | None,
    classical: Path | None,
    modes: ModesResult | None,
    extend: str | None,
    root: Path,
    into: Path,
    overwrite: bool,
) -> Shipped:
    inputs = [*runs, *(p for p in (eval_dir, classical) if p is not None)]
    dest, docs = _plan(name, root, into, inputs, overwrite)
    earlier = earlier_stages(model_info(_shipped_folder(extend, into)), config_paths, root) if extend else []
    stages = earlier + [Stage.from_run(run, path) for run, path in zip(runs, config_paths, strict=True)]
    last = RunFolder(runs[-1])
    record = last.record()
    record["trained_tasks"] = trained_tasks(stages)
    record["trained_steps"] = sum(st.steps for st in stages)
    record.pop("init_from", None)  # a path or name on the training machine; the stages below say it
    record["training"] = {"steps": sum(st.steps for st in stages), "stages": [st.record() for st in stages]}
    if len(stages) > 1:  # the last run's condition dropout and freeze policy are its stage's, not the model's
        record.pop("condition_modes", None)
        record.pop("freeze", None)
    with tempfile.TemporaryDirectory(prefix="pixtask-ship-") as tmp:
        staged = Path(tmp)
        shutil.copyfile(last.model_dir / WEIGHTS_NAME, staged / WEIGHTS_NAME)
        shutil.copyfile(last.model_dir / CONFIG_NAME, staged / CONFIG_NAME)  # constructor arguments only
        (staged / RECORD_NAME).write_text(json.dumps(record, indent=1, sort_keys=True))
        model = from_pretrained(staged)  # proves the shipped folder loads strictly
        n_params = sum(p.numel() for p in model.parameters())
        size = (staged / WEIGHTS_NAME).stat().st_size / 2**20
        card = model_card(
            name,
            stages,
            n_params,
            size,
            model.config,
            root=root,
            eval_dir=eval_dir,
            classical=classical,
            modes=modes,
        )
        (staged / "README.md").write_text(card)
        _publish(staged, dest, docs, card, overwrite)
    return Shipped(dest, docs, n_params, size)


def _shipped_folder(name: str, into: Path) -> str | Path:
    """A shipped model's folder among ``into``'s, else the name as given (a folder or a shipped name)."""
    return into / name if (into / name).is_dir() else name


def refresh_results(
    name: str,
    eval_dir: str | Path | None,
    *,
    modes: ModesResult | None = None,
    root: str | Path | None = None,
    into: str | Path = PRETRAINED_DIR,
) -> list[Path]:
    """Re-render the results section of a shipped model's card (and its docs copy) from a new
    evaluation of the same weights, e.g. after the evaluation gained a baseline, and with
    ``modes`` its told-three-ways section (a new condition-mode study, e.g. after the pipeline's
    told-both check changed)."""
    root = Path(root) if root is not None else checkout_root()
    folder = Path(_shipped_folder(name, Path(into)))
    sections = []
    if eval_dir is not None:
        trained = set(model_info(folder)["trained_tasks"])
        sections.append((RESULTS_HEADING, results_section(_read_json(Path(eval_dir) / "summary.json"), trained)))
    if modes is not None:
        sections.append((MODES_HEADING, modes_section(modes)))
    cards = [folder / "README.md", root / "docs" / "models" / f"{name}.md"]
    texts = []
    for card in cards:
        text = read_text_file(card, what="model card")
        for heading, lines in sections:
            start = text.find(heading)
            end = text.find("\n## ", start + 1) if start >= 0 else -1
            if end < 0:
                raise ValueError(f"{card}: has no {heading!r} section followed by another to replace; ship it again")
            old = text[start:end]  # keep the blank lines the card had before the next heading
            text = text[:start] + "\n".join(lines).rstrip("\n") + old[len(old.rstrip("\n")) :] + text[end:]
        texts.append(text)
    for card, text in zip(cards, texts, strict=True):
        write_bytes_atomic(card, text.encode())
    return cards


def earlier_stages(recorded: dict, new_configs: Sequence[str], root: Path) -> list[Stage]:
    """The stages a shipped model's record holds, less those the new runs redo: a stage is
    its committed config, so shipping the same run again (say, with an evaluation) replaces it."""
    records = recorded.get("training", {}).get("stages", [])
    return [Stage.from_record(r, root) for r in records if r["config"] not in new_configs]


def trained_tasks(stages: list[Stage]) -> list[str]:
    """Every stage's tasks, first-seen order."""
    return list(dict.fromkeys(t for st in stages for t in st.cfg["data"]["tasks"]))


# --- the GenLV card ---------------------------------------------------------------------------
def stage_line(i: int, st: Stage, previous: Stage | None = None) -> str:
    o, batch = st.cfg["optim"], st.cfg["batch_size"]
    loss = st.cfg.get("loss", "l1")
    start = "from random weights" if not st.cfg.get("init_from") else "from the previous stage's weights"
    if st.cfg.get("init_from") and previous is not None and previous.cfg["model"] != st.cfg["model"]:
        start += f", as {st.cfg['model']} (its new layers start fresh)"
    weights = st.cfg["data"].get("weights") or {}
    listed = ", ".join(f"{t} x{w:g}" for t, w in weights.items())
    sampling = f"task sampling weights {listed} (others x1), " if weights else ""
    modes = st.cfg["data"].get("condition_modes") or {}
    if modes:
        told = ", ".join(f"{m} x{w:g}" for m, w in modes.items())
        reads = any(w > 0 for m, w in modes.items() if m in ("instruction", "both"))
        said = "; words from the training split" if reads else ""
        sampling += f"condition dropout (each sample told by {told}{said}), "
    d = st.cfg["data"]
    sources = [
        (d.get("measured_words"), "words about its own pair"),
        (d.get("people_words"), "requests as people type them"),
    ]
    if any(share for share, _ in sources):  # where a sample's words come from, beside the templates
        said = " and ".join(f"{share:g} {what}" for share, what in sources if share)
        sampling += f"of the samples told in words, {said} (shares), "
    if d.get("backward"):
        sampling += f"{d['backward']:g} of restoration samples turned round (told the opposite change), "
    anchors = (st.cfg.get("model_overrides") or {}).get("word_anchors")
    if anchors:  # the words' router (CondNAFNet.word_anchors) and the term that teaches it the task
        had = (
            previous is not None
            and previous is not st
            and (previous.cfg.get("model_overrides") or {}).get("word_anchors")
        )
        added = st.cfg.get("init_from") and not had  # trainer: a router added to weights without one
        trained = CondNAFNet.freeze_policies.get(st.cfg.get("freeze", "none"), None)
        trains = trained is None or "text_router" in trained  # does the stage's policy train the router?
        taught = st.cfg.get("word_routing", 0) if trains else 0
        if added or trains or previous is None or previous is st:  # a router kept frozen goes unsaid
            origin = " added here, each anchor started at its task's mean example embedding" if added else ""
            if st.cfg.get("word_router_fit"):
                origin += (
                    ", its task classifier first refit to the training instructions (templates and requests)"
                    f" and its gate restarted at {st.cfg.get('word_router_gate', 0.5):g}"
                )
            term = f", its task cross-entropy weighted {taught:g} in the loss" if taught else ""
            sampling += f"a words' router over {len(anchors)} task anchors{origin}{term}, "
    if st.cfg.get("freeze", "none") != "none":  # a fine-tuning policy: the rest of the weights stay as they were
        sampling += f"only the `{st.cfg['freeze']}` parameters trained (freeze policy; every other weight as before), "
    return (
        f"- Stage {i} (`{st.config_path}`, run `{st.cfg['out_dir']}`, {start}): "
        f"{st.steps} steps of batch {batch} ({st.steps * batch} samples), "
        f"{sampling}{loss} loss, AdamW lr {o['lr']} betas {o['betas']}, {o['warmup_steps']} warmup steps then "
        f"cosine to {o['min_lr_ratio']}x, gradient clip {o['grad_clip']}, EMA {o['ema_decay']}, seed {st.cfg['seed']}; "
        f"{st.hours:.2f} h, training loss {st.tail_loss:.4f} (mean of the last {TAIL} logged batches)."
    )


def _committed_out_dir(root: Path, config_path: str) -> str:
    """The out_dir a committed config names (the folder its run is written to)."""
    return yaml.safe_load(read_text_file(root / config_path, what="config"))["out_dir"]


def model_card(
    name: str,
    stages: list[Stage],
    n_params: int,
    size: float,
    model_cfg,
    *,
    root: Path,
    eval_dir: Path | None = None,
    classical: Path | None = None,
    modes: ModesResult | None = None,
) -> str:
    """README.md of a shipped GenLV model; ``size`` is its weights file in MiB."""
    first = stages[0].cfg
    tasks = trained_tasks(stages)
    by_cat = Counter(get_task(t).category.value for t in tasks)
    photos = [p for p in resolve_photos(first["data"]["photos"]) if p.split == "train"]
    licences = Counter(p.licence for p in photos)
    hours = sum(st.hours for st in stages)
    words = "instruction" in model_cfg.modes
    kind = "text+example generalist that reads explanatory instructions" if words else "visual-prompt generalist"
    told = (
        "each told by an example pair, an explanatory instruction, or both"
        if words
        else "each told by one example pair"
    )
    lines = [
        f"# {name}",
        "",
        f"A {architecture_of(model_cfg)} {kind} ({stages[-1].cfg['model']}, {n_params / 1e6:.2f}M parameters, "
        f"{size:.1f} MiB fp32 safetensors"
        + (
            ", with a global residual: output = input + f(input)"
            if getattr(model_cfg, "global_residual", False)
            else ""
        )
        + "), trained by pixtask on a 2-core CPU. Load it with "
        f'`GenLVPipeline.from_pretrained("{name}")` or `pixtask run --model {name}`.',
        "",
        "## Tasks",
        "",
        f"Trained on {len(tasks)} tasks (" + ", ".join(f"{n} {c}" for c, n in sorted(by_cat.items())) + f"), {told}:",
        "",
    ]
    for cat in sorted(by_cat):
        lines.append(f"- {cat}: " + ", ".join(f"`{t}`" for t in tasks if get_task(t).category.value == cat))
    lines += [
        "",
        "## Data",
        "",
        f"Training split of the `{first['data']['photos']}` photo collection: {len(photos)} photos "
        "(the benchmark's test photos are never used). Random "
        f"{first['data']['crop']}x{first['data']['crop']} crops, photos resized to at most "
        f"{first['data']['max_side']} px on the long side; query and prompt crops come from different photos. "
        "Licences of the training photos:",
        "",
    ]
    lines += [f"- {lic}: {n}" for lic, n in sorted(licences.items())]
    # the committed configs' out_dir, not the folders this machine happened to use
    ship_args = " ".join(
        f"--run {_committed_out_dir(root, st.config_path)} --config-path {st.config_path}" for st in stages
    )
    lines += ["", "## Training", ""]
    lines += [stage_line(i, st, stages[i - 2] if i > 1 else None) for i, st in enumerate(stages, 1)]
    lines += [
        f"- In all: {sum(st.steps for st in stages)} steps, {hours:.2f} h on 2 CPU cores "
        f"({', '.join(sorted({st.cfg.get('precision', 'auto') for st in stages}))} precision); "
        "the shipped weights are the last stage's EMA.",
        "- Reproduce (needs `make debian-photos`): "
        + "; then ".join(f"`pixtask train --config {st.config_path}`" for st in stages)
        + f"; then `pixtask models ship {ship_args} "
        f"--name {name} ...`.",
        "",
    ]
    if modes is not None:
        lines += modes_section(modes)
    if eval_dir is not None:
        lines += results_section(_read_json(eval_dir / "summary.json"), set(tasks))
    if classical is not None:
        lines += classical_section(read_json_file(classical), set(tasks))
    lines += [
        "## Limitations",
        "",
        f"- A {n_params / 1e6:.1f}M-parameter model trained for {hours:.1f} h on CPU: far smaller and shorter-trained "
        "than the paper's models; expect moderate gains, not state-of-the-art restoration.",
        "- Trained at 64x64 crops: large degradations (strong blur, x4 super-resolution) need more context "
        "than it has seen.",
        "- Tasks not listed above were never trained; see the held-out rows for how it behaves on them.",
        "",
    ]
    return "\n".join(lines)


def results_section(summary: dict, trained: set[str]) -> list[str]:
    lines = [
        RESULTS_HEADING,
        "",
        f"{summary['title']}. Mean over test photos and levels 1, 3, 5; "
        "one prompt pair per query from another test photo. Reproduce with the commands in the README.",
        "",
        "| task | category | trained | metric | model | identity | trivial | gain | over |",
        "|---|---|---|---|---:|---:|---:|---:|---|",
    ]
    for task, t in sorted(summary["tasks"].items(), key=lambda kv: (kv[0] not in trained, kv[1]["category"])):
        mark = "yes" if task in trained else "held out"
        trivial = f"{t['trivial']} ({t['trivial_name']})" if "trivial" in t else "-"
        lines.append(
            f"| {task} | {t['category']} | {mark} | {t['metric']} | {t['model']} | {t['identity']} | {trivial} | "
            f"{t['gain']:+} | {t.get('baseline', 'identity')} |"
        )
    lines += [
        "",
        "Gain is the improvement over the stronger of identity and the task's trivial baseline (column *over*: "
        "the best constant image for maps, colour transfer for stylization), in the metric's units, positive is "
        "better.",
        "",
    ]
    secondary = secondary_table(summary)
    lines += [*secondary, ""] if secondary else []
    worse = [
        f"`{t}` ({r['gain']:+.2f})"
        for t, r in summary["tasks"].items()
        if t in trained and r["category"] in ("restoration", "enhancement") and r["gain"] <= 0
    ]
    if worse:
        lines += [
            "**Not better than leaving the input alone** on these trained restoration and enhancement tasks: "
            + ", ".join(worse)
            + ".",
            "",
        ]
    return lines


def modes_section(modes: ModesResult) -> list[str]:
    """The three ways of telling the task, per category, and the targets (condition-mode study)."""
    result = modes.result
    t = result["targets"]
    vis = result.get("visual_model") or "visual model"
    split = result.get("instruction_split", "heldout")
    words = "an explanatory instruction" if split == "heldout" else "words"
    lines = [
        MODES_HEADING,
        "",
        f"From `{modes.path}` (`pixtask study modes`): each benchmark query told by an example pair, by "
        f"{words} for its own change ({SPLIT_WORDS.get(split, split)}), or both; mean scores per category beside "
        f"identity and {vis} (told by example).",
        "",
        modes.table,
    ]
    lines += [
        "",
        f"On the {t['tasks']} trained restoration and enhancement tasks: told in words only it beats identity on "
        f"{t['instruction_beats_identity']}; told both ways it is at least as good as the better single way on "
        f"{t['both_at_least_either']}"
        + (f", and within {t['both_slack_db']} dB of it on {t['both_within_slack']}." if "both_slack_db" in t else "."),
        "",
    ]
    return lines


def classical_section(rows: list[dict], trained: set[str]) -> list[str]:
    lines = [
        "## Against the classical method a user would reach for",
        "",
        "| task | trained | classical method | identity | classical | model |",
        "|---|---|---|---:|---:|---:|",
    ]
    for r in rows:
        if "model" in r:
            mark = "yes" if r["task"] in trained else "held out"
            lines.append(
                f"| {r['task']} | {mark} | {r['method']} | {r['identity']} | {r['classical']} | {r['model']} |"
            )
    return [*lines, ""]


# --- the token-AR model -----------------------------------------------------------------------
def ar_run_summary(run: str | Path) -> dict:
    """A token-AR or VQ run as its card and record give it: config, steps, hours, tail loss."""
    folder = RunFolder(run)
    summary = folder.summary()
    return {
        "config": folder.config(),
        "steps": summary.steps,
        "hours": round(summary.hours, 3),
        "tail_loss": round(summary.tail_loss, 4),
    }


def _optional_json(path: Path) -> dict | None:
    return _read_json(path) if path.is_file() else None


def _ship_ar(run: Path, vq_run: Path, tokens: Path, name: str, *, root: Path, into: Path, overwrite: bool) -> Shipped:
    dest, docs = _plan(name, root, into, [run, vq_run, tokens], overwrite)
    src = RunFolder(run).model_dir
    vq, ar = ar_run_summary(vq_run), ar_run_summary(run)
    token_manifest = _read_json(tokens / "pixtask_tokens.json")
    triplets = _read_json(Path(token_manifest["source"]) / "pixtask_triplets.json")["config"]
    record = RunFolder(run).record()
    if "trained_tasks" not in record:
        raise ValueError(f"{RunFolder(run).record_file}: no training record with trained_tasks; ship a finished run")
    record.update(
        tokens=token_manifest,
        triplets={k: triplets[k] for k in ("pairs", "crop", "max_side", "photos", "seed", "heldout_fraction")},
        training={
            "vq": {k: v for k, v in vq.items() if k != "config"},
            "ar": {k: v for k, v in ar.items() if k != "config"},
        },
        weights_dtype="float16 (read back as float32)",
    )
    with tempfile.TemporaryDirectory(prefix="pixtask-ship-") as tmp:
        staged = Path(tmp)
        state = load_file(str(src / WEIGHTS_NAME))
        save_file(
            {k: v.to(torch.float16) for k, v in state.items()}, str(staged / WEIGHTS_NAME), metadata={"format": FORMAT}
        )
        shutil.copyfile(src / CONFIG_NAME, staged / CONFIG_NAME)
        shutil.copyfile(src / TOKENIZER_NAME, staged / TOKENIZER_NAME)
        (staged / RECORD_NAME).write_text(json.dumps(record, indent=1, sort_keys=True))
        model = from_pretrained(staged)  # proves the shipped folder loads strictly
        size = (staged / WEIGHTS_NAME).stat().st_size / 2**20
        card = ar_model_card(name, model, record, vq, ar, triplets, size, root / "docs" / "ar")
        (staged / "README.md").write_text(card)
        _publish(staged, dest, docs, card, overwrite)
    return Shipped(dest, docs, sum(p.numel() for p in model.parameters()), size)


def ar_model_card(
    name: str, model, record: dict, vq: dict, ar: dict, triplets: dict, size: float, figures: Path
) -> str:
    """README.md of a shipped token-AR model; ``figures`` holds docs/ar/{vq,loss,compare}.json where measured."""
    c = model.config
    lm_params = sum(p.numel() for p in model.lm.parameters())
    vq_params = sum(p.numel() for p in model.vq.parameters())
    o, vo = ar["config"]["optim"], vq["config"]["optim"]
    told = "in words only" if tuple(c.modes) == ("instruction",) else "by " + " or ".join(c.modes)
    lines = [
        f"# {name}",
        "",
        "The token-autoregressive vision-language model of the Explanatory Instructions paper at CPU scale: "
        f"a VQ image tokenizer ({c.vq['codebook_size']} codes, {2 ** len(c.vq['channels'])}x downsampling, "
        f"{vq_params / 1e6:.2f}M parameters) and a decoder-only transformer (d{c.dim}, {c.layers} layers, "
        f"{c.heads} heads, SwiGLU, RoPE, QK-norm, no biases; {model.lm.non_embedding_parameters() / 1e6:.2f}M "
        f"non-embedding, {lm_params / 1e6:.2f}M in all) over one vocabulary of BPE text tokens and VQ codes "
        f"({model.layout.vocab_size} entries). It works on {c.image_size}x{c.image_size} images and is told its "
        f"task **{told}**. {size:.1f} MiB (fp16 safetensors, read back as fp32).",
        "",
        "```bash",
        f'pixtask run -i photo.jpg -o out.png --model {name} --instruction "the falling streaks of water fade away"',
        "```",
        "",
        "The photo is shrunk to the model's side, the output block is sampled (temperature 1, top-k a quarter "
        "of the codebook, seed 0; `--temperature 0` for greedy, `--cfg` for guidance) and the result is "
        "resized back: outputs are as coarse as 64x64.",
        "",
        "## Data",
        "",
        f"`pixtask data build`: {triplets['pairs']} source pairs of the {len(record['trained_tasks'])} shipped "
        f"tasks, each in both directions ({2 * triplets['pairs']} triplets), {triplets['crop']}x{triplets['crop']} "
        f"crops of the `{triplets['photos']}` training photos shrunk to {triplets['max_side']} px, seed "
        f"{triplets['seed']}; {triplets['heldout_fraction']:.0%} of the pairs are told with held-out "
        "instructions and left out of training (and of the BPE).",
        "",
        "Tasks: " + ", ".join(f"`{t}`" for t in record["trained_tasks"]) + " (and each one's inverse, the backward "
        "direction).",
        "",
        "## Training",
        "",
        f"- Tokenizer (`configs/vq-tiny.yaml`): {vq['steps']} steps of batch {vq['config']['batch_size']} "
        f"(x2 images), L1 + codebook + 0.25 commitment, k-means initialised codebook with dead-code restarts, "
        f"AdamW lr {vo['lr']}; {vq['hours']:.2f} h, final loss {vq['tail_loss']:.4f} "
        f"(mean of the last {TAIL} logged batches).",
        f"- Transformer (`configs/ar-tiny.yaml`): {ar['steps']} steps of batch {ar['config']['batch_size']} "
        f"sequences, cross-entropy on the output block + 1e-5 z-loss (shifted positions), instruction dropout "
        f"{ar['config']['data']['instruction_dropout']}, length-clustered batches, AdamW lr {o['lr']} betas "
        f"{o['betas']} weight decay {o['weight_decay']}, {o['warmup_steps']} warmup steps then cosine to "
        f"{o['min_lr_ratio']}x; {ar['hours']:.2f} h on 2 CPU cores, final loss {ar['tail_loss']:.4f}.",
        "",
        "## Results",
        "",
    ]
    vq_fig, compare = _optional_json(figures / "vq.json"), _optional_json(figures / "compare.json")
    if vq_fig:
        lines.append(
            f"- Tokenizer reconstruction on the test photos at 64x64: {vq_fig['psnr_target']:.2f} dB on targets, "
            f"{vq_fig['psnr_input']:.2f} dB on degraded inputs; {vq_fig['used_fraction']:.1%} of the codes used "
            f"(perplexity {vq_fig['perplexity']:.0f}) ([docs/ar/vq.md](../ar/vq.md))."
        )
    loss = _optional_json(figures / "loss.json")
    if loss:
        lines.append(
            f"- Output-block cross-entropy, training vs held-out sequences (unseen pairs, held-out words): "
            f"{loss['train']['with words']:.3f} vs {loss['heldout']['with words']:.3f} with words, "
            f"{loss['train']['without words']:.3f} vs {loss['heldout']['without words']:.3f} without "
            "([docs/ar/loss.md](../ar/loss.md))."
        )
    if compare:
        n, gains = len(compare["tasks"]), compare["mean_gain_psnr"]
        lines.append(
            f"- On {n} tasks of a test-photo benchmark at {compare['resize']}x{compare['resize']} "
            f"(mean PSNR gain over identity on the PSNR tasks; the VQ ceiling is {gains['ceiling']:+.2f} dB):"
        )
        for entry in compare["entries"]:
            e = entry["name"]
            lines.append(f"  - {e}: beats identity on {compare['beats_identity'][e]}/{n} tasks, {gains[e]:+.2f} dB.")
        lines.append("- Per task: [docs/ar/compare.md](../ar/compare.md).")
    lines += [
        "",
        "## Limits",
        "",
        "- 64x64 only, through a lossy tokenizer: no output can beat the VQ ceiling, which is below the "
        "input itself on most restoration tasks. This is the cost of VQ plus sampling that the paper's "
        "7B model also pays (14-17 dB on restoration benchmarks).",
        f"- Told {told}; no example pairs." if "example" not in c.modes else f"- Told {told}.",
        "- Trained for about an hour on a CPU: a small-scale, structurally faithful model for experiments "
        "and for scaling up on GPUs, not a restoration tool.",
        "",
    ]
    return "\n".join(lines)
