"""The user-phrasing set: how people ask, kept apart from everything training reads."""

from __future__ import annotations

import re

import numpy as np
import pytest
import yaml

from pixtask.instructions.engine import _part, _slots
from pixtask.instructions.user_phrasings import check_covered, user_phrasing, user_phrasings
from pixtask.training.config import load_config

SHIPPED_TEXT_CONFIG = "configs/shipped-tiny-text.yaml"


def _grams(text: str, n: int = 4) -> set[str]:
    """Word n-grams that do not cross a placeholder or a punctuation mark."""
    out: set[str] = set()
    for chunk in re.split(r"\{\w+\}|[.,;:!?()]", text.lower()):
        words = re.findall(r"[a-z0-9'-]+", chunk)
        out |= {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}
    return out


def test_every_trained_task_has_at_least_eight_phrasings_and_some_for_the_opposite():
    trained = load_config(SHIPPED_TEXT_CONFIG).data.tasks
    phrasings = user_phrasings()
    assert list(phrasings) == list(trained)  # the trained task list, in its order
    for task, p in phrasings.items():
        assert len(set(p.forward)) >= 8 and len(set(p.backward)) >= 4, task
        assert any(len(t.split()) <= 5 for t in p.forward), task  # a short request
        assert any(len(t.split()) >= 12 for t in p.forward), task  # a descriptive sentence


def test_no_phrase_of_the_set_is_in_any_training_phrase():
    """No four-word run of a user phrasing occurs in any phrase, structure or clause training reads."""
    training = set().union(*(_grams(e) for slot in _slots() for e in _part(slot, "train") if e))
    shared = [
        (gram, text)
        for p in user_phrasings().values()
        for text in p.forward + p.backward
        for gram in _grams(text)
        if gram in training
    ]
    assert shared == []


def test_phrasings_are_drawn_deterministically_and_tasks_outside_the_set_are_named():
    a = user_phrasing("derain", np.random.default_rng(3))
    assert a == user_phrasing("derain", np.random.default_rng(3)) and a in user_phrasings()["derain"].forward
    assert user_phrasing("derain", np.random.default_rng(3), "backward") in user_phrasings()["derain"].backward
    with pytest.raises(ValueError, match="not deblur-glass, sr-x4; evaluate those with the held-out templates"):
        check_covered({"derain", "sr-x4", "deblur-glass"})


def test_the_file_is_plain_yaml_with_only_the_two_directions():
    from importlib import resources

    raw = yaml.safe_load(resources.files("pixtask.instructions").joinpath("user_phrasings.yaml").read_text())
    assert all(set(entry) == {"forward", "backward"} for entry in raw.values())
