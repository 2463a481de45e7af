"""Word lists written as one string, as the extraction modules keep their lexicons."""

from __future__ import annotations

import re


def word_set(text: str) -> frozenset[str]:
    """`"said says told"` -> frozenset({"said", "says", "told"}): a lexicon readable in source."""
    return frozenset(text.split())


# Words a following capitalised or numeric token cannot be named by ("2000 troops" counts
# troops; "2000 and" is a year): the grammar words of English news, and reporting verbs.
FUNCTION_WORDS = word_set(
    """a an the of in on at to for from by with without into onto over under about as than
    that which who whom whose this these those and or but nor so yet if when while where
    is are was were be been being am has have had do does did will would shall should can
    could may might must not no its it his her their our your my they them he she we you i
    also only just still even more most less least per each every all both either neither
    since until after before during between among against through across toward towards
    via up down out off again later earlier ago said says say told reported"""
)

ALPHA_WORD = re.compile(r"[A-Za-z]+")
