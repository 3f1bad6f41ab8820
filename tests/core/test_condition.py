"""The Condition type: what it accepts, the mode it reports, and how it is restricted."""

from __future__ import annotations

import pytest

from pixtask.core.condition import Condition, ConditionError


def test_modes_and_descriptions():
    pair = ("in.png", "out.png")
    assert Condition(prompt=pair).mode == "example"
    assert Condition(instruction="the colours warm up").mode == "instruction"
    both = Condition(prompt=pair, instruction="the colours warm up")
    assert both.mode == "both"
    assert both.describe() == 'an example pair and the instruction "the colours warm up"'
    assert both.restricted("example") == Condition(prompt=pair)
    assert both.restricted("instruction") == Condition(instruction="the colours warm up")
    assert Condition(prompt=pair, instruction=["", "x"]).texts(2) == ["", "x"]
    assert Condition(instruction="x").texts(3) == ["x", "x", "x"]


def test_bad_conditions_say_what_is_missing():
    with pytest.raises(ConditionError, match=r"needs an example pair, an instruction, or both") as refused:
        Condition()
    assert "--" not in str(refused.value)  # the library names no CLI flag; the CLI and the app word their own
    with pytest.raises(ConditionError, match="instruction is empty"):
        Condition(instruction="  ")
    with pytest.raises(ConditionError, match=r"\(input, target\) pair"):
        Condition(prompt=("only-one.png",))
    with pytest.raises(ConditionError, match="needs an example pair, and this condition has none"):
        Condition(instruction="x").restricted("both")
    with pytest.raises(ConditionError, match="2 instructions for a batch of 3"):
        Condition(instruction=["a", "b"]).texts(3)
    # a batch whose instructions are all empty tells nothing
    with pytest.raises(ConditionError, match="needs an example pair"):
        Condition(instruction=["", ""])


def test_the_modes_a_model_accepts_are_decided_in_one_place():
    from pixtask.core.condition import check_accepted, check_mode

    assert check_mode("both", ("example", "instruction", "both")) == "both"
    with pytest.raises(ConditionError, match="told by example only and reads no instructions"):
        check_mode("instruction", ("example",))
    with pytest.raises(ConditionError, match="told in words only"):
        check_accepted(Condition(prompt=("a", "b"), instruction="x"), ("instruction",))
    with pytest.raises(ConditionError, match="not told a task"):
        check_mode("example", ())
