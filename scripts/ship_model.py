"""Copy a finished training run into the package as a shipped model, with its model card.

    python scripts/ship_model.py --run runs/shipped-tiny --config-path configs/shipped-tiny.yaml \
        --run runs/shipped-tiny-stage2 --config-path configs/shipped-tiny-stage2.yaml \
        --name pixtask-tiny --eval out/eval-shipped --classical docs/classical_baselines.json
    python scripts/ship_model.py --refresh-results --name pixtask-tiny --eval docs/eval-pixtask-tiny

A model trained in stages (a later run started with ``init_from`` an earlier one's output) is
shipped from its last run; give every stage's run and committed config, in order. To add a stage
to a model that is already shipped when the earlier runs are not on this machine, give only the
new runs and ``--extend NAME``: the earlier stages are then read from what NAME's config.json
recorded about them (config, steps, wall time, final loss); a recorded stage with the same config
as a given run is that run shipped before, and is replaced. The card
(README.md in the model folder, as on a model hub) is generated from what the runs recorded
(config.yaml, log.csv) and what the evaluation measured (summary.json), so its numbers are
never typed by hand. It is also copied to docs/models/<name>.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from pixtask.data.photos import resolve_photos
from pixtask.evaluation.report import secondary_table
from pixtask.models.hub import CONFIG_NAME, PRETRAINED_DIR, RECORD_NAME, WEIGHTS_NAME, from_pretrained, model_info
from pixtask.studies.condition_modes import category_table
from pixtask.tasks import get_task
from pixtask.training.config import load_config

ROOT = Path(__file__).resolve().parents[1]
TAIL = 10  # logged batches averaged for the final loss: one batch is noisy (relative-l1 swings by 0.3)


@dataclass
class Stage:
    """One training run of the shipped model: its committed config and what it recorded."""

    config_path: str
    cfg: dict
    steps: int
    hours: float
    tail_loss: float  # mean of the last TAIL logged batches

    @classmethod
    def from_run(cls, run: Path, config_path: str) -> Stage:
        log = list(csv.DictReader((run / "log.csv").open()))
        tail = log[-TAIL:]
        return cls(
            config_path,
            yaml.safe_load((run / "config.yaml").read_text()),
            steps=int(log[-1]["step"]),
            hours=float(log[-1]["seconds"]) / 3600,
            tail_loss=sum(float(r["loss"]) for r in tail) / len(tail),
        )

    @classmethod
    def from_record(cls, record: dict) -> Stage:
        """A stage as a shipped config.json recorded it; its config is resolved from the committed YAML."""
        missing = {"config", "steps", "hours", "tail_loss"} - set(record)
        if missing:
            raise ValueError(f"the shipped model's record of a stage lacks {sorted(missing)}; ship from its runs")
        cfg = load_config(ROOT / record["config"]).to_dict()
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
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, action="append", help="Training output folder, per stage")
    parser.add_argument("--config-path", action="append", help="The committed config of each stage, in order")
    parser.add_argument("--name", default="pixtask-tiny")
    parser.add_argument("--eval", type=Path, help="`pixtask eval` output folder of this model on test photos")
    parser.add_argument("--classical", type=Path, help="benchmarks/classical_baselines.py JSON with a model column")
    parser.add_argument("--extend", help="A shipped model whose recorded stages come before the given runs")
    parser.add_argument(
        "--modes", type=Path, help="benchmarks/condition_modes.py modes.json (a model that reads words)"
    )
    parser.add_argument(
        "--refresh-results", action="store_true", help="only rewrite the card's results section from --eval (no --run)"
    )
    args = parser.parse_args()
    if args.refresh_results:
        if not args.eval:
            parser.error("--refresh-results needs --eval")
        refresh_results(args.name, args.eval)
        return 0
    if not args.run:
        parser.error("give at least one --run (or --refresh-results)")
    config_paths = args.config_path or ["configs/shipped-tiny.yaml"]
    if len(config_paths) != len(args.run):
        parser.error("give one --config-path per --run")
    earlier = []
    if args.extend:
        recorded = model_info(args.extend)
        earlier = earlier_stages(recorded, config_paths)
    stages = earlier + [Stage.from_run(run, path) for run, path in zip(args.run, config_paths, strict=True)]
    last = args.run[-1]
    dest = PRETRAINED_DIR / args.name
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(last / "model" / WEIGHTS_NAME, dest / WEIGHTS_NAME)
    shutil.copyfile(last / "model" / CONFIG_NAME, dest / CONFIG_NAME)  # constructor arguments only
    record = json.loads((last / "model" / RECORD_NAME).read_text()) if (last / "model" / RECORD_NAME).is_file() else {}
    record["trained_tasks"] = trained_tasks(stages)
    record["trained_steps"] = sum(st.steps for st in stages)
    record.pop("init_from", None)  # a path or name on the training machine; the stages below say it
    record["training"] = {"steps": sum(st.steps for st in stages), "stages": [st.record() for st in stages]}
    (dest / RECORD_NAME).write_text(json.dumps(record, indent=1, sort_keys=True))
    model = from_pretrained(dest)  # proves the shipped folder loads strictly
    n_params = sum(p.numel() for p in model.parameters())

    card = model_card(args, stages, n_params, dest, model.config)
    (dest / "README.md").write_text(card)
    docs = ROOT / "docs" / "models"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / f"{args.name}.md").write_text(card)
    size = (dest / WEIGHTS_NAME).stat().st_size / 2**20
    print(f"shipped {args.name}: {n_params / 1e6:.2f}M parameters, {size:.1f} MiB, card: {dest / 'README.md'}")
    return 0


def refresh_results(name: str, eval_dir: Path) -> None:
    """Re-render the results section of a shipped model's card (and its docs copy) from a new
    evaluation of the same weights, e.g. after the evaluation gained a baseline."""
    trained = set(model_info(name)["trained_tasks"])
    section = "\n".join(results_section(json.loads((eval_dir / "summary.json").read_text()), trained))
    for card in (PRETRAINED_DIR / name / "README.md", ROOT / "docs" / "models" / f"{name}.md"):
        text = card.read_text()
        start = text.index("## Results on the benchmark's test photos")
        end = text.index("\n## ", start + 1) + 1
        card.write_text(text[:start] + section + text[end:])
        print(f"refreshed {card}")


def earlier_stages(recorded: dict, new_configs: list[str]) -> list[Stage]:
    """The stages a shipped model's config.json recorded, less those the new runs redo: a stage is
    its committed config, so shipping the same run again (say, with --eval) replaces it."""
    records = recorded.get("training", {}).get("stages", [])
    return [Stage.from_record(r) for r in records if r["config"] not in new_configs]


def trained_tasks(stages: list[Stage]) -> list[str]:
    """Every stage's tasks, first-seen order."""
    return list(dict.fromkeys(t for st in stages for t in st.cfg["data"]["tasks"]))


