"""Attribution extraction: who said what.

For a text, find each attribution's CONTENT span (what was said), its SOURCE span (who said
it) and its CUE span (the verb or phrase that marks reporting: "said", "according to").
Offsets are half-open character offsets into the given text.

This first version is rule-based: a lexicon of reporting verbs and the common news patterns
(`"...," said X`, `X said (that) ...`, `according to X, ...`, `..., X said.`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Attribution:
    content: Span
    source: Span | None
    cue: Span | None


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CUE_WORDS = _words(
    """said says say saying told tells tell reported reports report added adds noted notes
    claimed claims stated states argued argues explained explains wrote writes announced
    announces insisted insists warned warns acknowledged acknowledges asked asks believes
    believe believed thinks think thought suggested suggests confirmed confirms denied denies
    declared declares predicted predicts admitted admits replied replies responded responds
    tweeted tweets alleged alleges estimated estimates contended contends maintained maintains
    recalled recalls urged urges promised promises vowed vows pledged pledges complained
    complains charged charges concluded concludes countered counters disclosed discloses
    revealed reveals emphasized emphasizes stressed stresses asserted asserts observed
    expects expected hopes hoped fears feared worried worries"""
)
_NP_STOP = _words(
    """that which who whom whose and but or because when while as if so than then where
    whether although though after before since until unless is was are were be been has
    have had do does did will would could should may might must can"""
)
_TOKEN = re.compile(r"\w+(?:[’'.\-]\w+)*|[^\w\s]")
_ABBREVIATIONS = _words(
    "mr mrs ms dr sen rep gov gen col lt sgt st jr sr inc co corp vs u.s u.k no jan feb mar apr "
    "aug sept sep oct nov dec prof rev"
)
_OPEN_QUOTES = frozenset('"“')
_CLOSE_QUOTES = frozenset('"”')
_MAX_SOURCE_TOKENS = 12


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


def tokenize(text: str) -> list[_Token]:
    return [_Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def split_sentences(tokens: list[_Token], text: str) -> list[list[_Token]]:
    """Group tokens into sentences; a line break or a sentence-final mark ends one."""
    sentences: list[list[_Token]] = []
    current: list[_Token] = []
    for i, token in enumerate(tokens):
        if current and "\n" in text[current[-1].end : token.start]:
            sentences.append(current)
            current = []
        current.append(token)
        if token.text in ".!?" and not _is_abbreviation(tokens, i):
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is not None and nxt.text in _CLOSE_QUOTES and nxt.start == token.end:
                continue
            sentences.append(current)
            current = []
        elif token.text in _CLOSE_QUOTES and i > 0 and tokens[i - 1].text in ".!?":
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def _is_abbreviation(tokens: list[_Token], i: int) -> bool:
    if tokens[i].text != "." or i == 0 or tokens[i - 1].end != tokens[i].start:
        return False
    previous = tokens[i - 1].lower
    return previous in _ABBREVIATIONS or (len(previous) == 1 and previous.isalpha())


def _span(tokens: list[_Token]) -> Span | None:
    return Span(tokens[0].start, tokens[-1].end) if tokens else None


def _trim(tokens: list[_Token]) -> list[_Token]:
    """Drop leading and trailing punctuation other than quotation marks."""
    start, end = 0, len(tokens)
    while start < end and _is_punct(tokens[start]) and tokens[start].text not in _OPEN_QUOTES:
        start += 1
    while end > start and _is_punct(tokens[end - 1]) and tokens[end - 1].text not in _CLOSE_QUOTES:
        end -= 1
    return tokens[start:end]


def _is_punct(token: _Token) -> bool:
    return not token.text[0].isalnum()


def _source_before(sentence: list[_Token], cue: int) -> list[_Token]:
    """The noun phrase that ends right before the cue, walking back to a clause boundary."""
    i = cue - 1
    while i >= 0 and cue - i <= _MAX_SOURCE_TOKENS:
        token = sentence[i]
        if token.text in ",;:()" or token.text in _CLOSE_QUOTES or token.text in _OPEN_QUOTES:
            break
        if token.lower in _NP_STOP:
            break
        i -= 1
    return sentence[i + 1 : cue]


def _source_after(sentence: list[_Token], start: int) -> list[_Token]:
    """The noun phrase that starts at `start` and runs to a comma or the sentence end."""
    end = start
    while end < len(sentence) and end - start < _MAX_SOURCE_TOKENS:
        token = sentence[end]
        if token.text in ",;:.!?" or token.lower in _NP_STOP or token.text in _OPEN_QUOTES:
            break
        end += 1
    return sentence[start:end]


def _according_to(sentence: list[_Token]) -> Attribution | None:
    for i in range(len(sentence) - 1):
        if sentence[i].lower == "according" and sentence[i + 1].lower == "to":
            source = _source_after(sentence, i + 2)
            if not source:
                return None
            after = i + 2 + len(source)
            if i == 0 or (i == 1 and _is_punct(sentence[0])):
                content = _trim(sentence[after:])
            else:
                content = _trim(sentence[:i]) or _trim(sentence[after:])
            if not content:
                return None
            return Attribution(_span(content), _span(source), _span(sentence[i : i + 2]))
    return None


def _quote_before(sentence: list[_Token], cue: int) -> tuple[list[_Token], list[_Token]] | None:
    """`"...," said X` or `"...," X said`: the quoted content and the source between/after."""
    j = cue - 1
    while j >= 0 and cue - j <= _MAX_SOURCE_TOKENS and sentence[j].text not in _CLOSE_QUOTES:
        if sentence[j].text in _OPEN_QUOTES or sentence[j].lower in _NP_STOP:
            return None
        j -= 1
    if j < 0 or sentence[j].text not in _CLOSE_QUOTES:
        return None
    opening = j - 1
    while opening >= 0 and sentence[opening].text not in _OPEN_QUOTES:
        opening -= 1
    content = sentence[max(opening, 0) : j + 1]
    between = [t for t in sentence[j + 1 : cue] if not _is_punct(t)]
    source = between or _source_after(sentence, cue + 1)
    return content, source


def _cue_attribution(sentence: list[_Token], cue: int) -> Attribution | None:
    cue_tokens = sentence[cue : cue + 1]
    quoted = _quote_before(sentence, cue)
    if quoted:
        content, source = quoted
        return Attribution(_span(content), _span(source), _span(cue_tokens))
    before = _source_before(sentence, cue)
    clause_start = cue - len(before)
    preceding = _trim(sentence[:clause_start])
    rest = _trim(sentence[cue + 1 :])
    if preceding and (not rest or len(rest) <= 2) and sentence[clause_start - 1].text == ",":
        return Attribution(_span(preceding), _span(before), _span(cue_tokens))
    if before and rest:
        skip = 0
        if rest[0].lower == "that":
            skip = 1
        elif cue_tokens[0].lower in {"told", "tells", "tell", "asked", "asks", "warned", "urged"}:
            for k, token in enumerate(rest[:8]):
                if token.lower == "that" or token.text == ",":
                    skip = k + 1
                    break
            else:
                skip = 1
        content = _trim(rest[skip:])
        if content:
            return Attribution(_span(content), _span(before), _span(cue_tokens))
    if preceding and not before and rest and sentence[clause_start - 1].text == ",":
        source = _source_after(sentence, cue + 1)
        if source and len(source) == len(rest):
            return Attribution(_span(preceding), _span(source), _span(cue_tokens))
    return None


def _sentence_attributions(sentence: list[_Token]) -> list[Attribution]:
    found: list[Attribution] = []
    according = _according_to(sentence)
    if according:
        found.append(according)
    for i, token in enumerate(sentence):
        if token.lower in _CUE_WORDS:
            attribution = _cue_attribution(sentence, i)
            if attribution and not any(_overlaps(attribution.content, a.content) for a in found):
                found.append(attribution)
    return found


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def extract_attributions(text: str) -> list[Attribution]:
    """Every attribution in `text`, in text order."""
    tokens = tokenize(text)
    found: list[Attribution] = []
    for sentence in split_sentences(tokens, text):
        found.extend(_sentence_attributions(sentence))
    return sorted(found, key=lambda a: (a.content.start, a.content.end))
