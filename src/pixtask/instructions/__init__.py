"""Explanatory instructions: tasks told in words that describe the change (engine and phrase banks)."""

from pixtask.instructions.banks import BANKS, Bank
from pixtask.instructions.engine import (
    BANNED,
    Instruction,
    all_instructions,
    banned_words,
    explain,
    names_the_task,
    terminological,
)

__all__ = [
    "BANKS",
    "BANNED",
    "Bank",
    "Instruction",
    "all_instructions",
    "banned_words",
    "explain",
    "names_the_task",
    "terminological",
]
