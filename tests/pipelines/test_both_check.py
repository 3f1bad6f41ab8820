"""Told both ways, the pipeline keeps the way (example or words) whose output best redoes the
example pair, and tells the photo that way alone; ``both="fuse"`` gives the network both."""

from __future__ import annotations

import numpy as np
import pytest

from pixtask.models import from_pretrained
from pixtask.pipelines import GenLVPipeline

DARKER = "the whole photo turns much darker, as if the light were dimmed"


@pytest.fixture(scope="module")
def model():
    return from_pretrained("pixtask-naf-base")


@pytest.fixture(scope="module")
def pipe(model):
    return GenLVPipeline(model, device="cpu", precision="fp32")


@pytest.fixture(scope="module")
def photos(photo_128, photo_128_b):
    return photo_128[:64, :64].copy(), photo_128_b[:64, :64].copy()


def test_words_kept_when_they_redo_the_example(pipe, photos):
    example, query = photos
    target = pipe(example, instruction=DARKER).array  # the pair the words make: they redo it exactly
    out = pipe(query, (example, target), instruction=DARKER)
    assert (out.told, out.way) == ("both", "instruction")
    np.testing.assert_allclose(out.array, pipe(query, instruction=DARKER).array, atol=1e-6)


def test_example_kept_when_the_words_are_for_another_task(pipe, photos):
    clean, query = photos
    noisy = np.clip(clean + np.random.default_rng(0).normal(0, 0.1, clean.shape), 0, 1).astype(np.float32)
    noisy_query = np.clip(query + np.random.default_rng(1).normal(0, 0.1, query.shape), 0, 1).astype(np.float32)
    out = pipe(noisy_query, (noisy, clean), instruction=DARKER)
    assert (out.told, out.way) == ("both", "example")
    np.testing.assert_allclose(out.array, pipe(noisy_query, (noisy, clean)).array, atol=1e-6)
    redone = {
        way: pipe(noisy, **told).array
        for way, told in (("example", {"prompt": (noisy, clean)}), ("instruction", {"instruction": DARKER}))
    }
    errors = {way: float(np.square(a - clean).mean()) for way, a in redone.items()}
    assert errors["example"] < errors["instruction"]  # the rule the choice followed


def test_fuse_gives_the_network_both(model, pipe, photos):
    example, query = photos
    target = pipe(example, instruction=DARKER).array
    fusing = GenLVPipeline(model, device="cpu", precision="fp32", both="fuse")
    fused = fusing(query, (example, target), instruction=DARKER)
    assert (fused.told, fused.way) == ("both", "both")
    assert np.abs(fused.array - pipe(query, instruction=DARKER).array).max() > 0.01  # not the words alone
    one_way = pipe(query, (example, target))
    assert one_way.way == "example" == one_way.told


def test_unknown_policy_is_refused(model):
    with pytest.raises(ValueError, match="both must be one of check, fuse, got 'mix'"):
        GenLVPipeline(model, device="cpu", precision="fp32", both="mix")


def test_example_of_any_size_or_kind_is_checked_on_its_own_pixels(pipe, photos):
    """A 50x70 example is padded to the network's multiple for the check; tensors as well as
    arrays; the choice does not depend on the padding (the error is measured on the example)."""
    import torch

    example, query = photos
    target = pipe(example[:50, :60], instruction=DARKER).array
    out = pipe(query, (example[:50, :60], target), instruction=DARKER)
    assert out.way == "instruction"
    as_tensors = tuple(torch.from_numpy(a.transpose(2, 0, 1).copy())[None] for a in (example[:50, :60], target))
    assert pipe(query, as_tensors, instruction=DARKER).way == "instruction"


def test_the_check_is_asked_once_for_many_photos(pipe, photos):
    from pixtask.core.condition import Condition

    example, query = photos
    target = pipe(example, instruction=DARKER).array
    condition, way = pipe.way_for(Condition(prompt=(example, target), instruction=DARKER))
    assert way == "instruction" and condition.mode == "instruction" and condition.prompt is None
    assert pipe.way_for(condition) == (condition, "instruction")  # one way: nothing left to check
    np.testing.assert_allclose(pipe(query, condition=condition).array, pipe(query, instruction=DARKER).array)


def test_a_genlv_model_reading_words_is_checked_too(photos):
    text = GenLVPipeline.from_pretrained("pixtask-tiny-text", device="cpu", precision="fp32")
    example, query = photos
    target = text(example, instruction=DARKER).array
    out = text(query, (example, target), instruction=DARKER)
    assert (out.told, out.way) == ("both", "instruction")


def test_the_example_is_never_scored_on_the_pixels_that_told_it(pipe, photos, monkeypatch):
    """Told by example, the check redoes each half of the pair told by the other half only
    (scored on its own pair, the example way was favoured); the error still covers the whole
    pair, and a pair too narrow to halve is redone told by itself."""
    import torch

    from pixtask.core.condition import Condition

    example = photos[0]
    src = torch.from_numpy(example.transpose(2, 0, 1).copy())[None]
    calls = []

    def redo(part, told):  # an identity network that records what it was shown and told
        calls.append((part, *(t[..., : part.shape[-2], : part.shape[-1]] for t in told.prompt)))
        return part

    monkeypatch.setattr(pipe, "_redo", redo)
    for pair, axis in ((src, -1), (src[..., :64, :40], -2)):  # cut along the longer side
        calls.clear()
        shown, wanted = pair, pair * 0.5
        error = pipe._redo_error(Condition(prompt=(shown, wanted)), shown, wanted)
        assert error == pytest.approx(float((shown - wanted).square().mean()), rel=1e-6)
        cut = shown.shape[axis] // 2
        halves = [(t.narrow(axis, 0, cut), t.narrow(axis, cut, t.shape[axis] - cut)) for t in (shown, wanted)]
        (second, by_first_in, by_first_out), (first, by_second_in, by_second_out) = calls
        assert torch.equal(second, halves[0][1]) and torch.equal(first, halves[0][0])
        assert torch.equal(by_first_in, halves[0][0]) and torch.equal(by_first_out, halves[1][0])
        assert torch.equal(by_second_in, halves[0][1]) and torch.equal(by_second_out, halves[1][1])
    calls.clear()
    narrow = src[..., : pipe.multiple + 2, : pipe.multiple + 2]  # halves under the size multiple
    pipe._redo_error(Condition(prompt=(narrow, narrow)), narrow, narrow)
    [(shown, told_in, told_out)] = calls
    assert torch.equal(shown, narrow) and torch.equal(told_in, narrow) and torch.equal(told_out, narrow)
