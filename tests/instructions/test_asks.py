"""Requests in the result's words: an instruction may lead with what the person wants."""

from __future__ import annotations

import numpy as np

from pixtask.core.seeding import rng_for
from pixtask.data.task_instructions import describe_task
from pixtask.instructions import BANKS, all_instructions, explain
from pixtask.instructions.asks import ASKS
from pixtask.instructions.engine import HELDOUT_PHRASES
from pixtask.tasks import get_task


def _told(task_id: str, direction: str = "forward", split: str = "train", n: int = 200) -> list:
    task = get_task(task_id)
    level = 3 if task.levels else None
    out = []
    for i in range(n):
        rng = rng_for(0, "asks-test", task_id, i)
        out.append(
            describe_task(task_id, task.sample_params(rng, level), rng, level=level, direction=direction, split=split)
        )
    return out


def test_asks_belong_to_known_banks_and_leave_some_for_the_held_out_split():
    assert set(ASKS) <= set(BANKS)
    for name, ask in ASKS.items():
        for side in (ask.vanish, ask.appear):
            assert len(set(side)) == len(side) >= 5, name
            held = [a for a in side if a in HELDOUT_PHRASES]
            assert 1 <= len(held) < len(side), name


def test_darkening_undone_is_asked_to_get_lighter_and_the_reverse_to_get_darker():
    """The task that removes a darkening brightens: its requests say so, and its opposite
    direction asks for the darker picture (where the bank's own clauses both say "dark")."""
    forward = [i.text for i in _told("darken-correction") if i.structure == "request"]
    backward = [i.text for i in _told("darken-correction", "backward") if i.structure == "request"]
    assert len(forward) > 30 and len(backward) > 30
    lead = [t.split(":")[0].split(",")[0].split(";")[0].split(".")[0].lower() for t in forward]
    assert set(lead) <= {a.lower() for a in ASKS["darken"].vanish}
    assert sum("lighter" in t or "raise the brightness" in t for t in forward) > 10
    assert not any("darker" in t for t in forward) and sum("darker" in t for t in backward) > 10


def test_a_request_is_about_a_third_of_what_training_tells_and_none_for_banks_without_asks():
    kinds = [i.structure for i in _told("lowlight-enhancement")]
    assert 0.25 < kinds.count("request") / len(kinds) < 0.5
    assert {i.structure for i in _told("canny")} == {"paragraph", "steps"}  # no asks for edge maps


def test_held_out_requests_never_appear_in_training_instructions():
    task = get_task("brighten-correction")
    params = task.sample_params(rng_for(0, "asks-test"), 3)
    train = set(all_instructions("brighten", task.direction, params, level=3))
    held = {a for a in ASKS["brighten"].vanish if a in HELDOUT_PHRASES}
    assert held and not any(t.lower().startswith(h) for t in train for h in held)
    told = [i.text.lower() for i in _told("brighten-correction", split="heldout") if i.structure == "request"]
    assert told and all(any(t.startswith(h) for h in held) for t in told)


def test_a_bank_without_asks_is_told_exactly_as_before(monkeypatch):
    """Edge maps and styles have no asks: their instructions are the words they always were."""
    import pixtask.instructions.engine as engine

    params = get_task("canny").sample_params(rng_for(0, "asks-test"), None)

    def told() -> list[str]:
        return [explain("canny", "apply", params, np.random.default_rng(seed)).text for seed in range(20)]

    with_asks = told()
    monkeypatch.setattr(engine, "ASKS", {})
    assert told() == with_asks
    rain = get_task("derain").sample_params(rng_for(0, "asks-test"), None)
    without = [explain("rain", "restore", rain, np.random.default_rng(s)).text for s in range(20)]
    monkeypatch.undo()
    assert [explain("rain", "restore", rain, np.random.default_rng(s)).text for s in range(20)] != without