def stage_line(i: int, st: Stage) -> str:
    o, batch = st.cfg["optim"], st.cfg["batch_size"]
    loss = st.cfg.get("loss", "l1")
    start = "from random weights" if not st.cfg.get("init_from") else "from the previous stage's weights"
    if st.cfg["model"] != "genlv-tiny" and st.cfg.get("init_from"):
        start += f", as {st.cfg['model']} (its new layers start fresh)"
    weights = st.cfg["data"].get("weights") or {}
    listed = ", ".join(f"{t} x{w:g}" for t, w in weights.items())
    sampling = f"task sampling weights {listed} (others x1), " if weights else ""
    modes = st.cfg["data"].get("condition_modes") or {}
    if modes:
        told = ", ".join(f"{m} x{w:g}" for m, w in modes.items())
        sampling += f"condition dropout (each sample told by {told}; words from the training split), "
    return (
        f"- Stage {i} (`{st.config_path}`, {start}): {st.steps} steps of batch {batch} ({st.steps * batch} samples), "
        f"{sampling}{loss} loss, AdamW lr {o['lr']} betas {o['betas']}, {o['warmup_steps']} warmup steps then "
        f"cosine to {o['min_lr_ratio']}x, gradient clip {o['grad_clip']}, EMA {o['ema_decay']}, seed {st.cfg['seed']}; "
        f"{st.hours:.2f} h, training loss {st.tail_loss:.4f} (mean of the last {TAIL} logged batches)."
    )


