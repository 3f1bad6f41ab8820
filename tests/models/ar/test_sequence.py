"""The Uni-Rep sequence format: blocks, prompts and training sequences round-trip, and bad ones are refused."""

from __future__ import annotations

import numpy as np
import pytest

from pixtask.models.ar.sequence import BOI, BOS, EOI, EOT, IGNORE, ROW, SequenceError, TokenLayout

LAYOUT = TokenLayout(codebook_size=16, text_vocab_size=50, max_grid=8)


def test_layout_ranges_do_not_overlap():
    assert (LAYOUT.size_offset, LAYOUT.code_offset, LAYOUT.text_offset, LAYOUT.vocab_size) == (6, 14, 30, 80)
    assert LAYOUT.size_token(1) == 6 and LAYOUT.size_token(8) == 13
    with pytest.raises(SequenceError, match=r"outside 1\.\.8"):
        LAYOUT.size_token(9)


def test_image_block_layout_by_hand():
    codes = np.array([[0, 1, 2], [3, 4, 15]])
    c = LAYOUT.code_offset
    assert LAYOUT.image_block(codes) == [BOI, 7, 8, c, c + 1, c + 2, ROW, c + 3, c + 4, c + 15, ROW, EOI]
    assert LAYOUT.block_length(2, 3) == 12


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (8, 8), (5, 2)])
def test_sequence_round_trip(shape):
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 16, shape), rng.integers(0, 16, shape)
    text = [0, 7, 49]
    tokens, _labels = LAYOUT.sequence(a, text, b)
    got_a, got_text, got_b = LAYOUT.parse(tokens)
    np.testing.assert_array_equal(got_a, a)
    np.testing.assert_array_equal(got_b, b)
    assert got_text == text
    assert tokens[0] == BOS and tokens[-1] == EOT
    assert len(tokens) == 3 + 2 * LAYOUT.block_length(*shape) + len(text)


def test_labels_cover_only_the_output_block_and_its_eot():
    a, b = np.zeros((2, 2), int), np.ones((2, 2), int)
    tokens, labels = LAYOUT.sequence(a, [3, 4], b)
    prompt = LAYOUT.prompt(a, [3, 4])
    assert prompt[-1] == EOT and tokens[: len(prompt)] == prompt
    assert labels[: len(prompt)] == [IGNORE] * len(prompt)
    assert labels[len(prompt) :] == tokens[len(prompt) :] == [*LAYOUT.image_block(b), EOT]


def test_image_first_then_words_in_prompts():
    """One order in training and inference: <bos>, the input image, the words, <eot>."""
    a = np.zeros((1, 1), int)
    prompt = LAYOUT.prompt(a, [5])
    assert prompt == [BOS, BOI, 6, 6, LAYOUT.code_offset, ROW, EOI, LAYOUT.text_offset + 5, EOT]
    assert LAYOUT.parse(prompt)[2] is None


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t[1:], "starts with <bos>"),
        (lambda t: [*t[:5], LAYOUT.text_offset, *t[6:]], "image row 0"),
        (lambda t: [x for i, x in enumerate(t) if i != 9], "image row|<eoi>"),
        (lambda t: [*t, EOT], "followed by one <eot>"),
    ],
)
def test_malformed_sequences_are_refused(mutate, message):
    tokens, _ = LAYOUT.sequence(np.zeros((2, 2), int), [1], np.zeros((2, 2), int))
    with pytest.raises(SequenceError, match=message):
        LAYOUT.parse(mutate(list(tokens)))


def test_out_of_range_codes_and_text_are_refused():
    with pytest.raises(SequenceError, match=r"codes must be in 0\.\.15"):
        LAYOUT.image_block(np.array([[16]]))
    with pytest.raises(SequenceError, match="text ids"):
        LAYOUT.prompt(np.zeros((1, 1), int), [50])
