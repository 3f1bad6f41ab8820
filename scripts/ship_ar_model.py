"""Ship a trained token-AR model into the package (weights stored as fp16, read back as fp32),
with its model card generated from what the runs recorded and what the benchmarks measured.

    python scripts/ship_ar_model.py --vq-run runs/ar/vq-tiny --run runs/ar/ar-tiny \
        --tokens runs/ar/tokens --name ar-tiny

The card (README.md in the model folder, copied to docs/models/<name>.md) takes its figures
from the runs' config.yaml and log.csv, the token folder's manifest, the triplet build's
manifest, and docs/ar/{vq,speed,compare}.json where they exist; none is typed by hand.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
from pathlib import Path

import torch
import yaml
from safetensors.torch import load_file, save_file

from pixtask.models.ar.text_tokenizer import FILE_NAME
from pixtask.models.hub import CONFIG_NAME, FORMAT, PRETRAINED_DIR, RECORD_NAME, WEIGHTS_NAME, from_pretrained

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "ar"
TAIL = 10


def run_summary(run: Path) -> dict:
    log = list(csv.DictReader((run / "log.csv").open()))
    tail = log[-TAIL:]
    return {
        "config": yaml.safe_load((run / "config.yaml").read_text()),
        "steps": int(log[-1]["step"]),
        "hours": round(float(log[-1]["seconds"]) / 3600, 3),
        "tail_loss": round(sum(float(r["loss"]) for r in tail) / len(tail), 4),
    }


def load_json(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.is_file() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vq-run", type=Path, required=True)
    parser.add_argument("--run", type=Path, required=True)
    parser.add_argument("--tokens", type=Path, required=True)
    parser.add_argument("--name", default="ar-tiny")
    args = parser.parse_args()
    dest = PRETRAINED_DIR / args.name
    dest.mkdir(parents=True, exist_ok=True)
    src = args.run / "model"
    state = load_file(str(src / WEIGHTS_NAME))
    save_file({k: v.to(torch.float16) for k, v in state.items()}, str(dest / WEIGHTS_NAME), metadata={"format": FORMAT})
    shutil.copyfile(src / CONFIG_NAME, dest / CONFIG_NAME)
    shutil.copyfile(src / FILE_NAME, dest / FILE_NAME)
    vq, ar = run_summary(args.vq_run), run_summary(args.run)
    tokens = json.loads((args.tokens / "pixtask_tokens.json").read_text())
    triplets = json.loads((Path(tokens["source"]) / "pixtask_triplets.json").read_text())["config"]
    record = json.loads((src / RECORD_NAME).read_text())
    record.update(
        tokens=tokens,
        triplets={k: triplets[k] for k in ("pairs", "crop", "max_side", "photos", "seed", "heldout_fraction")},
        training={
            "vq": {k: v for k, v in vq.items() if k != "config"},
            "ar": {k: v for k, v in ar.items() if k != "config"},
        },
        weights_dtype="float16 (read back as float32)",
    )
    (dest / RECORD_NAME).write_text(json.dumps(record, indent=1, sort_keys=True))
    model = from_pretrained(dest)  # proves the shipped folder loads strictly
    card = model_card(args.name, model, record, vq, ar, triplets, dest)
    (dest / "README.md").write_text(card)
    (ROOT / "docs" / "models" / f"{args.name}.md").write_text(card)
    size = (dest / WEIGHTS_NAME).stat().st_size / 2**20
    print(f"shipped {args.name}: {sum(p.numel() for p in model.parameters()) / 1e6:.2f}M parameters, {size:.1f} MiB")
    return 0


def model_card(name: str, model, record: dict, vq: dict, ar: dict, triplets: dict, dest: Path) -> str:
    c = model.config
    lm_params = sum(p.numel() for p in model.lm.parameters())
    vq_params = sum(p.numel() for p in model.vq.parameters())
    size = (dest / WEIGHTS_NAME).stat().st_size / 2**20
    o, vo = ar["config"]["optim"], vq["config"]["optim"]
    lines = [
        f"# {name}",
        "",
        "The token-autoregressive vision-language model of the Explanatory Instructions paper at CPU scale: "
        f"a VQ image tokenizer ({c.vq['codebook_size']} codes, {2 ** len(c.vq['channels'])}x downsampling, "
        f"{vq_params / 1e6:.2f}M parameters) and a decoder-only transformer (d{c.dim}, {c.layers} layers, "
        f"{c.heads} heads, SwiGLU, RoPE, QK-norm, no biases; {model.lm.non_embedding_parameters() / 1e6:.2f}M "
        f"non-embedding, {lm_params / 1e6:.2f}M in all) over one vocabulary of BPE text tokens and VQ codes "
        f"({model.layout.vocab_size} entries). It works on {c.image_size}x{c.image_size} images and is told its "
        f"task **in words only**. {size:.1f} MiB (fp16 safetensors, read back as fp32).",
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
    vq_fig, compare = load_json(DOCS / "vq.json"), load_json(DOCS / "compare.json")
    if vq_fig:
        lines.append(
            f"- Tokenizer reconstruction on the test photos at 64x64: {vq_fig['psnr_target']:.2f} dB on targets, "
            f"{vq_fig['psnr_input']:.2f} dB on degraded inputs; {vq_fig['used_fraction']:.1%} of the codes used "
            f"(perplexity {vq_fig['perplexity']:.0f}) ([docs/ar/vq.md](../ar/vq.md))."
        )
    loss = load_json(DOCS / "loss.json")
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
        "- Told in words only; no example pairs.",
        "- Trained for about an hour on a CPU: a small-scale, structurally faithful model for experiments "
        "and for scaling up on GPUs, not a restoration tool.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
