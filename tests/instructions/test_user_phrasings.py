"""The user-phrasing sets: how people ask, kept apart from everything training reads."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from pixtask.instructions.asks import ASKS
from pixtask.instructions.engine import _part, _slots
from pixtask.instructions.user_phrasings import SETS, check_covered, user_phrasing, user_phrasings
from pixtask.training.config import load_config
from tests.instructions.wording import grams, spaced_words

SHIPPED_TEXT_CONFIG = "configs/shipped-tiny-text.yaml"


@pytest.mark.parametrize("words", SETS)
def test_every_trained_task_has_at_least_eight_phrasings_and_some_for_the_opposite(words):
    trained = load_config(SHIPPED_TEXT_CONFIG).data.tasks
    phrasings = user_phrasings(words)
    assert list(phrasings) == list(trained)  # the trained task list, in its order
    for task, p in phrasings.items():
        assert len(set(p.forward)) >= 8 and len(set(p.backward)) >= 4, task
        assert any(len(t.split()) <= 5 for t in p.forward), task  # a short request
        assert any(len(t.split()) >= 12 for t in p.forward), task  # a descriptive sentence


# The blind set was written by people who never saw the phrase banks, so a few everyday runs of
# four words came out the same by chance; they are kept (rewording them would unblind the set)
# and pinned here, so that no new training phrase adds to them.
BLIND_RUNS_SHARED_BY_CHANCE = {
    "picture is covered in",
    "white and black dots",
    "black and white specks",
    "edges and textures are",
    "taken on a tripod",
    "the picture as if",
    "make the colours dull",
    "is reduced to a",
    "back into a realistic",
    "bold outlines and flat",
    "outlines and flat colours",
    "no colour or shading",
}
SHARED_WITH_TRAINING = {"user": set(), "user-blind": BLIND_RUNS_SHARED_BY_CHANCE}
# Requests are as short as three words, below the four-word check above; the blind set wrote
# these five by chance (one, "Raise the brightness.", is a whole training instruction).
BLIND_REQUESTS_SHARED_BY_CHANCE = {
    "make it snow",
    "raise the brightness",
    "lower the brightness",
    "fade the colours",
    "make the colours dull",
}
REQUESTS_SHARED = {"user": set(), "user-blind": BLIND_REQUESTS_SHARED_BY_CHANCE}


@pytest.mark.parametrize("words", SETS)
def test_no_training_request_is_inside_a_phrasing_of_the_set(words):
    """A training request of any length ("make it snow") is a whole training sentence on its own,
    so none may stand inside a phrasing told to the model, beyond the blind set's pinned ones."""
    trained = {a for ask in ASKS.values() for side in (ask.vanish, ask.appear) for a in _part(side, "train")}
    inside = {
        ask
        for p in user_phrasings(words).values()
        for text in p.forward + p.backward
        for ask in trained
        if spaced_words(ask) in spaced_words(text)
    }
    assert inside == REQUESTS_SHARED[words]


@pytest.mark.parametrize("words", SETS)
def test_no_phrase_of_the_set_is_in_any_training_phrase(words):
    """No four-word run of a user phrasing occurs in any phrase, structure, clause or request
    training reads, beyond the blind set's pinned chance matches."""
    training = set().union(*(grams(e) for slot in _slots() for e in _part(slot, "train") if e))
    shared = {
        gram
        for p in user_phrasings(words).values()
        for text in p.forward + p.backward
        for gram in grams(text)
        if gram in training
    }
    assert shared == SHARED_WITH_TRAINING[words]


def test_phrasings_are_drawn_deterministically_and_tasks_outside_the_set_are_named():
    a = user_phrasing("derain", np.random.default_rng(3))
    assert a == user_phrasing("derain", np.random.default_rng(3)) and a in user_phrasings()["derain"].forward
    assert user_phrasing("derain", np.random.default_rng(3), "backward") in user_phrasings()["derain"].backward
    with pytest.raises(ValueError, match="not deblur-glass, sr-x4; evaluate those with the held-out templates"):
        check_covered({"derain", "sr-x4", "deblur-glass"})
    blind = user_phrasing("derain", np.random.default_rng(3), words="user-blind")
    assert blind in user_phrasings("user-blind")["derain"].forward and blind not in user_phrasings()["derain"].forward
    with pytest.raises(ValueError, match="no user-phrasing set 'users'; choose one of user, user-blind"):
        user_phrasing("derain", np.random.default_rng(3), words="users")


def test_the_two_sets_share_only_a_few_everyday_requests():
    """The blind set was written apart from the first: the only phrasings in both are five short
    requests anyone would write and one description of camera shake."""

    def both_ways(words: str) -> set[str]:
        return {t.lower().strip(" .") for p in user_phrasings(words).values() for t in p.forward + p.backward}

    assert sum(len(p.forward) for p in user_phrasings("user-blind").values()) == 8 * 26
    assert both_ways("user") & both_ways("user-blind") == {
        "remove the rain",
        "fix the exposure",
        "soften the contrast",
        "reduce the contrast",
        "give it a film look",
        "make it look like the camera moved during the shot",
    }


@pytest.mark.parametrize("file", SETS.values())
def test_the_file_is_plain_yaml_with_only_the_two_directions(file):
    from importlib import resources

    raw = yaml.safe_load(resources.files("pixtask.instructions").joinpath(file).read_text())
    assert all(set(entry) == {"forward", "backward"} for entry in raw.values())