def model_card(args, stages: list[Stage], n_params: int, dest: Path, model_cfg) -> str:
    first = stages[0].cfg
    tasks = trained_tasks(stages)
    by_cat = Counter(get_task(t).category.value for t in tasks)
    photos = [p for p in resolve_photos(first["data"]["photos"]) if p.split == "train"]
    licences = Counter(p.licence for p in photos)
    hours = sum(st.hours for st in stages)
    size = (dest / WEIGHTS_NAME).stat().st_size / 2**20
    words = getattr(model_cfg, "text_dim", 0) > 0
    kind = "text+example generalist that reads explanatory instructions" if words else "visual-prompt generalist"
    told = (
        "each told by an example pair, an explanatory instruction, or both"
        if words
        else "each told by one example pair"
    )
    lines = [
        f"# {args.name}",
        "",
        f"A GenLV {kind} ({stages[-1].cfg['model']}, {n_params / 1e6:.2f}M parameters, "
        f"{size:.1f} MiB fp32 safetensors"
        + (
            ", with a global residual: output = input + f(input)"
            if getattr(model_cfg, "global_residual", False)
            else ""
        )
        + "), trained by pixtask on a 2-core CPU. Load it with "
        f'`GenLVPipeline.from_pretrained("{args.name}")` or `pixtask run --model {args.name}`.',
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
        f"--run {yaml.safe_load((ROOT / st.config_path).read_text())['out_dir']} --config-path {st.config_path}"
        for st in stages
    )
    lines += ["", "## Training", ""]
    lines += [stage_line(i, st) for i, st in enumerate(stages, 1)]
    lines += [
        f"- In all: {sum(st.steps for st in stages)} steps, {hours:.2f} h on 2 CPU cores (bf16 autocast); "
        "the shipped weights are the last stage's EMA.",
        "- Reproduce (needs `make debian-photos`): "
        + "; then ".join(f"`pixtask train --config {st.config_path}`" for st in stages)
        + f"; then `python scripts/ship_model.py {ship_args} "
        f"--name {args.name} ...`.",
        "",
    ]
    if getattr(args, "modes", None):
        lines += modes_section(json.loads(args.modes.read_text()), args.modes)
    if args.eval:
        lines += results_section(json.loads((args.eval / "summary.json").read_text()), set(tasks))
    if args.classical:
        lines += classical_section(json.loads(args.classical.read_text()), set(tasks))
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
        "## Results on the benchmark's test photos",
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


def modes_section(result: dict, path: Path) -> list[str]:
    """The three ways of telling the task, per category, and the targets (condition_modes study)."""
    t = result["targets"]
    vis = result.get("visual_model") or "visual model"
    lines = [
        "## Told by example, in words, or both",
        "",
        f"From `{path}` (`python benchmarks/condition_modes.py`): each benchmark query told by an example pair, by a "
        f"held-out explanatory instruction of its own change, or both; mean scores per category beside identity and "
        f"{vis} (told by example).",
        "",
        category_table(result),
    ]
    lines += [
        "",
        f"On the {t['tasks']} trained restoration and enhancement tasks: told in words only it beats identity on "
        f"{t['instruction_beats_identity']}; told both ways it is at least as good as the better single way on "
        f"{t['both_at_least_either']}.",
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


if __name__ == "__main__":
    sys.exit(main())
