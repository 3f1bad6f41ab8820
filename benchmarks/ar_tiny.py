"""Figures of the token-AR model (issue 21) -> docs/ar/.

    python benchmarks/ar_tiny.py vq --vq runs/ar/vq-tiny/model --bench /root/bench-zs
        tokenizer: reconstruction PSNR of test images at 64x64, codebook usage, a figure
    python benchmarks/ar_tiny.py speed --model runs/ar/ar-tiny/model
        training tokens/s and MFU (against the measured matmul peak), decoding tokens/s with
        and without the KV cache
    python benchmarks/ar_tiny.py loss --model runs/ar/ar-tiny/model --tokens runs/ar/tokens
        output-block cross-entropy on training vs held-out sequences, with and without words
    python benchmarks/ar_tiny.py compare --model runs/ar/ar-tiny/model --bench /root/bench-zs
        the results table: ar-tiny beside pixtask-tiny and pixtask-tiny-text on the same
        queries and held-out instructions, at 64x64, between identity and the VQ ceiling

Every part writes docs/ar/<part>.json and .md (the command is in each .md).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "ar"


def write(name: str, data: dict, markdown: str, command: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    data = {"command": command, "machine": f"{platform.machine()}, {torch.get_num_threads()} threads", **data}
    (OUT / f"{name}.json").write_text(json.dumps(data, indent=1) + "\n")
    (OUT / f"{name}.md").write_text(f"<!-- written by `{command}` -->\n\n{markdown}\n\nCommand: `{command}`\n")
    print(markdown)


def part_vq(args) -> None:
    from pixtask.core.geometry import center_square
    from pixtask.core.image_io import read_image, write_image
    from pixtask.data.benchmark import load_manifest
    from pixtask.evaluation.metrics import compute_metric
    from pixtask.models import from_pretrained
    from pixtask.models.vq import codebook_usage
    from pixtask.viz import image_grid

    vq = from_pretrained(args.vq)
    root = Path(args.bench)
    manifest = load_manifest(root)
    queries = [s for s in manifest["samples"] if s["role"] == "query"]
    psnr: dict[str, list[float]] = {"input": [], "target": []}
    codes, examples = [], []
    for s in queries:
        for side in ("input", "target"):
            img = center_square(read_image(root / s[side]), args.size)
            x = torch.from_numpy(img.transpose(2, 0, 1).copy())[None]
            with torch.no_grad():
                c = vq.encode(x)
                recon = vq.decode(c)[0].permute(1, 2, 0).numpy()
            codes.append(c.flatten())
            psnr[side].append(compute_metric("psnr", recon, img))
            if side == "target" and len(examples) < 6 and s["photo"] not in {e[0] for e in examples}:
                examples.append((s["photo"], img, recon))
    usage = codebook_usage(torch.cat(codes), vq.config.codebook_size)
    grid = image_grid([[img, rec] for _, img, rec in examples], col_labels=["target", "VQ reconstruction"], tile=128)
    write_image(OUT / "vq_reconstructions.png", grid, overwrite=True)
    data = {
        "vq": str(args.vq),
        "config": vq.config.__dict__,
        "images": len(codes),
        "psnr_target": round(float(np.mean(psnr["target"])), 3),
        "psnr_input": round(float(np.mean(psnr["input"])), 3),
        **{k: round(v, 4) for k, v in usage.items()},
    }
    md = (
        f"# VQ tokenizer ({args.vq})\n\n{vq.config.downsample}x downsampling, {vq.config.codebook_size} codes of "
        f"{vq.config.code_dim}-d; {len(queries)} queries of `{root}` (test photos), centre-cropped to "
        f"{args.size}x{args.size}.\n\n| images | PSNR (dB) |\n|---|---:|\n"
        f"| targets | {data['psnr_target']:.2f} |\n| degraded inputs | {data['psnr_input']:.2f} |\n\n"
        f"Codebook usage over these {len(codes)} images: {usage['used_fraction']:.1%} of the codes appear, "
        f"perplexity {usage['perplexity']:.1f} of {vq.config.codebook_size}.\n\n"
        "![reconstructions](vq_reconstructions.png)"
    )
    write("vq", data, md, f"python benchmarks/ar_tiny.py vq --vq {args.vq} --bench {args.bench}")


def part_speed(args) -> None:
    from pixtask.core.device import matmul_peak, resolve_device, resolve_precision
    from pixtask.models import from_pretrained
    from pixtask.models.ar.decoding import GenerationConfig, generate_block

    device = resolve_device(args.device)
    dtype = resolve_precision(device, "auto")
    model = from_pretrained(args.model).to(device)
    lm, cfg = model.lm, model.lm.config
    n_params = lm.non_embedding_parameters()
    seq, batch = args.seq, args.batch
    # FLOPs per trained token (PaLM's count): 6 x non-embedding params, the head's matmul, attention
    flops_per_token = 6 * n_params + 6 * cfg.dim * cfg.vocab_size + 12 * cfg.layers * cfg.dim * seq
    tokens = torch.randint(0, cfg.vocab_size, (batch, seq), device=device)
    opt = torch.optim.AdamW(lm.parameters(), lr=1e-4)
    lm.train()

    def step() -> None:
        with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
            logits = lm(tokens)
        loss = torch.nn.functional.cross_entropy(logits.float()[:, :-1].flatten(0, 1), tokens[:, 1:].flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()

    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for _ in range(2):
        step()
    sync()
    t = time.perf_counter()
    for _ in range(args.steps):
        step()
    sync()
    train_s = (time.perf_counter() - t) / args.steps
    tok_s = batch * seq / train_s
    peak = matmul_peak(dtype or torch.float32, device)
    mfu = tok_s * flops_per_token / peak
    lm.eval()
    grid = (model.config.grid, model.config.grid)
    codes = np.zeros(grid, dtype=np.int64)
    prompt = model.layout.prompt(codes, model.text_ids("the falling streaks of water fade away from the photo"))
    decode = {}
    for cached in (True, False):
        gen = GenerationConfig(use_cache=cached)
        generate_block(lm, model.layout, prompt, grid, gen)  # warm-up; fp32, as ARPipeline decodes
        times = []
        for _ in range(args.decode_reps):
            t = time.perf_counter()
            block = generate_block(lm, model.layout, prompt, grid, gen)
            sync()
            times.append(time.perf_counter() - t)
        decode["cache" if cached else "no_cache"] = {
            "seconds_per_image": round(float(np.median(times)), 4),
            "tokens_per_s": round(len(block) / float(np.median(times)), 1),
        }
    data = {
        "model": str(args.model),
        "device": str(device),
        "precision": str(dtype or "fp32"),
        "non_embedding_params": n_params,
        "train": {
            "batch": batch,
            "seq": seq,
            "s_per_step": round(train_s, 4),
            "tokens_per_s": round(tok_s, 1),
            "flops_per_token": flops_per_token,
            "matmul_peak_tflops": round(peak / 1e12, 3),
            "mfu": round(mfu, 4),
        },
        "decode": {"prompt_tokens": len(prompt), "block_tokens": len(block), **decode},
    }
    speedup = decode["no_cache"]["seconds_per_image"] / decode["cache"]["seconds_per_image"]
    md = (
        f"# Token-AR speed ({args.model}, {device}, {data['precision']})\n\n"
        f"{n_params / 1e6:.2f}M non-embedding parameters, d{cfg.dim}, {cfg.layers} layers, "
        f"vocabulary {cfg.vocab_size}.\n\n"
        f"| measure | value |\n|---|---:|\n"
        f"| training step ({batch} x {seq} tokens) | {train_s:.3f} s |\n"
        f"| training tokens/s | {tok_s:,.0f} |\n"
        f"| MFU (against a measured {peak / 1e12:.2f} TFLOP/s matmul) | {mfu:.1%} |\n"
        f"| decoding tokens/s, KV cache | {decode['cache']['tokens_per_s']:,.0f} |\n"
        f"| decoding tokens/s, no cache | {decode['no_cache']['tokens_per_s']:,.0f} |\n"
        f"| one 64x64 image ({len(block)} tokens after a {len(prompt)}-token prompt), cache / no cache | "
        f"{decode['cache']['seconds_per_image']:.2f} s / {decode['no_cache']['seconds_per_image']:.2f} s "
        f"({speedup:.1f}x) |"
    )
    write(
        "speed",
        data,
        md,
        f"python benchmarks/ar_tiny.py speed --model {args.model}"
        + (f" --device {args.device}" if args.device != "auto" else ""),
    )


def part_loss(args) -> None:
    """Output-block cross-entropy on training sequences vs held-out ones (unseen pairs told by
    held-out words): how far the model generalises beyond what it memorised."""
    from pixtask.data.tokens import TokenDataset, TokenManifest
    from pixtask.models import from_pretrained
    from pixtask.training.losses import next_token_loss

    model = from_pretrained(args.model)
    manifest = TokenManifest.read(args.tokens)
    data = TokenDataset(manifest, model.layout, max_len=model.config.max_seq_len, include_heldout=True)
    held = [i for i, h in enumerate(data.rows["heldout"]) if h]
    train = [i for i, h in enumerate(data.rows["heldout"]) if not h]
    rng = np.random.default_rng(0)
    out = {}
    for name, rows in (("train", train), ("heldout", held)):
        picked = rng.choice(rows, min(args.samples, len(rows)), replace=False)
        ces = {}
        for drop in (False, True):
            values = []
            for start in range(0, len(picked), 32):
                batch = data.collate([data[(int(i), drop)] for i in picked[start : start + 32]])
                with torch.no_grad():
                    _, ce, _ = next_token_loss(model(batch["tokens"]), batch["labels"])
                values.append(float(ce) * len(picked[start : start + 32]))
            ces["without words" if drop else "with words"] = round(sum(values) / len(picked), 4)
        out[name] = {"sequences": len(picked), **ces}
    md = (
        f"# ar-tiny: output-block cross-entropy, training vs held-out sequences\n\n"
        f"{args.samples} sequences of each kind from `{args.tokens}` (held out: pairs never trained on, told by "
        "held-out instruction templates). Without words: the same sequences with the instruction left out "
        "(the unconditional branch guidance reads).\n\n| sequences | with words | without words |\n|---|---:|---:|\n"
        + "".join(f"| {k} | {v['with words']:.3f} | {v['without words']:.3f} |\n" for k, v in out.items())
    )
    write(
        "loss",
        {"model": str(args.model), "tokens": str(args.tokens), **out},
        md,
        f"python benchmarks/ar_tiny.py loss --model {args.model} --tokens {args.tokens}",
    )


def part_compare(args) -> None:
    from rich.progress import Progress

    from pixtask.models.ar.decoding import GenerationConfig
    from pixtask.pipelines import load_pipeline
    from pixtask.studies.ar_comparison import Entry, compare, comparison_markdown

    ar = load_pipeline(args.model)
    greedy = load_pipeline(args.model, generation=GenerationConfig(temperature=0))
    tiny = load_pipeline("pixtask-tiny", tile=None).predictor()
    text = load_pipeline("pixtask-tiny-text", tile=None).predictor()
    entries = [
        Entry("ar-tiny, words (sampled)", ar.predictor(), "instruction"),
        Entry("ar-tiny, words (greedy)", greedy.predictor(), "instruction"),
        Entry("ar-tiny, training words (greedy)", greedy.predictor(), "instruction", split="train"),
        Entry("pixtask-tiny-text, words", text, "instruction"),
        Entry("pixtask-tiny-text, both", text, "both"),
        Entry("pixtask-tiny, example", tiny, "example"),
    ]
    tasks = set(args.tasks.split(",")) if args.tasks else None
    with Progress() as bar:
        job = bar.add_task("compare", total=None)
        result = compare(
            entries,
            args.bench,
            ar.model.vq,
            resize=ar.size,
            tasks=tasks,
            progress=lambda d, t, label="": bar.update(job, completed=d, total=t, description=label),
        )
    md = (
        f"# ar-tiny beside the GenLV models at {ar.size}x{ar.size}\n\n"
        f"`{args.bench}`: each task's queries, every image centre-cropped and shrunk to {ar.size}x{ar.size}. "
        "Words are the evaluator's held-out templates (instruction-level zero-shot for every model) unless "
        "the column says training words. Identity: the input as the answer; VQ ceiling: the target through "
        "ar-tiny's tokenizer. The GenLV models (pixtask-tiny, pixtask-tiny-text) were trained at 64x64 crops "
        "too, but of full-resolution degradations.\n\n" + comparison_markdown(result)
    )
    write(
        "compare",
        {"model": str(args.model), "bench": str(args.bench), **result},
        md,
        f"python benchmarks/ar_tiny.py compare --model {args.model} --bench {args.bench}",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", choices=["vq", "speed", "loss", "compare"])
    parser.add_argument("--vq", default="runs/ar/vq-tiny/model")
    parser.add_argument("--model", default="ar-tiny")
    parser.add_argument("--bench", default="/root/bench-zs")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seq", type=int, default=176)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--decode-reps", type=int, default=3)
    parser.add_argument("--tokens", default="runs/ar/tokens")
    parser.add_argument("--samples", type=int, default=512)
    parser.add_argument("--tasks", help="comma-separated task ids (default: all the benchmark's)")
    args = parser.parse_args()
    {"vq": part_vq, "speed": part_speed, "loss": part_loss, "compare": part_compare}[args.part](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
