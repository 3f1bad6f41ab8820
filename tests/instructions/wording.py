"""How the leak tests compare phrasings: word runs and whole-word containment."""

from __future__ import annotations

import re


def grams(text: str, n: int = 4) -> set[str]:
    """Word n-grams that do not cross a placeholder or a punctuation mark."""
    out: set[str] = set()
    for chunk in re.split(r"\{\w+\}|[.,;:!?()]", text.lower()):
        words = re.findall(r"[a-z0-9'-]+", chunk)
        out |= {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}
    return out


def spaced_words(text: str) -> str:
    """The text's words, lower case, space-separated and space-padded (``a in b`` tests whole words)."""
    return " " + " ".join(re.findall(r"[a-z0-9'-]+", text.lower())) + " "
