"""Copy a finished training run into the package as a shipped model, with its model card.

    python scripts/ship_model.py --run runs/shipped-tiny --name pixtask-tiny \
        --eval out/eval-shipped --classical docs/classical_baselines.json

The card (README.md in the model folder, as on a model hub) is generated from what the run
recorded (config.yaml, log.csv) and what the evaluation measured (summary.json), so its
numbers are never typed by hand. It is also copied to docs/models/<name>.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
from collections import Counter
from pathlib import Path

import yaml

from pixtask.data.photos import resolve_photos
from pixtask.models.hub import CONFIG_NAME, PRETRAINED_DIR, WEIGHTS_NAME, from_pretrained
from pixtask.tasks import get_task

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, type=Path, help="Training output folder (has model/, config.yaml)")
    parser.add_argument("--name", default="pixtask-tiny")
    parser.add_argument("--eval", type=Path, help="`pixtask eval` output folder of this model on test photos")
    parser.add_argument("--classical", type=Path, help="benchmarks/classical_baselines.py JSON with a model column")
    parser.add_argument("--config-path", default="configs/shipped-tiny.yaml", help="The config as committed")
    args = parser.parse_args()

    train_cfg = yaml.safe_load((args.run / "config.yaml").read_text())
    log = list(csv.DictReader((args.run / "log.csv").open()))
    dest = PRETRAINED_DIR / args.name
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.run / "model" / WEIGHTS_NAME, dest / WEIGHTS_NAME)
    config = json.loads((args.run / "model" / CONFIG_NAME).read_text())
    config["trained_tasks"] = train_cfg["data"]["tasks"]
    config["training"] = {
        "config": args.config_path,
        "steps": int(log[-1]["step"]),
        "batch_size": train_cfg["batch_size"],
        "crop": train_cfg["data"]["crop"],
        "seed": train_cfg["seed"],
        "photos": train_cfg["data"]["photos"],
    }
    (dest / CONFIG_NAME).write_text(json.dumps(config, indent=1, sort_keys=True))
    model = from_pretrained(dest)  # proves the shipped folder loads strictly
    n_params = sum(p.numel() for p in model.parameters())

    card = model_card(args, train_cfg, log, n_params, dest, model.config)
    (dest / "README.md").write_text(card)
    docs = ROOT / "docs" / "models"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / f"{args.name}.md").write_text(card)
    size = (dest / WEIGHTS_NAME).stat().st_size / 2**20
    print(f"shipped {args.name}: {n_params / 1e6:.2f}M parameters, {size:.1f} MiB, card: {dest / 'README.md'}")
    return 0


def model_card(args, train_cfg: dict, log: list[dict], n_params: int, dest: Path, model_cfg) -> str:
    tasks = train_cfg["data"]["tasks"]
    by_cat = Counter(get_task(t).category.value for t in tasks)
    photos = [p for p in resolve_photos(train_cfg["data"]["photos"]) if p.split == "train"]
    licences = Counter(p.licence for p in photos)
    hours = float(log[-1]["seconds"]) / 3600
    size = (dest / WEIGHTS_NAME).stat().st_size / 2**20
    o = train_cfg["optim"]
    lines = [
        f"# {args.name}",
        "",
        f"A GenLV visual-prompt generalist ({train_cfg['model']}, {n_params / 1e6:.2f}M parameters, "
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
        f"Trained on {len(tasks)} tasks ("
        + ", ".join(f"{n} {c}" for c, n in sorted(by_cat.items()))
        + "), each told by one example pair:",
        "",
    ]
    for cat in sorted(by_cat):
        lines.append(f"- {cat}: " + ", ".join(f"`{t}`" for t in tasks if get_task(t).category.value == cat))
    lines += [
        "",
        "## Data",
        "",
        f"Training split of the `{train_cfg['data']['photos']}` photo collection: {len(photos)} photos "
        "(the benchmark's test photos are never used). Random "
        f"{train_cfg['data']['crop']}x{train_cfg['data']['crop']} crops, photos resized to at most "
        f"{train_cfg['data']['max_side']} px on the long side; query and prompt crops come from different photos. "
        "Licences of the training photos:",
        "",
    ]
    lines += [f"- {lic}: {n}" for lic, n in sorted(licences.items())]
    lines += [
        "",
        "## Training",
        "",
        f"- {int(log[-1]['step'])} steps of batch {train_cfg['batch_size']} "
        f"({int(log[-1]['step']) * train_cfg['batch_size']} samples), L1 loss, AdamW lr {o['lr']} "
        f"betas {o['betas']}, {o['warmup_steps']} warmup steps then cosine to {o['min_lr_ratio']}x, "
        f"gradient clip {o['grad_clip']}, EMA {o['ema_decay']} (the shipped weights are the EMA).",
        f"- Wall time {hours:.2f} h on 2 CPU cores (bf16 autocast), final training loss {float(log[-1]['loss']):.4f}.",
        f"- Reproduce: `pixtask train --config {args.config_path}` (needs `make debian-photos`), then "
        f"`python scripts/ship_model.py --run runs/shipped-tiny --name {args.name} ...`.",
        "",
    ]
    if args.eval:
        lines += results_section(json.loads((args.eval / "summary.json").read_text()), set(tasks))
    if args.classical:
        lines += classical_section(json.loads(args.classical.read_text()), set(tasks))
    lines += [
        "## Limitations",
        "",
        "- A 1.8M-parameter model trained for about an hour and a half on CPU: far smaller and shorter-trained "
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
        "| task | category | trained | metric | model | identity | gain |",
        "|---|---|---|---|---:|---:|---:|",
    ]
    for task, t in sorted(summary["tasks"].items(), key=lambda kv: (kv[0] not in trained, kv[1]["category"])):
        mark = "yes" if task in trained else "held out"
        lines.append(
            f"| {task} | {t['category']} | {mark} | {t['metric']} | {t['model']} | {t['identity']} | {t['gain']:+} |"
        )
    lines += ["", "Gain is the improvement over identity in the metric's units (positive is better).", ""]
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
