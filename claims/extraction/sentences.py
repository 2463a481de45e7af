"""Sentence splitting with character spans.

Rules rather than a model: news prose is regular enough, and spans must be exact. A line
break always ends a sentence (the cleaned body has one paragraph per line). Inside a line a
sentence ends at . ! ? or … (plus closing quotes/brackets) before a capital, a digit or an
opening quote, unless the period belongs to a title ("Gen.", "Sens."), an initial ("J."), a
state ("Calif.") or an acronym ("U.S.", "p.m.") and the next word does not look like a
sentence start, or the boundary lies inside a quotation closed later on the line (a quotation
of several sentences is one statement with its attribution). A period glued to
a capitalised word ("Damascus.In fact") also ends a sentence: a common copy-paste defect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claims.extraction.wordlists import word_set


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


MAX_SENTENCE_CHARS = 1500

_BOUNDARY = re.compile(
    r"(?:[.!?]+|…)[”\"’')\]]*(?P<gap>\s+)(?=[“\"‘'(\[]*[A-Z0-9])"
    r"|(?<=[a-z]{2})[.!?](?P<glued>)(?=[A-Z][a-z])"
)
# Titles are always followed by a name, never by a new sentence.
_TITLE_ABBREVIATIONS = word_set("""mr mrs ms dr prof gen sen sens rep reps gov govs lt col sgt capt cmdr adm maj st
    rev hon pres supt insp det fr messrs mme mlle gens drs profs""")
# US state abbreviations in AP style ("Oakland, Calif."): capitalised, they end a sentence only
# before a word that usually starts one.
_STATE_ABBREVIATIONS = word_set("""ala ariz ark calif colo conn del fla ga ill ind kan kans ky la md mass mich
    minn miss mo mont neb nev okla ore pa tenn tex va vt wash wis wyo""")
_OTHER_ABBREVIATIONS = word_set("""inc ltd co corp jr sr etc vs no nos jan feb mar apr jun jul aug sep sept oct nov dec
    approx dept est fig vol ft al""")
_SENTENCE_STARTERS = word_set("""The A An He She It They We I You His Her Its Their Our This That These Those There
    But And Yet So In On At For After Before When While If As According However Meanwhile
    Still Also Some Many Most Several Officials Both One Two Three What Why How""")
_ACRONYM = re.compile(r"(?:\b[A-Za-z]\.)+$")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Sentences of text[start:end] with spans into `text`, whitespace trimmed."""
    end = len(text) if end is None else end
    sentences: list[Sentence] = []
    for line in re.finditer(r"[^\n]+", text[:end]):
        if line.end() <= start:
            continue
        line_start = max(line.start(), start)
        sentence_start = line_start
        for match in _BOUNDARY.finditer(text, line_start, line.end()):
            if not _ends_sentence(text, match, sentence_start):
                continue
            cut = match.start("gap") if match.group("gap") is not None else match.end()
            if _inside_quotation(text, line_start, cut, line.end()):
                continue
            _add(sentences, text, sentence_start, cut)
            sentence_start = match.end()
        _add(sentences, text, sentence_start, line.end())
    return sentences


def _ends_sentence(text: str, match: re.Match[str], sentence_start: int) -> bool:
    if match.group("glued") is not None:
        return True
    if text[match.start()] != ".":
        return True
    word_start = max(text.rfind(" ", sentence_start, match.start()) + 1, sentence_start)
    word = text[word_start : match.start()].lstrip("“\"‘'([")
    bare = word.lower().rstrip(".")
    if bare in _TITLE_ABBREVIATIONS:
        return False
    is_initial = len(word) == 1 and word.isalpha()
    is_state = word[:1].isupper() and bare in _STATE_ABBREVIATIONS
    if bare in _OTHER_ABBREVIATIONS or is_initial or is_state or _ACRONYM.search(word + "."):
        return _next_word(text, match.end()) in _SENTENCE_STARTERS
    return True


def _inside_quotation(text: str, line_start: int, position: int, line_end: int) -> bool:
    """A quotation of several sentences stays one unit with its attribution ("“A. B,” she
    said"): the boundary lies inside a quotation opened earlier on the line and closed later
    on it. An unclosed quotation does not hold the rest of the line together."""
    if "?" in text[position - 3 : position] or _next_stop(text, position, line_end) == "?":
        return False  # a question stays a sentence of its own, even inside a quotation
    quote = open_quotation(text, line_start, position)
    return bool(quote) and text.find(quote, position, line_end) != -1


def open_quotation(text: str, line_start: int, position: int) -> str | None:
    """The closing mark awaited at `position` when a quotation opened earlier on the line
    (from `line_start`) is still open: "”" or '"'; None outside quotations. A line opening
    with a closing mark ("”Fear. …” ― Jane Doe", a common typo) opens a quotation."""
    before = text[line_start:position]
    opened = before.count("“") + (before[:1] == "”" and before[1:2].isalnum())
    if opened > before.count("”") - (before[:1] == "”" and before[1:2].isalnum()):
        return "”"
    if before.count('"') % 2:
        return '"'
    return None


_STOP = re.compile(r"[.!?…](?=[”\"’')\]]*(?:\s|$))")


def _next_stop(text: str, position: int, line_end: int) -> str:
    match = _STOP.search(text, position, line_end)
    return match.group() if match else ""


def _next_word(text: str, position: int) -> str:
    match = re.compile(r"[“\"‘'(\[]*(\w+)").match(text, position)
    return match.group(1) if match else ""


def _add(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE_CHARS:
        cut = _soft_cut(text, start, start + MAX_SENTENCE_CHARS)
        _add(sentences, text, start, cut)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        sentences.append(Sentence(start, end, text[start:end]))


def _soft_cut(text: str, start: int, limit: int) -> int:
    """Where to break an over-long run: after the last ';' or ',' or space before `limit`."""
    for mark in ("; ", ", ", " "):
        position = text.rfind(mark, start + MAX_SENTENCE_CHARS // 2, limit)
        if position != -1:
            return position + 1
    return limit
