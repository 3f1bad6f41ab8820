"""Pre-tokenized triplets for the token-AR model, and length-clustered batches of them.

``pretokenize`` reads triplet shards (``pixtask data build``), shrinks both images to the
model's square side (:func:`~pixtask.core.geometry.center_square`), encodes them with a trained VQ
tokenizer, trains the BPE on the training-split instructions, and writes one Parquet file of
segments (input codes, instruction ids, output codes) with each sequence's length. Storing
segments rather than finished sequences lets training drop the instruction (for classifier-free
guidance) without re-tokenizing. The folder also holds the BPE (tokenizer.json) and a copy of
the VQ model, so it is self-contained: training needs only this folder.

Batches are clustered by length: each epoch is shuffled, cut into windows of ``window``
batches, sorted by length inside a window, cut into batches, and the batches shuffled. Batch
``g`` of the stream depends only on the seed and ``g``, so a resumed run sees the same batches.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from pixtask.core.atomic_write import atomic_target, write_bytes_atomic
from pixtask.core.geometry import center_square
from pixtask.core.guards import check_number, check_text, read_json_file
from pixtask.core.output_plan import plan_folder
from pixtask.core.seeding import rng_for
from pixtask.models.ar.sequence import PAD, TokenLayout
from pixtask.models.ar.text_tokenizer import FILE_NAME, TextTokenizer
from pixtask.models.hub import from_pretrained, resolve_model_folder, save_pretrained
from pixtask.models.vq import VQTokenizer

MANIFEST = "pixtask_tokens.json"
TABLE = "tokens.parquet"
VQ_DIR = "vq"
#: Bounds of the options: the square side the images are shrunk to, the BPE vocabulary (at
#: least the 256 byte symbols of a byte-level BPE) and records encoded at once.
MAX_IMAGE_SIZE = 1024
MIN_BPE_VOCAB, MAX_BPE_VOCAB = 256, 65536
MAX_BATCH = 4096


@dataclass
class TokenManifest:
    root: Path
    image_size: int
    vq_source: str
    count: int
    source: str

    @classmethod
    def read(cls, folder: str | Path) -> TokenManifest:
        root = Path(folder)
        path = root / MANIFEST
        if not path.is_file():
            raise FileNotFoundError(f"{root}: no {MANIFEST}; not a folder written by `pixtask data tokenize`")
        raw = read_json_file(path, max_bytes=1024 * 1024)
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: must be a JSON object, got {type(raw).__name__}")
        missing = [k for k in ("image_size", "vq", "count", "source") if k not in raw]
        if missing:
            raise ValueError(f"{path}: missing {', '.join(map(repr, missing))}; write the folder again")
        check_number(raw["image_size"], f"{path}: image_size", low=1, high=MAX_IMAGE_SIZE, integer=True)
        check_number(raw["count"], f"{path}: count", low=0, integer=True)
        for key in ("vq", "source"):
            check_text(raw[key], f"{path}: {key}", max_chars=4096)
        return cls(root, raw["image_size"], raw["vq"], raw["count"], raw["source"])

    @property
    def vq_folder(self) -> Path:
        return self.root / VQ_DIR

    def text_tokenizer(self) -> TextTokenizer:
        return TextTokenizer.load(self.root / FILE_NAME)


def _encode_batch(vq: VQTokenizer, images: list[np.ndarray]) -> np.ndarray:
    x = torch.from_numpy(np.stack(images).transpose(0, 3, 1, 2)).float()
    return vq.encode(x).numpy().astype(np.int16)


def pretokenize(
    triplets: str | Path,
    vq: str | Path,
    out: str | Path,
    *,
    image_size: int = 64,
    bpe_vocab: int = 1024,
    batch: int = 64,
    progress: Callable[[int], None] | None = None,
) -> TokenManifest:
    """Tokenize every record of the triplet folder ``triplets`` into ``out``, a new or empty
    folder (one that holds anything, a tokenization or not, is refused before any work)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pixtask.data.triplets import iter_triplets, read_config

    check_number(image_size, "image_size", low=1, high=MAX_IMAGE_SIZE, integer=True)
    check_number(bpe_vocab, "bpe_vocab", low=MIN_BPE_VOCAB, high=MAX_BPE_VOCAB, integer=True)
    check_number(batch, "batch", low=1, high=MAX_BATCH, integer=True)
    out = Path(out)
    if (out / MANIFEST).exists():
        raise FileExistsError(f"{out}: holds a tokenization already; choose another --out")
    read_config(triplets)  # a clear error for a folder that is not a build
    vq_folder = resolve_model_folder(vq)
    plan_folder(out, inputs=[triplets, vq_folder], hint="give a new folder")
    model = from_pretrained(vq_folder)
    if not isinstance(model, VQTokenizer):
        raise ValueError(f"{vq}: a {type(model).__name__}, not a VQ tokenizer")
    if image_size % model.downsample:
        raise ValueError(f"image_size: {image_size} is not a multiple of {vq}'s {model.downsample}x downsampling")
    records = []
    for record in iter_triplets(triplets):
        records.append(record)
    if not records:
        raise ValueError(f"{triplets}: no records")
    # the BPE sees training-split words only: held-out words stay unseen, even as merges
    tokenizer = TextTokenizer.train([r["instruction"] for r in records if not r["heldout"]], bpe_vocab)
    rows: dict[str, list] = {
        k: []
        for k in (
            "key",
            "task",
            "level",
            "direction",
            "heldout",
            "instruction",
            "input_codes",
            "output_codes",
            "text_ids",
            "grid",
            "length",
        )
    }
    for start in range(0, len(records), batch):
        chunk = records[start : start + batch]
        ins = _encode_batch(model, [center_square(r["input"], image_size) for r in chunk])
        outs = _encode_batch(model, [center_square(r["output"], image_size) for r in chunk])
        for r, a, b in zip(chunk, ins, outs, strict=True):
            ids = tokenizer.encode(r["instruction"])
            h, w = a.shape
            rows["key"].append(r["key"])
            rows["task"].append(r["task"])
            rows["level"].append(r["level"])
            rows["direction"].append(r["direction"])
            rows["heldout"].append(bool(r["heldout"]))
            rows["instruction"].append(r["instruction"])
            rows["input_codes"].append(a.flatten().tolist())
            rows["output_codes"].append(b.flatten().tolist())
            rows["text_ids"].append(ids)
            rows["grid"].append([h, w])
            rows["length"].append(TokenLayout.sequence_length(h, w, len(ids)))
        if progress:
            progress(min(start + batch, len(records)))
    out.mkdir(parents=True, exist_ok=True)
    # still empty: no other process wrote there meanwhile
    plan_folder(out, inputs=[triplets, vq_folder], hint="give a new folder")
    with atomic_target(out / TABLE, overwrite=False) as tmp:
        pq.write_table(pa.table(rows), tmp)
    write_bytes_atomic(out / FILE_NAME, tokenizer.to_json().encode("utf-8"), overwrite=False)
    save_pretrained(model, out / VQ_DIR)
    manifest = {
        "format": "pixtask-tokens/1",
        "image_size": image_size,
        "vq": str(vq),
        "count": len(records),
        "source": str(triplets),
        "bpe_vocab": tokenizer.vocab_size,
        "codebook_size": model.config.codebook_size,
    }
    write_bytes_atomic(out / MANIFEST, json.dumps(manifest, indent=1).encode(), overwrite=False)
    return TokenManifest.read(out)


