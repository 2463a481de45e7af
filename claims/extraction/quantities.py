"""Quantities in a claim: numbers in digits or words, with their scale, the qualifier
before them ("as many as") and the unit or counted noun after them ("percent", "soldiers").

Spans are relative to the text passed in; years found by `dates` are not counted again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from claims.extraction.dates import DateMention, extract_dates
from claims.extraction.wordlists import ALPHA_WORD, FUNCTION_WORDS, word_set


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    value: float
    approx: bool
    qualifier: str | None  # the word(s) before the number: "some", "as many as", "only"
    unit: str | None  # "percent", a currency sign, or the counted noun ("officials")


_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "a hundred": 100,
    "a dozen": 12,
    "dozen": 12,
    "hundreds": 100,
    "dozens": 12,
    "thousands": 1000,
    "a thousand": 1000,
}
_SCALES = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "bn": 1e9,
    "m": 1e6,
}
_QUALIFIER_LIST = sorted(
    """as many as|as much as|as few as|up to|more than|less than|fewer than|at least|at most
    |close to|an estimated|just over|just under|some|about|around|roughly|approximately
    |nearly|almost|over|only|exactly|under""".replace("\n    ", "").split("|"),
    key=len,
    reverse=True,
)
_APPROX_QUALIFIERS = frozenset(
    {
        "some",
        "about",
        "around",
        "roughly",
        "approximately",
        "nearly",
        "almost",
        "as many as",
        "as much as",
        "up to",
        "close to",
        "an estimated",
        "just over",
        "just under",
    }
)
_DIGITS = re.compile(
    r"(?=\d)(?<![\w.,:/-])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w:/]|[.,]\d)"
)
_NUMBER_SUFFIX = re.compile(
    r"(?:\s*(?P<scale>thousand|million|billion|trillion|bn\b|m\b))?"
    r"(?:\s*(?P<percent>%|percent\b|per cent\b)|-(?P<hyphen_unit>[a-z]+))?",
    re.IGNORECASE,
)
_CURRENCIES = "$€£¥"
_UNIT_WORD = re.compile(r"\s+(?:of\s+)?([A-Za-z][A-Za-z’'-]*)")
_MAX_UNIT_WORDS = 6
# Irregular past tenses that end a counted phrase ("100 officials left the country").
_COMMON_VERBS = word_set(
    """left went came took made fled fought won lost got gave held met ran saw sent set wrote
    began rose fell flew grew hit led paid put sold spent stood struck became remain remained
    say says fear feared want wanted live lived"""
)
_MEASURES = word_set(
    """feet foot ft inches inch metres meters metre meter m km kilometres kilometers miles mile
    kg kilograms grams tonnes tons pounds lbs litres liters gallons barrels acres hectares
    degrees years year months month weeks week days day hours hour minutes minute seconds
    dollars euros pounds rubles roubles yuan yen percent points times"""
)


def extract_quantities(text: str, *, dates: list[DateMention] | None = None) -> list[Quantity]:
    """Counts, amounts and percentages, with the noun they count when one follows.
    `dates` (from extract_dates on the same text) keeps years and days out of the counts."""
    dates = extract_dates(text) if dates is None else dates
    taken = [(d.start, d.end) for d in dates if d.kind in {"date", "year", "month"}]
    found: list[Quantity] = []
    numbers = [n for n in _numbers(text) if not any(s <= n[0] < e for s, e in taken)]
    for part, whole in pairwise(numbers):
        share = _share(text, part, whole)
        if share and (not found or found[-1].end <= share.start):
            found.append(share)
    for start, end, value, is_word in numbers:
        if any(q.start <= start < q.end for q in found):
            continue
        quantity = _quantity(text, start, end, value, is_word)
        if quantity:
            found.append(quantity)
    return sorted(found, key=lambda q: q.start)


# "eight of 10 voters", "one in three", "9 out of 10": a share, stated as its percentage so
# that it meets "80 percent of voters" (the counted noun follows the whole).
_SHARE_LINK = re.compile(r"\s+(?:out\s+of|of|in)\s+")


def _share(text: str, part: tuple, whole: tuple) -> Quantity | None:
    part_start, part_end, part_value, _ = part
    whole_start, whole_end, whole_value, _ = whole
    link = _SHARE_LINK.match(text, part_end)
    if not link or link.end() != whole_start or not 0 < part_value < whole_value <= 1000:
        return None
    qualifier = _qualifier_before(text, part_start)
    start = part_start - (len(qualifier) + 1 if qualifier else 0)
    _, end = _counted_noun(text, whole_end)
    value = round(100 * part_value / whole_value, 1)
    approx = qualifier in _APPROX_QUALIFIERS
    return Quantity(start, end, text[start:end], value, approx, qualifier, "percent")


def _numbers(text: str) -> list[tuple[int, int, float, bool]]:
    """(start, end, value, written as a word) of every number, in text order.
    Number words are looked up word by word: a regex alternation of them is far slower."""
    numbers = [
        (m.start(), m.end(), float(m.group().replace(",", "")), False)
        for m in _DIGITS.finditer(text)
    ]
    if _NUMBER_WORDS.keys().isdisjoint(ALPHA_WORD.findall(text.lower())):
        return numbers
    previous: re.Match[str] | None = None
    for word in ALPHA_WORD.finditer(text):
        lower = word.group().lower()
        if lower in _NUMBER_WORDS:
            start = word.start()
            if (
                previous is not None
                and previous.group().lower() == "a"
                and f"a {lower}" in _NUMBER_WORDS
            ):
                start, lower = previous.start(), f"a {lower}"
            alone_before = (
                start == 0 or text[start - 1] not in "-'’" and not text[start - 1].isalnum()
            )
            alone_after = word.end() == len(text) or not text[word.end()].isalnum()
            if alone_before and alone_after:
                numbers.append((start, word.end(), float(_NUMBER_WORDS[lower]), True))
        previous = word
    return sorted(numbers)


def _quantity(
    text: str, start: int, number_end: int, value: float, is_word: bool
) -> Quantity | None:
    currency = text[start - 1] if start and text[start - 1] in _CURRENCIES else None
    start -= bool(currency)
    qualifier = _qualifier_before(text, start)
    start -= len(qualifier) + 1 if qualifier else 0
    suffix = _NUMBER_SUFFIX.match(text, number_end)
    if suffix.group("scale"):
        value *= _SCALES[suffix.group("scale").lower()]
    end = suffix.end()
    if suffix.group("percent"):
        unit: str | None = "percent"
    elif suffix.group("hyphen_unit"):
        unit = suffix.group("hyphen_unit").lower()
    elif currency:
        unit = currency
    else:
        unit, end = _counted_noun(text, end)
    if is_word and not unit:
        return None  # "one of them said": a pronoun, not a quantity
    plural_word = is_word and text[number_end - 1] == "s"  # "dozens", "hundreds"
    approx = qualifier in _APPROX_QUALIFIERS or plural_word
    return Quantity(start, end, text[start:end], value, approx, qualifier, unit)


def _qualifier_before(text: str, start: int) -> str | None:
    """The qualifier written right before a number ("as many as 100"), lower-cased."""
    if start < 2 or text[start - 1] != " ":
        return None
    before = text[max(0, start - 16) : start - 1].lower()
    for qualifier in _QUALIFIER_LIST:
        if before.endswith(qualifier):
            boundary = len(before) - len(qualifier) - 1
            if boundary < 0 and start - 1 - len(qualifier) == 0 or not before[boundary].isalnum():
                return qualifier
    return None


def _counted_noun(text: str, position: int) -> tuple[str | None, int]:
    """The head noun after a number: the last word of the modifier run that follows it.

    "100 senior Russian diplomatic and technical officials stationed in" -> "officials".
    """
    words: list[tuple[str, int]] = []
    while len(words) < _MAX_UNIT_WORDS:
        match = _UNIT_WORD.match(text, position)
        if not match:
            break
        token = match.group(1)
        lower = token.lower()
        if lower in {"and", "or"} and words:
            position = match.end()
            continue
        if lower in FUNCTION_WORDS or lower in _NUMBER_WORDS or lower in _COMMON_VERBS:
            break
        if words and lower.endswith(("ed", "ing")):
            break
        if match.group().lstrip().startswith("of "):
            break
        words.append((token, match.end()))
        position = match.end()
        if len(words) == 1 and lower in _MEASURES:
            break
    if not words:
        return None, position
    last, end = words[-1]
    return last.lower(), end
