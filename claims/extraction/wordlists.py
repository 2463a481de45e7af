"""Word lists written as one string, as the extraction modules keep their lexicons."""

from __future__ import annotations


def word_set(text: str) -> frozenset[str]:
    """`"said says told"` -> frozenset({"said", "says", "told"}): a lexicon readable in source."""
    return frozenset(text.split())
