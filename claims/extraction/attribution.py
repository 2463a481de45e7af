"""Attribution extraction: who said what.

For a text, find each attribution's CONTENT span (what was said), its SOURCE span (who said
it) and its CUE span (the word or phrase that marks the report: "said", "according to").
Offsets are half-open character offsets into the given text.

A linear-chain CRF (python-crfsuite) trained on PolNeAR tags every token of a paragraph as
begin/inside of a source, cue or content, or outside. Its features include a cue lexicon
learned from the training annotations and the answers of a few hand-written news patterns
(`"...," said X`, `X said (that) ...`, `according to X, ...`); the tagged spans are then
grouped into attributions, each content with its nearest cue and each cue with its nearest
source. Two unambiguous patterns ("According to X, Y." and "Y, X said.") also stand on their
own where the tagger missed them. `claims/training/attribution.py` trains and measures it.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar

import pycrfsuite

from claims.extraction.wordlists import word_set

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = "attribution.crfsuite"
LEXICON_FILE = "attribution.json"
ROLES = ("SRC", "CUE", "CON")
_T = TypeVar("_T")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Attribution:
    content: Span
    source: Span | None
    cue: Span | None


_CUE_WORDS = word_set(
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
_NP_STOP = word_set(
    """that which who whom whose and but or because when while as if so than then where
    whether although though after before since until unless is was are were be been has
    have had do does did will would could should may might must can"""
)
# Words, with clitics apart ("He’s" -> "He" "’s", "don’t" -> "do" "n’t") since a source
# often ends where its clitic starts; other apostrophes, dots and hyphens stay in the word.
_TOKEN = re.compile(
    r"\w+(?=n['’]t\b)|n['’]t\b|['’](?:s|re|ve|ll|d|m)\b"
    r"|\w+(?:[.\-]\w+|['’](?!(?:s|re|ve|ll|d|m)\b)\w+)*|[^\w\s]"
)
_ABBREVIATIONS = word_set(
    "mr mrs ms dr sen rep gov gen col lt sgt st jr sr inc co corp vs u.s u.k no jan feb mar apr "
    "aug sept sep oct nov dec prof rev"
)
_OPEN_QUOTES = frozenset('"“')
_CLOSE_QUOTES = frozenset('"”')
_MAX_SOURCE_TOKENS = 12
_MAX_UNIT_TOKENS = 150
_BLOCK_CHARS = 50_000
_TRUSTED_PATTERNS = frozenset({"according", "trailing"})
# Decoding thresholds on the tagger's marginals, chosen on the train split with whole months
# held out (docs/quality_attribution.md).
_SOURCE_MARGINAL = 0.1
_CUE_MARGINAL = 0.3


class _Token(NamedTuple):
    text: str
    start: int
    end: int
    lower: str


def tokenize(text: str) -> list[_Token]:
    return [_Token(m.group(), m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]


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


# Hand-written news patterns. Their answers are features of the tagger; two of them may also
# stand on their own (`_with_trusted_patterns`).


class _RuleMatch(NamedTuple):
    pattern: str
    attribution: Attribution


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


def _source_after(sentence: list[_Token], start: int, *, joined: bool = False) -> list[_Token]:
    """The noun phrase that starts at `start` and runs to a comma or the sentence end.

    `joined`: "and"/"or" join parts of the phrase ("According to Gulf and Western sources,
    ...") rather than start a new clause.
    """
    stops = _NP_STOP - _JOINERS if joined else _NP_STOP
    end = start
    while end < len(sentence) and end - start < _MAX_SOURCE_TOKENS:
        token = sentence[end]
        if token.text in ",;:.!?" or token.lower in stops or token.text in _OPEN_QUOTES:
            break
        end += 1
    return sentence[start:end]


_JOINERS = frozenset({"and", "or"})


def _according_to(sentence: list[_Token]) -> _RuleMatch | None:
    for i in range(len(sentence) - 1):
        if sentence[i].lower == "according" and sentence[i + 1].lower == "to":
            leading = i == 0 or (i == 1 and _is_punct(sentence[0]))
            source = _source_after(sentence, i + 2, joined=leading)
            if not source:
                return None
            after = i + 2 + len(source)
            if leading:
                content = _trim(sentence[after:])
            else:
                content = _trim(sentence[:i]) or _trim(sentence[after:])
            if not content:
                return None
            cue = sentence[i : i + 2]
            return _RuleMatch("according", Attribution(_span(content), _span(source), _span(cue)))
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


def _cue_attribution(sentence: list[_Token], cue: int) -> _RuleMatch | None:
    cue_tokens = sentence[cue : cue + 1]
    quoted = _quote_before(sentence, cue)
    if quoted:
        content, source = quoted
        return _RuleMatch("quote", Attribution(_span(content), _span(source), _span(cue_tokens)))
    before = _source_before(sentence, cue)
    clause_start = cue - len(before)
    preceding = _trim(sentence[:clause_start])
    rest = _trim(sentence[cue + 1 :])
    if preceding and (not rest or len(rest) <= 2) and sentence[clause_start - 1].text == ",":
        return _RuleMatch(
            "trailing", Attribution(_span(preceding), _span(before), _span(cue_tokens))
        )
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
            return _RuleMatch(
                "leading", Attribution(_span(content), _span(before), _span(cue_tokens))
            )
    if preceding and not before and rest and sentence[clause_start - 1].text == ",":
        source = _source_after(sentence, cue + 1)
        if source and len(source) == len(rest):
            return _RuleMatch(
                "inverted", Attribution(_span(preceding), _span(source), _span(cue_tokens))
            )
    return None


def _rule_attributions(sentence: list[_Token]) -> list[_RuleMatch]:
    found: list[_RuleMatch] = []
    according = _according_to(sentence)
    if according:
        found.append(according)
    for i, token in enumerate(sentence):
        if token.lower in _CUE_WORDS:
            match = _cue_attribution(sentence, i)
            if match and not any(
                _overlaps(match.attribution.content, m.attribution.content) for m in found
            ):
                found.append(match)
    return found


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


# Layout: tokens, sentences and the paragraph chunks that the tagger reads as one sequence.


@dataclass(frozen=True)
class Document:
    tokens: list[_Token]
    sentence_of: list[int]
    sentences: list[tuple[int, int]]
    units: list[tuple[int, int]]


def analyse_text(text: str) -> Document:
    """Tokenise `text` and cut it into sentences and tagging units (paragraph chunks)."""
    tokens = tokenize(text)
    bounds = []
    position = 0
    for sentence in split_sentences(tokens, text):
        bounds.append((position, position + len(sentence)))
        position += len(sentence)
    sentence_of = [k for k, (lo, hi) in enumerate(bounds) for _ in range(lo, hi)]
    units: list[tuple[int, int]] = []
    unit_start: int | None = None
    unit_end = 0
    for lo, hi in bounds:
        new_paragraph = lo == 0 or "\n" in text[tokens[lo - 1].end : tokens[lo].start]
        if unit_start is not None and (new_paragraph or hi - unit_start > _MAX_UNIT_TOKENS):
            units.append((unit_start, unit_end))
            unit_start = None
        if unit_start is None:
            unit_start = lo
        unit_end = hi
        while unit_end - unit_start > _MAX_UNIT_TOKENS:
            units.append((unit_start, unit_start + _MAX_UNIT_TOKENS))
            unit_start += _MAX_UNIT_TOKENS
    if unit_start is not None and unit_end > unit_start:
        units.append((unit_start, unit_end))
    return Document(tokens, sentence_of, bounds, units)


# Features.

_DIGITS = re.compile(r"\d")
_INFLECTION = re.compile(r"(?:ing|ed|es|s|e)$")
_QUOTE_MARKS = frozenset('"“”')


def stem(word: str) -> str:
    """A crude stem, so that a cue seen as "criticized" also marks "criticizes"."""
    return _INFLECTION.sub("", word) if len(word) > 4 else word


@dataclass(frozen=True)
class CueLexicon:
    """Share of training occurrences inside a cue, per lower-cased word and per stem.

    Words at or above `strong` anchor the distance features ("3 tokens after a cue").
    """

    words: Mapping[str, float]
    stems: Mapping[str, float]
    strong: float


def _shape(word: str) -> str:
    if not word[0].isalnum():
        return "p"
    if word.isdigit():
        return "d"
    if word.isupper():
        return "X" if len(word) > 1 else "Xs"
    if word[0].isupper():
        return "Xx"
    return "x"


def _cue_bucket(probability: float | None) -> str:
    if probability is None:
        return "u"
    for bucket, limit in enumerate((0.05, 0.15, 0.35, 0.6)):
        if probability < limit:
            return str(bucket)
    return "4"


def _distance_bucket(distance: int) -> str:
    for limit in (1, 2, 4, 8, 16):
        if distance <= limit:
            return str(limit)
    return "far"


def _quote_states(doc: Document) -> list[str]:
    """'1' for tokens inside quotation marks (the marks included), restarting every unit."""
    states = ["0"] * len(doc.tokens)
    for lo, hi in doc.units:
        inside = False
        for i in range(lo, hi):
            text = doc.tokens[i].text
            if text == "“" or (text == '"' and not inside):
                inside = True
                states[i] = "1"
            elif text == "”" or text == '"':
                states[i] = "1"
                inside = False
            else:
                states[i] = "1" if inside else "0"
    return states


def _nearest_cues(doc: Document, words: list[str], strong: list[bool]) -> list[list[str]]:
    """Per token: distance to the nearest likely cue on its left and on its right in the same
    sentence (marked 'c' when a comma or quotation mark lies in between), and those cues."""
    n = len(doc.tokens)
    left, right = ["none"] * n, ["none"] * n
    left_word, right_word = [""] * n, [""] * n
    for lo, hi in doc.sentences:
        for order, distances, cue_words in (
            (range(lo, hi), left, left_word),
            (range(hi - 1, lo - 1, -1), right, right_word),
        ):
            last = -1
            broken = False
            for i in order:
                if strong[i]:
                    distances[i] = "0"
                    last = i
                    broken = False
                elif last >= 0:
                    distances[i] = _distance_bucket(abs(i - last)) + ("c" if broken else "")
                if last >= 0:
                    cue_words[i] = words[last]
                if doc.tokens[i].text in ',"“”:;':
                    broken = True
    return [left, right, left_word, right_word]


_PRONOUN_CLASSES = {
    **dict.fromkeys(("he", "she", "him", "her"), "3s"),
    **dict.fromkeys(("they", "them"), "3p"),
    **dict.fromkeys(("i", "we", "me", "us"), "1"),
    "you": "2",
    "it": "3n",
    **dict.fromkeys(("who", "which", "whom"), "rel"),
}
_TITLE_WORDS = word_set(
    """mr mrs ms dr sen rep gov gen lt col president senator governor secretary spokesman
    spokeswoman spokesperson chairman chairwoman director chief adviser advisor aide official
    officials candidate nominee minister ambassador mayor judge justice professor analyst
    strategist pollster reporter reporters sources source campaign"""
)
_BOUNDARY_WORDS = _NP_STOP | word_set("to for of in on at with by from about into over")


def _chunk_tags(doc: Document, shapes: list[str]) -> tuple[list[str], list[int]]:
    """Dependency-free phrase chunks: B/I of a run of capitalised words (a name-like phrase;
    "." or "-" between two of its words stays inside), P for a pronoun, O otherwise; and the
    number of each token's chunk (-1 outside any)."""
    tags = ["O"] * len(doc.tokens)
    for lo, hi in doc.sentences:
        for i in range(lo, hi):
            token = doc.tokens[i]
            if token.lower in _PRONOUN_CLASSES:
                tags[i] = "P"
            elif shapes[i] in {"Xx", "X", "Xs"}:
                joined = i - 1 > lo and doc.tokens[i - 1].text in {".", "-"} and tags[i - 2] in "BI"
                tags[i] = "I" if (i > lo and tags[i - 1] in "BI") or joined else "B"
                if joined:
                    tags[i - 1] = "I"
    numbers = [-1] * len(doc.tokens)
    chunk = -1
    for i, tag in enumerate(tags):
        if tag in {"B", "P"}:
            chunk += 1
        if tag != "O":
            numbers[i] = chunk
    return tags, numbers


def _cue_context(
    doc: Document, strong: list[bool], chunk_of: list[int]
) -> tuple[list[str], list[str], list[str], list[str]]:
    """Per token, towards the nearest likely cue on its left and on its right in the same
    sentence: how many other phrase chunks lie in between (0, 1, 2, 3 = more; 'none' without
    a cue) and whether a clause or preposition word lies in between, so that the tagger can
    tell the phrase next to a cue from one farther away."""
    n = len(doc.tokens)
    left_n, right_n = ["none"] * n, ["none"] * n
    left_b, right_b = ["none"] * n, ["none"] * n
    for lo, hi in doc.sentences:
        for order, counts, bounds in (
            (range(lo, hi), left_n, left_b),
            (range(hi - 1, lo - 1, -1), right_n, right_b),
        ):
            seen_cue = False
            chunks = 0
            boundary = False
            previous = -1
            for i in order:
                if strong[i]:
                    seen_cue, chunks, boundary = True, 0, False
                    counts[i], bounds[i] = "0", "0"
                elif seen_cue:
                    if chunk_of[previous] >= 0 and chunk_of[previous] != chunk_of[i]:
                        chunks += 1
                    if doc.tokens[previous].lower in _BOUNDARY_WORDS:
                        boundary = True
                    counts[i] = str(min(chunks, 3))
                    bounds[i] = "1" if boundary else "0"
                previous = i
    return left_n, right_n, left_b, right_b


def _rule_matches(doc: Document) -> list[_RuleMatch]:
    return [m for lo, hi in doc.sentences for m in _rule_attributions(doc.tokens[lo:hi])]


def _rule_roles(doc: Document, matches: list[_RuleMatch]) -> list[str]:
    """Per token, its role in a hand-written pattern's answer and the pattern's name."""
    roles = ["O"] * len(doc.tokens)
    starts = [t.start for t in doc.tokens]
    for pattern, attribution in matches:
        for role, span in (
            ("CON", attribution.content),
            ("SRC", attribution.source),
            ("CUE", attribution.cue),
        ):
            if span is not None:
                first = bisect.bisect_left(starts, span.start)
                last = bisect.bisect_left(starts, span.end)
                roles[first:last] = [f"{role}:{pattern}"] * (last - first)
    return roles


def _positions(doc: Document) -> list[str]:
    positions = []
    for lo, hi in doc.sentences:
        length = hi - lo
        positions.extend(str(4 * k // length) for k in range(length))
        positions[lo] = "first"
        positions[hi - 1] = "last" if length > 1 else "only"
    return positions


def _unit_flags(doc: Document, words: list[str], strong: list[bool]) -> list[str]:
    """Whether the token's unit holds a quotation mark and a likely cue."""
    flags = []
    for lo, hi in doc.units:
        quoted = any(w in _QUOTE_MARKS for w in words[lo:hi])
        cued = any(strong[lo:hi])
        flags.extend([f"{quoted:d}{cued:d}"] * (hi - lo))
    return flags


def _shifted(values: list[_T], offset: int, edge: _T) -> list[_T]:
    """`values` moved by `offset` places: item i is values[i + offset], or `edge` outside."""
    if offset < 0:
        return ([edge] * -offset + values)[: len(values)]
    return (values + [edge] * offset)[offset:]


def _in_sentence(values: list[str], sentence_of: list[int], offset: int) -> list[str]:
    """Item i is values[i + offset] when that token is in the same sentence, else '<s>'.

    Features never look past the sentence, so that a paragraph tagged on its own gets the
    same answers as inside its article (in training, article starts are all headlines)."""
    neighbours = _shifted(values, offset, "<s>")
    neighbour_sentences = _shifted(sentence_of, offset, -1)
    return [
        value if here == there else "<s>"
        for value, here, there in zip(neighbours, sentence_of, neighbour_sentences, strict=True)
    ]


def _prefixed(name: str, values: list[str]) -> list[str]:
    return [name + v for v in values]


def token_features(
    doc: Document, lexicon: CueLexicon, matches: list[_RuleMatch] | None = None
) -> list[tuple[str, ...]]:
    """The CRF features of every token of `doc`, built column by column for speed.

    `matches` are the hand-written patterns' answers on `doc`, if already at hand."""
    if not doc.tokens:
        return []
    if matches is None:
        matches = _rule_matches(doc)
    words = [_DIGITS.sub("0", t.lower) for t in doc.tokens]
    stems = [stem(w) for w in words]
    shapes = [_shape(t.text) for t in doc.tokens]
    probabilities = [lexicon.words.get(w) for w in words]
    buckets = [_cue_bucket(p) for p in probabilities]
    stem_buckets = [_cue_bucket(lexicon.stems.get(s)) for s in stems]
    strong = [p is not None and p >= lexicon.strong for p in probabilities]
    quotes = _quote_states(doc)
    left, right, left_word, right_word = _nearest_cues(doc, words, strong)
    columns = [
        _prefixed("w=", words),
        _prefixed("st=", stems),
        ["s3=" + w[-3:] for w in words],
        _prefixed("sh=", shapes),
        _prefixed("cb=", buckets),
        _prefixed("sb=", stem_buckets),
        _prefixed("q=", quotes),
        _prefixed("lc=", left),
        _prefixed("rc=", right),
        [f"lcq={d}{q}" for d, q in zip(left, quotes, strict=True)],
        [f"rcq={d}{q}" for d, q in zip(right, quotes, strict=True)],
        _prefixed("lcw=", left_word),
        _prefixed("rcw=", right_word),
        _prefixed("r=", _rule_roles(doc, matches)),
        _prefixed("pos=", _positions(doc)),
        _prefixed("u=", _unit_flags(doc, words, strong)),
    ]
    chunks, chunk_of = _chunk_tags(doc, shapes)
    left_n, right_n, left_b, right_b = _cue_context(doc, strong, chunk_of)
    columns += [
        _prefixed("ch=", chunks),
        ["pr=" + _PRONOUN_CLASSES.get(t.lower, "-") for t in doc.tokens],
        [f"ti={t.lower.rstrip('.') in _TITLE_WORDS:d}" for t in doc.tokens],
        _prefixed("lcn=", left_n),
        _prefixed("rcn=", right_n),
        [f"lcb={n}{b}" for n, b in zip(left_n, left_b, strict=True)],
        [f"rcb={n}{b}" for n, b in zip(right_n, right_b, strict=True)],
        [f"lcs={d}|{c}" for d, c in zip(left, chunks, strict=True)],
        [f"rcs={d}|{c}" for d, c in zip(right, chunks, strict=True)],
    ]
    sentence_of = doc.sentence_of
    for offset in (-1, 1):
        columns.append(_prefixed(f"ch{offset}=", _in_sentence(chunks, sentence_of, offset)))
    for offset in (-2, -1, 1, 2):
        columns.append(_prefixed(f"w{offset}=", _in_sentence(words, sentence_of, offset)))
        columns.append(_prefixed(f"cb{offset}=", _in_sentence(buckets, sentence_of, offset)))
    for offset in (-1, 1):
        columns.append(_prefixed(f"sh{offset}=", _in_sentence(shapes, sentence_of, offset)))
    previous = _in_sentence(words, sentence_of, -1)
    following = _in_sentence(words, sentence_of, 1)
    columns.append([f"bi-={p}|{w}" for p, w in zip(previous, words, strict=True)])
    columns.append([f"bi+={w}|{f}" for w, f in zip(words, following, strict=True)])
    return list(zip(*columns, strict=True))


# Decoding: tagged spans grouped into attributions.


def _tagged_spans(labels: list[str], offset: int) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {role: [] for role in ROLES}
    role = None
    start = 0
    for i, label in enumerate([*labels, "O"]):
        prefix, _, kind = label.partition("-")
        if role is not None and (prefix != "I" or kind != role):
            spans[role].append((offset + start, offset + i))
            role = None
        if prefix in {"B", "I"} and role is None:
            role, start = kind, i
    return spans


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(a[0] - b[1], b[0] - a[1], 0)


def _pair_nearest(
    anchors: list[tuple[int, int]], candidates: list[tuple[int, int]]
) -> dict[int, int]:
    """Pairs anchor index -> candidate index: one-to-one, nearest first; then each anchor
    left over takes its nearest candidate even if that one is already taken."""
    return _pairs_by_distance(
        (_gap(a, c), i, j) for i, a in enumerate(anchors) for j, c in enumerate(candidates)
    )


def _pairs_by_distance(distances) -> dict[int, int]:
    """(distance, i, j) triples -> i -> j: one-to-one, nearest first; then each i left over
    takes its nearest j even if that one is already taken."""
    distances = sorted(distances)
    paired: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in distances:
        if i not in paired and j not in used:
            paired[i] = j
            used.add(j)
    for _, i, j in distances:
        paired.setdefault(i, j)
    return paired


def _recovered_source(
    doc: Document, cue: tuple[int, int], labels: list[str], lo: int, probability: list[float]
) -> tuple[int, int] | None:
    """For a cue left without a tagged source in its sentence: the nearest run of untagged
    tokens of that sentence whose source marginal is at least `_SOURCE_MARGINAL`."""
    s_lo, s_hi = doc.sentences[doc.sentence_of[cue[0]]]
    s_lo, s_hi = max(s_lo, lo), min(s_hi, lo + len(labels))
    runs = []
    start = None
    for k in range(s_lo, s_hi + 1):
        likely = k < s_hi and labels[k - lo] == "O" and probability[k - lo] >= _SOURCE_MARGINAL
        if likely and start is None:
            start = k
        elif not likely and start is not None:
            runs.append((start, k))
            start = None
    return min(runs, key=lambda run: _gap(run, cue)) if runs else None


def _pair_sources(
    doc: Document, cues: list[tuple[int, int]], sources: list[tuple[int, int]]
) -> dict[int, int]:
    """Pairs cue index -> source index within a sentence: one-to-one, nearest first; then a
    cue left over takes the nearest source of its sentence even if already taken ("X said
    ... and added ..."). A source in another sentence is never a cue's source."""
    sentence = doc.sentence_of

    def same_sentence(a: tuple[int, int], b: tuple[int, int]) -> bool:
        return sentence[a[0]] == sentence[b[0]] or sentence[a[1] - 1] == sentence[b[1] - 1]

    return _pairs_by_distance(
        (_gap(cue, source), i, j)
        for i, cue in enumerate(cues)
        for j, source in enumerate(sources)
        if same_sentence(cue, source)
    )


def _group(
    doc: Document,
    spans: dict[str, list[tuple[int, int]]],
    labels: list[str],
    lo: int,
    source_marginals: list[float] | None,
) -> list[Attribution]:
    """Attributions of one unit (its tokens from `lo`): each content joins its nearest cue
    (the pieces of a quote broken by `he said` join the same cue and become one covering
    span), each cue its nearest source in the same sentence, or failing that the likeliest
    source by the tagger's marginals (`_recovered_source`). A content with no cue in its unit
    is dropped: nothing says who said it, and on PolNeAR dev such contents are right only
    about half of the time."""
    contents, cues, sources = spans["CON"], spans["CUE"], spans["SRC"]
    cue_of_content = _pair_nearest(contents, cues)
    source_of_cue = _pair_sources(doc, cues, sources)

    def char_span(tokens: tuple[int, int]) -> Span:
        return Span(doc.tokens[tokens[0]].start, doc.tokens[tokens[1] - 1].end)

    pieces_of_cue: dict[int, list[tuple[int, int]]] = {}
    for content, cue in sorted((contents[i], cue) for i, cue in cue_of_content.items()):
        pieces_of_cue.setdefault(cue, []).append(content)
    found = []
    for cue, pieces in pieces_of_cue.items():
        source = sources[source_of_cue[cue]] if cue in source_of_cue else None
        if source is None and source_marginals is not None:
            source = _recovered_source(doc, cues[cue], labels, lo, source_marginals)
        found.append(
            Attribution(
                content=char_span((pieces[0][0], max(p[1] for p in pieces))),
                source=char_span(source) if source is not None else None,
                cue=char_span(cues[cue]),
            )
        )
    return found


def _with_recovered_cues(labels: list[str], cue_marginals: list[float]) -> list[str]:
    """A unit with a content but no cue: tokens outside sources whose cue marginal reaches
    `_CUE_MARGINAL` become a cue (often the tagger read "“…” beamed X" as one content)."""
    labels = list(labels)
    for k, probability in enumerate(cue_marginals):
        if probability >= _CUE_MARGINAL and labels[k] in {"O", "B-CON", "I-CON"}:
            labels[k] = "I-CUE" if k > 0 and labels[k - 1].endswith("CUE") else "B-CUE"
            if k + 1 < len(labels) and labels[k + 1] == "I-CON":
                labels[k + 1] = "B-CON"
    return labels


class AttributionTagger:
    """A trained attribution model: the CRF and the cue lexicon it was trained with."""

    def __init__(self, model_dir: Path) -> None:
        settings = json.loads((model_dir / LEXICON_FILE).read_text(encoding="utf-8"))
        self.lexicon = CueLexicon(
            settings["cue_words"], settings["cue_stems"], settings["strong_cue"]
        )
        self._crf = pycrfsuite.Tagger()
        self._crf.open(str(model_dir / MODEL_FILE))

    def extract(self, text: str) -> list[Attribution]:
        found: list[Attribution] = []
        for start, end in _blocks(text):
            found.extend(_shifted_attribution(a, start) for a in self._extract(text[start:end]))
        return sorted(found, key=lambda a: (a.content.start, a.content.end))

    def _marginals(self, role: str, length: int) -> list[float]:
        """Per token of the sequence just tagged: the probability that it is in a `role` span."""
        return [
            self._crf.marginal(f"B-{role}", k) + self._crf.marginal(f"I-{role}", k)
            for k in range(length)
        ]

    def _extract(self, text: str) -> list[Attribution]:
        doc = analyse_text(text)
        matches = _rule_matches(doc)
        features = token_features(doc, self.lexicon, matches)
        found: list[Attribution] = []
        for lo, hi in doc.units:
            labels = self._crf.tag(pycrfsuite.ItemSequence(features[lo:hi]))
            source_marginals = None
            if "B-CON" in labels or "B-CUE" in labels:
                if "B-CUE" not in labels:
                    labels = _with_recovered_cues(labels, self._marginals("CUE", hi - lo))
                source_marginals = self._marginals("SRC", hi - lo)
            found.extend(_group(doc, _tagged_spans(labels, lo), labels, lo, source_marginals))
        found = _with_trusted_patterns(found, matches)
        found = [_without_passive_source(a, text) for a in found]
        return [_with_antecedent(a, text) for a in _with_layout_patterns(found, text)]


def _with_trusted_patterns(
    found: list[Attribution], matches: list[_RuleMatch]
) -> list[Attribution]:
    """Let the two least ambiguous news patterns ("According to X, Y." and "Y, X said.") stand
    where the tagger found nothing or read the same words with another cue: a lone sentence
    sometimes defeats the tagger, never these patterns (neutral on PolNeAR dev)."""
    for pattern, rule in matches:
        if pattern not in _TRUSTED_PATTERNS:
            continue
        clashing = [a for a in found if _overlaps(a.content, rule.content)]
        if not any(_same_reading(a, rule) for a in clashing):
            found = [a for a in found if a not in clashing] + [rule]
    return found


# Layout that says who speaks without a reporting verb, read per line after the tagger:
# a quotation signed with a dash ("“…” ― Jane Doe") and a transcript's speaker label
# ("WALLACE: If I may, sir, …", "Poll: Clinton leads"). The tagger's features know neither.
_SIGNED_QUOTE = re.compile(
    r"(?P<content>[“\"”][^\n]{2,}?[”\"])\s*(?P<cue>[―—–]|--)\s*"
    r"(?P<source>[A-Z][\w’'.-]*(?:[ ][A-Z][\w’'.-]*){0,4})\.?[ \t]*(?=$|\n|[“\"])"
)
_SPEAKER_LABEL = re.compile(
    r"^[ \t]*[\"“]?(?P<source>[A-Z][\w’'.-]*(?:[ ][A-Z][\w’'.-]*){0,2})(?P<cue>:)[ \t]+"
    r"(?P<content>[^\n]{3,})$",
    re.MULTILINE,
)
_NOT_SPEAKER_LABELS = word_set(
    """note notes update updated editor editors photo photos video watch related source sources
    tags tag read more see also correction clarification disclosure warning caption credit
    image images subscribe share follow email published posted filed by via from to date
    time location where when what why how who q a the delegate daily"""
)


def _with_layout_patterns(found: list[Attribution], text: str) -> list[Attribution]:
    extra = []
    for match in _SIGNED_QUOTE.finditer(text):
        extra.append(_layout_attribution(match))
    for match in _SPEAKER_LABEL.finditer(text):
        label = match.group("source").lower().replace("’", "'")
        first = label.split()[0].removesuffix("'s")
        if label.rstrip(".") in _NOT_SPEAKER_LABELS or first in _NOT_SPEAKER_LABELS:
            continue
        if len(re.findall(r"[A-Za-z]{2,}", match.group("content"))) < 3:
            continue  # "Jane Doe: 1,769." is a table row
        extra.append(_layout_attribution(match))
    for rule in extra:
        clashing = [a for a in found if _overlaps(a.content, rule.content)]
        if any(a.source is not None and _overlaps(a.source, rule.source) for a in clashing):
            continue  # the tagger read it the same way
        found = [a for a in found if a not in clashing] + [rule]
    return sorted(found, key=lambda a: (a.content.start, a.content.end))


# A passive cue: a form of "be" and a past participle, adverbs allowed between.
_PASSIVE_CUE = re.compile(
    r"(?:is|was|are|were|be|been|being|has been|have been|had been)"
    r"(?:\s+(?:\w+ly|also|not|still|now|often|already))*"
    r"\s+(?:\w{2,}(?:ed|en|wn)|told|said|thought|held|brought|sought|heard|made)\b",
    re.IGNORECASE,
)
_AGENT = re.compile(r"\s*by\b", re.IGNORECASE)


def _without_passive_source(attribution: Attribution, text: str) -> Attribution:
    """A passive cue ("is expected", "was widely criticized") names no speaker: the subject
    before it is what the report is about, so a source found there is dropped. An agent after
    the cue ("was criticized by X") stays. PolNeAR gives no source to 320 of the 521 passive
    cues of its train split."""
    cue, source = attribution.cue, attribution.source
    if cue is None or source is None or source.start >= cue.end:
        return attribution
    passive = _PASSIVE_CUE.match(text, cue.start, cue.end)
    if passive is None or _AGENT.match(text, passive.end()):
        return attribution
    return Attribution(attribution.content, None, cue)


_RELATIVE_SOURCE = re.compile(r"(?:who|which|that)\b", re.IGNORECASE)
_ANTECEDENT = re.compile(r"[^.;:!?“”\"\n]{1,120}?,?\s*$")


def _with_antecedent(attribution: Attribution, text: str) -> Attribution:
    """A source that is a relative pronoun ("…, who told reporters") reaches back to the noun
    phrase it stands for ("Jane Doe, the head of the league, who")."""
    source = attribution.source
    if source is None or not _RELATIVE_SOURCE.match(text, source.start):
        return attribution
    window = max(0, source.start - 120)
    while 0 < window < source.start and not text[window - 1].isspace():
        window += 1  # never start inside a word ("…ders's claim" of "Sanders's claim")
    before = _ANTECEDENT.search(text, window, source.start)
    if not before or not before.group().strip(" ,"):
        return attribution
    start = before.start() + len(before.group()) - len(before.group().lstrip())
    return Attribution(attribution.content, Span(start, source.end), attribution.cue)


def _layout_attribution(match: re.Match[str]) -> Attribution:
    return Attribution(
        Span(*match.span("content")), Span(*match.span("source")), Span(*match.span("cue"))
    )


def _same_reading(tagged: Attribution, rule: Attribution) -> bool:
    """The tagger read the pattern's cue, and did not end the source early to take its rest
    as content ("According to [other Gulf] [and Western sources, the shift ...]")."""
    if tagged.cue is None or not _overlaps(tagged.cue, rule.cue):
        return False
    source = rule.source
    return source is None or not source.start < tagged.content.start < source.end


def _blocks(text: str) -> list[tuple[int, int]]:
    """Cut a long text into blocks of whole paragraphs (whole sentences, failing that), so that
    a very long article is analysed in bounded memory with the same result."""
    blocks = []
    start = 0
    while start < len(text):
        end = min(start + _BLOCK_CHARS, len(text))
        if end < len(text):
            for boundary in ("\n", ". ", " "):
                cut = text.rfind(boundary, start, end)
                if cut > start:
                    end = cut + len(boundary)
                    break
        blocks.append((start, end))
        start = end
    return blocks


def _shifted_attribution(attribution: Attribution, offset: int) -> Attribution:
    if offset == 0:
        return attribution

    def shift(span: Span | None) -> Span | None:
        return Span(span.start + offset, span.end + offset) if span is not None else None

    return Attribution(
        shift(attribution.content), shift(attribution.source), shift(attribution.cue)
    )


@functools.cache
def _default_tagger() -> AttributionTagger:
    return AttributionTagger(MODEL_DIR)


def extract_attributions(text: str) -> list[Attribution]:
    """Every attribution in `text`, in text order (the model is loaded once per process)."""
    return _default_tagger().extract(text)
