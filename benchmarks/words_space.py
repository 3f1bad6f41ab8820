"""Where do the words get lost? Scores a CondNAFNet told in the user phrasings on the
quality-per-CPU-hour subset (20 trained restoration and enhancement tasks, level 3, 8 test
photos at 128 px) four ways:

- **words**: as the model reads them (MiniLM, then its trained text MLP);
- **task prototype** (a ceiling for any reading of the words): each query told the mean condition
  vector of its own task's example pairs, cut from *training* photos;
- **retrieval in MiniLM space**: no text MLP; the words' MiniLM embedding is compared with
  training-template instructions of the 20 tasks (cosine, centred), a softmax at temperature
  ``--tau`` weighs the tasks, and the query is told the weighted mix of their prototypes;
- and how often a phrasing's nearest task centroid is its own task, in MiniLM space and in the
  space of the model's text branch.

    python benchmarks/words_space.py --model pixtask-naf-base
    python benchmarks/words_space.py --model pixtask-naf-base --words user-blind --out docs/words_space_blind.md

Needs the subset (``python benchmarks/quality_per_cpu_hour.py`` builds out/bench-cpu-hour) and the
Debian photos (``make debian-photos``). Writes docs/words_space.md and .json (``--words user-blind``:
docs/words_space_blind.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
import yaml

from pixtask.core.condition import Condition
from pixtask.core.image_io import read_image
from pixtask.core.output_plan import as_typed
from pixtask.core.seeding import rng_for
from pixtask.data.benchmark import Benchmark
from pixtask.data.crops import PairSampler
from pixtask.data.photos import resolve_photos
from pixtask.data.task_instructions import describe_task
from pixtask.evaluation.controls import SPLIT_WORDS
from pixtask.evaluation.evaluator import query_instruction
from pixtask.evaluation.metrics import psnr
from pixtask.instructions.user_phrasings import SETS, user_phrasings
from pixtask.models import from_pretrained
from pixtask.models.cond_nafnet import ConditionVector
from pixtask.models.condition_encoder import ConditionEncoder
from pixtask.models.text_encoder import TextEncoder
from pixtask.tasks import get_task

ROOT = Path(__file__).resolve().parents[1]
TASKS = yaml.safe_load((ROOT / "configs/shipped-tiny-text.yaml").read_text())["data"]["tasks"][:20]
PER_TASK = 24  # training pairs (each with its own template instruction) per task
WAYS = ("words", "task prototype", "retrieval in MiniLM space")
BRANCH = "model's text branch"


def unit(x: torch.Tensor, centre: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.normalize(x - centre, dim=-1)


class Probe:
    """The model's condition space, its text branch, and the training pairs' anchors."""

    def __init__(self, model_name: str, seed: int) -> None:
        self.model = from_pretrained(model_name).eval()
        if not isinstance(getattr(self.model, "text_encoder", None), torch.nn.Module):
            raise SystemExit(f"{model_name} is not a CondNAFNet that reads words")
        self.encoder = ConditionEncoder(self.model.config, "cpu")
        self.minilm = TextEncoder()
        photos = [p for p in resolve_photos("all") if p.split == "train"]
        sampler = PairSampler(photos, crop=128, max_side=512)
        texts, labels, vectors = [], [], []
        for t, task_id in enumerate(TASKS):
            task = get_task(task_id)
            for i in range(PER_TASK):
                rng = rng_for(seed, "words-space", task_id, i)
                level = (1, 3, 5)[i % 3] if task.levels else None
                crop = sampler.sample(task, rng, level)
                texts.append(describe_task(task_id, crop.params, rng, level=level).text)
                labels.append(t)
                vectors.append(self.vector(Condition(prompt=(crop.input, crop.target))))
        self.labels = torch.tensor(labels)
        self.prototypes = torch.stack([torch.cat(vectors)[self.labels == t].mean(0) for t in range(len(TASKS))])
        pooled = self.minilm.pooled(texts)
        self.centre = pooled.mean(0)
        self.keys = unit(pooled, self.centre)
        with torch.inference_mode():
            branch = self.model.read_words(pooled).float()
        self.branch_centre = branch.mean(0)
        self.branch_centroids = torch.stack(
            [unit(branch, self.branch_centre)[self.labels == t].mean(0) for t in range(len(TASKS))]
        )
        self.minilm_centroids = torch.stack([self.keys[self.labels == t].mean(0) for t in range(len(TASKS))])

    @torch.inference_mode()
    def vector(self, condition: Condition) -> torch.Tensor:
        return self.model.encode_condition(self.encoder(condition)).vector.float()

    def retrieved(self, words: str, tau: float) -> torch.Tensor:
        sims = self.keys @ unit(self.minilm.pooled([words])[0], self.centre)
        weights = torch.zeros(len(TASKS)).index_add_(0, self.labels, torch.softmax(sims / tau, 0))
        return (weights @ self.prototypes)[None]

    @torch.inference_mode()
    def run(self, image: np.ndarray, vector: torch.Tensor) -> np.ndarray:
        x = torch.from_numpy(image.transpose(2, 0, 1))[None]
        y = self.model(x, encoded=ConditionVector(vector.to(self.model.intro.weight.dtype)))
        return y[0].float().clamp(0, 1).permute(1, 2, 0).numpy()

    def nearest_task_right(self, phrasings: str) -> dict[str, float]:
        right = {"MiniLM": 0, BRANCH: 0, "phrasings": 0}
        anchors = getattr(self.model.config, "word_anchors", [])
        gates = []
        for t, task_id in enumerate(TASKS):
            words = list(user_phrasings(phrasings)[task_id].forward)
            pooled = self.minilm.pooled(words)
            with torch.inference_mode():
                branch = self.model.read_words(pooled).float()
            right["MiniLM"] += int(((unit(pooled, self.centre) @ self.minilm_centroids.T).argmax(1) == t).sum())
            near = (unit(branch, self.branch_centre) @ self.branch_centroids.T).argmax(1)
            right[BRANCH] += int((near == t).sum())
            right["phrasings"] += len(words)
            if anchors:  # the words' router: which anchor it routes to, and how far its gate opens
                router = self.model.text_router
                with torch.inference_mode():
                    routed = [anchors[i] for i in router.route(pooled).argmax(1).tolist()]
                    gates += torch.sigmoid(router.gate(pooled)).flatten().tolist()
                right["router"] = right.get("router", 0) + sum(r == task_id for r in routed)
        if gates:
            right["mean gate"] = round(float(np.mean(gates)), 3)
        return right


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="pixtask-naf-base")
    parser.add_argument("--bench", type=Path, default=ROOT / "out/bench-cpu-hour")
    parser.add_argument("--tau", type=float, default=0.02, help="softmax temperature of the retrieval")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--words", choices=list(SETS), default="user", help="which user-phrasing set tells the queries")
    parser.add_argument("--out", type=Path, help="default: docs/words_space.md (user-blind: _blind.md)")
    args = parser.parse_args(argv)
    default_out = Path({"user": "docs/words_space.md", "user-blind": "docs/words_space_blind.md"}[args.words])
    args.out = args.out or ROOT / default_out
    if not (args.bench / "manifest.json").is_file():
        parser.error(f"{args.bench}: no benchmark; run benchmarks/quality_per_cpu_hour.py first")
    torch.manual_seed(args.seed)
    probe = Probe(args.model, args.seed)
    scores: dict[str, dict[str, list[float]]] = {}
    for (task_id, _), queries in Benchmark.open(args.bench).groups(set(TASKS)).items():
        row = scores.setdefault(task_id, {way: [] for way in ("identity", *WAYS)})
        for q in queries:
            x, y = read_image(q.input), read_image(q.target)
            words = query_instruction(q, args.words)
            told = {
                "words": probe.vector(Condition(instruction=words)),
                "task prototype": probe.prototypes[TASKS.index(task_id)][None],
                "retrieval in MiniLM space": probe.retrieved(words, args.tau),
            }
            row["identity"].append(psnr(x, y))
            for way, vector in told.items():
                row[way].append(psnr(probe.run(x, vector), y))
    table = {task: {way: round(float(np.mean(v)), 2) for way, v in row.items()} for task, row in scores.items()}
    means = {way: round(float(np.mean([r[way] for r in table.values()])), 2) for way in ("identity", *WAYS)}
    right = probe.nearest_task_right(args.words)
    command = f"python benchmarks/words_space.py --model {args.model}" + (
        f" --tau {args.tau}" if args.tau != 0.02 else ""
    )
    if args.words != "user":
        command += f" --words {args.words}"
    if (shown := as_typed(args.out, ROOT)) != default_out:
        command += f" --out {shown}"
    lines = [
        f"# Where the words get lost: {args.model}",
        "",
        f"Measured by `{command}`: the 20 trained restoration and enhancement tasks, level 3, 8 test photos",
        f"at 128 px (the subset of [cpu_hour.md](cpu_hour.md)), told in the `{args.words}` phrasings "
        f"({SPLIT_WORDS[args.words]}). Mean PSNR in dB.",
        "",
        "| told | mean over the 20 tasks |",
        "|---|---:|",
        *[f"| {way} | {value:.2f} |" for way, value in means.items()],
        "",
        f"A phrasing's nearest task centroid (of {PER_TASK} training-template instructions per task) is its own task",
        f"for {right['MiniLM']} of {right['phrasings']} phrasings in MiniLM space and for "
        f"{right[BRANCH]} in the model's text branch."
        + (
            f" The words' router names its own task for {right['router']}; its gate gives the routed anchors "
            f"a mean weight of {right['mean gate']}."
            if "router" in right
            else ""
        ),
        "",
        "| task | " + " | ".join(("identity", *WAYS)) + " |",
        "|---|" + "---:|" * (1 + len(WAYS)),
        *[
            f"| {task} | " + " | ".join(f"{row[w]:.2f}" for w in ("identity", *WAYS)) + " |"
            for task, row in table.items()
        ],
        "",
    ]
    args.out.write_text("\n".join(lines))
    args.out.with_suffix(".json").write_text(
        json.dumps({"words": args.words, "means": means, "tasks": table, "nearest_task": right}, indent=1)
    )
    print("\n".join(lines[5:12]))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
