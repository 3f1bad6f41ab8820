"""The token layout and the Uni-Rep sequence format of the token-autoregressive model.

One vocabulary holds special tokens, image-size tokens, the VQ codes and the BPE text tokens:

    0 <pad>  1 <bos>  2 <eot> (end of turn; also what generation stops at)
    3 <boi> (begin image)  4 <eoi> (end image)  5 <row> (end of an image row)
    6 ... 6+max_grid-1          SIZE_1 ... SIZE_max_grid (a grid side, in codes)
    code_offset ...             the codebook_size VQ codes
    text_offset ...             the text_vocab_size BPE tokens

An image block is ``<boi> SIZE_h SIZE_w (w codes <row>) x h <eoi>``, so any grid shape can be
read back without side information. A training sequence is

    <bos> [input image block] [instruction text] <eot> [output image block] <eot>

with the image first and the words after it, in training and inference alike (the official code
mixes both orders; shared/reference/explanatory-and-ar.md §6). Labels are ``IGNORE`` up to and
including the first ``<eot>``: the loss covers only the output block and its closing ``<eot>``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IGNORE = -100  # label of positions the loss skips (torch's cross-entropy default)
PAD, BOS, EOT, BOI, EOI, ROW = range(6)
SPECIAL_NAMES = ("<pad>", "<bos>", "<eot>", "<boi>", "<eoi>", "<row>")


class SequenceError(ValueError):
    """A token sequence that is not in the Uni-Rep format."""


@dataclass(frozen=True)
class TokenLayout:
    """Where each kind of token lives in the one vocabulary."""

    codebook_size: int
    text_vocab_size: int
    max_grid: int = 16

    @property
    def size_offset(self) -> int:
        return len(SPECIAL_NAMES)

    @property
    def code_offset(self) -> int:
        return self.size_offset + self.max_grid

    @property
    def text_offset(self) -> int:
        return self.code_offset + self.codebook_size

    @property
    def vocab_size(self) -> int:
        return self.text_offset + self.text_vocab_size

    def size_token(self, n: int) -> int:
        if not 1 <= n <= self.max_grid:
            raise SequenceError(f"grid side {n} is outside 1..{self.max_grid}")
        return self.size_offset + n - 1

    def is_code(self, token: int) -> bool:
        return self.code_offset <= token < self.text_offset

    def image_block(self, codes: np.ndarray) -> list[int]:
        """``<boi> SIZE_h SIZE_w`` then each row's codes and ``<row>``, then ``<eoi>``."""
        codes = np.asarray(codes)
        if codes.ndim != 2:
            raise SequenceError(f"an image block holds a 2-D grid of codes, got shape {codes.shape}")
        if codes.size and (codes.min() < 0 or codes.max() >= self.codebook_size):
            raise SequenceError(f"codes must be in 0..{self.codebook_size - 1}")
        h, w = codes.shape
        out = [BOI, self.size_token(h), self.size_token(w)]
        for row in codes:
            out.extend(int(c) + self.code_offset for c in row)
            out.append(ROW)
        out.append(EOI)
        return out

    def parse_image_block(self, tokens: list[int], start: int = 0) -> tuple[np.ndarray, int]:
        """The (h, w) code grid of the block starting at ``start``, and the index after it."""
        t = tokens
        if len(t) < start + 3 or t[start] != BOI:
            raise SequenceError(f"no <boi> at position {start}")
        h, w = (t[start + i] - self.size_offset + 1 for i in (1, 2))
        if not (1 <= h <= self.max_grid and 1 <= w <= self.max_grid):
            raise SequenceError(f"no size tokens after <boi> at position {start}")
        pos, rows = start + 3, []
        for r in range(h):
            row = t[pos : pos + w]
            if len(row) < w or not all(self.is_code(x) for x in row) or pos + w >= len(t) or t[pos + w] != ROW:
                raise SequenceError(f"image row {r} at position {pos} is not {w} codes and <row>")
            rows.append([x - self.code_offset for x in row])
            pos += w + 1
        if pos >= len(t) or t[pos] != EOI:
            raise SequenceError(f"no <eoi> at position {pos} after {h} rows")
        return np.asarray(rows, dtype=np.int64), pos + 1

    def text_tokens(self, ids: list[int]) -> list[int]:
        if any(not 0 <= i < self.text_vocab_size for i in ids):
            raise SequenceError(f"text ids must be in 0..{self.text_vocab_size - 1}")
        return [i + self.text_offset for i in ids]

    def prompt(self, input_codes: np.ndarray, text_ids: list[int]) -> list[int]:
        """What the model reads before it writes the output: ``<bos> image words <eot>``."""
        return [BOS, *self.image_block(input_codes), *self.text_tokens(text_ids), EOT]

    def sequence(
        self, input_codes: np.ndarray, text_ids: list[int], output_codes: np.ndarray
    ) -> tuple[list[int], list[int]]:
        """(tokens, labels) of a training sequence; labels are ``IGNORE`` over the prompt."""
        prompt = self.prompt(input_codes, text_ids)
        answer = [*self.image_block(output_codes), EOT]
        return prompt + answer, [IGNORE] * len(prompt) + answer

    def parse(self, tokens: list[int]) -> tuple[np.ndarray, list[int], np.ndarray | None]:
        """(input codes, text ids, output codes or None) of a sequence or a prompt."""
        tokens = [int(t) for t in tokens]
        if not tokens or tokens[0] != BOS:
            raise SequenceError("a sequence starts with <bos>")
        input_codes, pos = self.parse_image_block(tokens, 1)
        try:
            end = tokens.index(EOT, pos)
        except ValueError:
            raise SequenceError("no <eot> after the instruction") from None
        text = [t - self.text_offset for t in tokens[pos:end]]
        if any(t < 0 for t in text):
            raise SequenceError(f"non-text tokens between the input image and <eot> (positions {pos}..{end})")
        if end + 1 == len(tokens):
            return input_codes, text, None
        output_codes, pos = self.parse_image_block(tokens, end + 1)
        if tokens[pos:] != [EOT]:
            raise SequenceError(f"the output block must be followed by one <eot> and nothing else (position {pos})")
        return input_codes, text, output_codes

    @staticmethod
    def block_length(h: int, w: int) -> int:
        """Tokens of an image block: <boi>, two sizes, h rows of w codes and <row>, <eoi>."""
        return 4 + h * (w + 1)

    @staticmethod
    def sequence_length(h: int, w: int, text: int) -> int:
        """Tokens of a training sequence with two h x w images and ``text`` instruction tokens."""
        return 2 * TokenLayout.block_length(h, w) + text + 3  # <bos> and two <eot>