class TokenDataset(Dataset):
    """``dataset[(record, drop)]`` -> {"tokens", "labels"} of one sequence; ``drop`` leaves
    the instruction out (instruction dropout, so that guidance is trained).

    :meth:`batches` turns the trainer's stream of sample indices into length-clustered batches
    of such keys, and :meth:`collate` pads them."""

    def __init__(
        self,
        manifest: TokenManifest,
        layout: TokenLayout,
        *,
        max_len: int,
        seed: int = 0,
        instruction_dropout: float = 0.1,
        window: int = 32,
        include_heldout: bool = False,
    ) -> None:
        import pyarrow.parquet as pq

        table = pq.read_table(manifest.root / TABLE).to_pydict()
        keep = [i for i, h in enumerate(table["heldout"]) if include_heldout or not h]
        self.rows = {k: [v[i] for i in keep] for k, v in table.items()}
        self.lengths = np.asarray(self.rows["length"], dtype=np.int64)
        too_long = int((self.lengths > max_len).sum())
        if too_long:  # never truncate: a cut sequence loses the end of its output image
            raise ValueError(
                f"{manifest.root}: {too_long} sequences exceed the model's max_seq_len {max_len}; "
                "raise model_overrides.max_seq_len"
            )
        self.layout, self.seed, self.window = layout, seed, window
        self.instruction_dropout = instruction_dropout
        self.tasks = sorted(set(self.rows["task"]))
        self._epochs: dict[tuple[int, int], list[list[int]]] = {}

    def __len__(self) -> int:
        return len(self.lengths)

    def sequence(self, record: int, drop: bool = False) -> tuple[list[int], list[int]]:
        h, w = self.rows["grid"][record]
        a = np.asarray(self.rows["input_codes"][record]).reshape(h, w)
        b = np.asarray(self.rows["output_codes"][record]).reshape(h, w)
        text = [] if drop else self.rows["text_ids"][record]
        return self.layout.sequence(a, text, b)

    def __getitem__(self, key: tuple[int, bool]) -> dict:
        record, drop = key
        tokens, labels = self.sequence(int(record), bool(drop))
        return {"tokens": tokens, "labels": labels}

    @staticmethod
    def collate(items: list[dict]) -> dict:
        n = max(len(i["tokens"]) for i in items)
        tokens = torch.full((len(items), n), PAD, dtype=torch.long)
        labels = torch.full((len(items), n), -100, dtype=torch.long)
        for row, item in enumerate(items):
            tokens[row, : len(item["tokens"])] = torch.tensor(item["tokens"])
            labels[row, : len(item["labels"])] = torch.tensor(item["labels"])
        return {"tokens": tokens, "labels": labels}

    def _epoch_batches(self, epoch: int, batch_size: int) -> list[list[int]]:
        if (epoch, batch_size) not in self._epochs:
            self._epochs = {(epoch, batch_size): self._cluster(epoch, batch_size)}  # one epoch kept
        return self._epochs[epoch, batch_size]

    def _cluster(self, epoch: int, batch_size: int) -> list[list[int]]:
        rng = rng_for(self.seed, "token-batches", epoch)
        order = rng.permutation(len(self))
        span = batch_size * self.window
        batches = []
        for start in range(0, len(order) - batch_size + 1, span):
            window = order[start : start + span]
            window = window[np.argsort(self.lengths[window], kind="stable")]
            batches += [window[i : i + batch_size].tolist() for i in range(0, len(window) - batch_size + 1, batch_size)]
        return [batches[i] for i in rng.permutation(len(batches))]

    def batch(self, g: int, batch_size: int) -> list[tuple[int, bool]]:
        """Global batch ``g`` of the stream: record indices and their dropout draws."""
        per_epoch = len(self) // batch_size
        if per_epoch == 0:
            raise ValueError(f"{len(self)} sequences cannot fill a batch of {batch_size}")
        epoch, i = divmod(g, per_epoch)
        records = self._epoch_batches(epoch, batch_size)[i]
        rng = rng_for(self.seed, "instruction-dropout", g)
        return [(r, bool(d)) for r, d in zip(records, rng.random(len(records)) < self.instruction_dropout, strict=True)]

    def batches(self, order: list[int], batch_size: int) -> list[list[tuple[int, bool]]]:
        """The trainer's index stream (``batch_size`` consecutive indices per batch) as batches."""
        return [self.batch(order[i] // batch_size, batch_size) for i in range(0, len(order), batch_size)]
