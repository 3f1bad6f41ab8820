"""Training requests as people type them: a fifth held out, and none seen by evaluation."""

from __future__ import annotations

import pytest

from pixtask.instructions.people_requests import people_requests, tasks_with_requests
from pixtask.instructions.user_phrasings import SETS, user_phrasings
from pixtask.training.config import load_config
from tests.instructions.wording import grams, spaced_words


def _all_requests() -> list[str]:
    return [
        r
        for task in tasks_with_requests()
        for direction in ("forward", "backward")
        for split in ("train", "heldout")
        for r in people_requests(task, direction, split)
    ]


def test_the_twenty_trained_restoration_and_enhancement_tasks_have_requests_a_fifth_held_out():
    trained = load_config("configs/shipped-tiny-text.yaml").data.tasks[:20]
    assert list(tasks_with_requests()) == trained
    for task in trained:
        train, held = people_requests(task), people_requests(task, split="heldout")
        assert len(train) >= 10 and len(held) == (len(train) + len(held)) // 5, task
        assert not set(train) & set(held)
        assert people_requests(task, "backward")  # the opposite change too
    assert people_requests("cartoon") == ()
    # the split is by position: the 5th line of a list is held out, the 4th is not
    assert people_requests("derain", split="heldout")[0] not in people_requests("derain")


@pytest.mark.parametrize("words", SETS)
def test_no_evaluation_phrasing_shares_words_with_a_request(words):
    """Evaluation never sees a training sentence: no four-word run in common, and neither
    stands whole inside the other (a short request like "make it darker" included)."""
    phrasings = [t for p in user_phrasings(words).values() for t in p.forward + p.backward]
    evaluation_grams = set().union(*(grams(t) for t in phrasings))
    for request in _all_requests():
        assert not grams(request) & evaluation_grams, request
        assert not any(
            spaced_words(request) in spaced_words(t) or spaced_words(t) in spaced_words(request) for t in phrasings
        ), request
