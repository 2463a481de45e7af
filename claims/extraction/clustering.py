"""Group claims that state the same fact across articles (issue 3, part 3).

1. Terms: each claim becomes lower-cased, lightly stemmed content terms, clause by clause.
   Reporting scaffolding ("said", "according to", weekdays, dates) and side facts in
   appositives and parentheses ("Ohio, the most delegate-rich state, …") are dropped, and a small
   general synonym table folds paraphrases ("officials"/"advisers"/"experts" -> personnel,
   "left"/"withdrew"/"flown back" -> depart, but "leaving office" -> resign).
2. TF-IDF over the batch (one dossier), numbers weighted up: words every claim shares weigh
   little, a shared "100" weighs a lot.
3. Candidate pairs come from blocking, never from all pairs: claims sharing a term that at most
   `max_block` claims carry, or, for common terms, a pair of them. Oversized blocks are
   dropped and identical texts are one node, so the pairs examined grow about linearly.
4. Similarity of a pair: the best of whole-claim cosine and clause-to-clause cosine (a sentence
   states its claim in one clause and dilutes it with framing in the others). For borderline
   pairs, those the decision could go either way on, a fifth of it is the cosine of the two
   claims' sentence-encoder vectors (`sentence_encoder.py`): meaning, not shared wording.
5. Merging, strongest pairs first, refuses conflicting quantities ("50 percent" vs "25
   percent"), groups too sparsely linked to each other (average linkage) and two clusters
   whose only strong pairs go through one member that matches each on different words, so
   one sentence that carries two facts cannot chain their clusters.

Decisions:
- Every claim gets a cluster, singletons included: analysts rate claims that only one outlet
  carries, and a singleton that later gains members keeps its key. `article_count` tells the
  UI which clusters span outlets.
- Claims of one article never link directly (they share the article's vocabulary by
  construction; exact copies excepted), but may share a cluster through another outlet's
  claim that matches both, e.g. a headline and a lead restating one fact.
- Keys are stable: a cluster keeps the previous key most of its members held (verdict-bearing
  `anchored_keys` first); keys no cluster kept are returned as `retired_keys`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from claims.extraction import sentence_encoder
from claims.extraction.contradictions import (
    Contradiction,
    ContradictionInput,
    find_contradictions,
    is_negated,
)
from claims.extraction.kinds import is_prediction

DEFAULT_THRESHOLD = 0.35
# Two groups merge only if this share of their cross pairs are strong (see _merge).
LINK_DENSITY = 0.3
DEFAULT_MAX_BLOCK = 100
# How many of a claim's common terms form conjunction keys (pairs of them).
CONJUNCTION_TERMS = 4
NEW_KEY_PREFIX = "new-"
# A quantity is the most checkable part of a claim: its term counts this much more.
NUMBER_WEIGHT = 1.5
MIN_CLAUSE_TERMS = 4
# How many shared terms a link shows.
LINK_TERMS = 6
# A term is rare when at most this many claims (or this share of them) carry it.
RARE_TERM_MIN_CLAIMS = 10
RARE_TERM_SHARE = 0.01
# Two claims quoting the same words (a whole quotation of at least QUOTE_MIN_WORDS words, or
# QUOTE_SHINGLE consecutive words of a longer one) report the same remark: their similarity is
# raised to QUOTE_SIMILARITY, whatever framing surrounds the quotation.
QUOTE_MIN_WORDS = 3
QUOTE_SHINGLE = 5
QUOTE_SIMILARITY = 0.6
# Borderline pairs (wording similarity from MEANING_FLOOR up to where the meaning part can no
# longer pull them under the threshold) are scored (1 - MEANING_WEIGHT) x wording +
# MEANING_WEIGHT x the sentence encoder's cosine. The encoder costs 20-60 ms a claim, so at
# most MEANING_BUDGET claims are encoded per clustering, those of the pairs nearest the
# threshold first; past it the wording alone decides. On the dev gold dossiers a budget of
# 150 to 400 gives the same clusters, and a weight of 0.15 or 0.25 moves one pair.
MEANING_WEIGHT = 0.2
MEANING_FLOOR = 0.2
MEANING_BUDGET = 150
# Clause-level similarity is computed only for pairs whose whole-claim similarity reaches this
# fraction of the threshold (keeps the clause step cheap).
CLAUSE_FLOOR = 0.3


@dataclass(frozen=True)
class ClusterItem:
    claim_key: str
    article_key: str
    text: str
    quantities: tuple = ()
    previous_cluster: str | None = None
    # When the claim says it happened: ISO dates or weekday names (see `when_keys`).
    dates: tuple[str, ...] = ()
    # The named speaker or cited source it reached its article through (origins.py).
    source: str | None = None


@dataclass(frozen=True)
class Cluster:
    key: str
    claim_keys: tuple[str, ...]
    canonical_claim_key: str
    canonical_text: str
    article_count: int


@dataclass(frozen=True)
class Link:
    """Why a claim is in its cluster: the member it matched best, and what they share."""

    partner: str  # claim_key
    score: float  # wording similarity (1.0 for an identical copy)
    shared_terms: tuple[str, ...] = ()  # heaviest first
    shared_quantities: tuple[float, ...] = ()
    shared_dates: tuple[str, ...] = ()
    identical: bool = False
    shared_quote: str = ""  # words both quote verbatim: the same remark, however framed
    meaning: float | None = None  # sentence-encoder cosine, for a pair scored on meaning too

    def as_dict(self) -> dict:
        found = {
            "partner": self.partner,
            "score": round(float(self.score), 3),
            "shared_terms": list(self.shared_terms),
            "shared_quantities": list(self.shared_quantities),
            "shared_dates": list(self.shared_dates),
            "identical": self.identical,
        }
        if self.shared_quote:
            found["shared_quote"] = self.shared_quote
        if self.meaning is not None:
            found["meaning_similarity"] = round(float(self.meaning), 3)
        return found


@dataclass(frozen=True)
class ClusteringResult:
    assignments: dict[str, str]  # claim_key -> cluster key
    clusters: dict[str, Cluster]
    retired_keys: frozenset[str]  # previous keys no cluster kept: their verdicts need review
    candidate_pairs: int  # pairs whose similarity was computed (scaling evidence)
    links: dict[str, Link] = field(default_factory=dict)  # members of multi-claim clusters
    contradictions: tuple[Contradiction, ...] = ()


# --- terms -------------------------------------------------------------------------------

_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)"
)
# Dates are when, not what: "May 31" in a byline must not look like a shared quantity.
_DATE = re.compile(
    rf"\b{_MONTH}\.? \d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)? {_MONTH}\b",
    re.IGNORECASE,
)
# A time of day is when, not how many: "a 3 a.m. call" shares no figure with "3 points".
_CLOCK = re.compile(r"\b\d{1,2}(?:[:.]\d{2})?\s?(?:a\.m\.|p\.m\.|am\b|pm\b|o'clock\b)", re.I)
_UNIT = {
    "%": "%", "percent": "%", "per cent": "%", "million": "m", "billion": "bn",
    "thousand": "k", "km": "km", "kilometers": "km", "kilometres": "km", "miles": "mi",
    "dollars": "$", "euros": "eur",
}  # fmt: skip
_TOKEN = re.compile(
    r"(\d+(?:[.,]\d+)*)(?: ?(%|percent|per cent|million|billion|thousand|km|kilometers"
    r"|kilometres|miles|dollars|euros)\b)?|([a-z]+(?:'[a-z]+)?)",
    re.IGNORECASE,
)
# Clause boundaries inside a sentence: the unit a claim usually is.
# A quotation kept whole is several sentences: each sentence is a clause too.
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]\"]| that |(?<=[a-z0-9%])[.?!](?=\s)")
_CLAUSE_DASH = re.compile("[\u2013\u2014\u2015]|--")
_HYPHEN = re.compile("[\u2010\u2011\u2012\u2212-]")

_STOPWORD_LIST = """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    may might must shall upon via amid among per whether yet still even though although
    many much several one another any every either neither thing way well
    say said says saying tell told tells telling report reported reports reportedly reporting
    according accordingly note noted notes quote quoted quoting cite cited citing add added
    claim claimed claims announce announced statement state stated
    newspaper paper source sources
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    week weeks month months year years ago last next recent recently
    mr mrs ms dr sir al el
    get gets got make makes made go goes went gone come comes came take takes took know knew
    think thought see saw seen want wants wanted
    don didn doesn isn aren wasn weren couldn wouldn shouldn haven hasn hadn ain"""
_STOPWORDS = frozenset(_STOPWORD_LIST.split())

# Multi-word paraphrases, folded before words: "leaving office" is resigning, "left the
# country" is departing. One alternation, one pass; the group name is the concept.
_PHRASE = re.compile(
    r"\b(?:(?P<resign>(?:leav(?:e|es|ing)|left|quit(?:s|ting)?) (?:the |his |her |their )?office"
    r"|step(?:s|ped|ping)? down)"
    r"|(?P<depart>(?:flown|flew|fly|flying|flies|sent|send|sending|brought|bring) (?:back|home)"
    r"|pull(?:s|ed|ing)? (?:out|back))"
    r"|(?P<head>in charge of)"
    r"|(?P<usa>(?-i:United States)(?: of America)?|(?-i:U\.S\.(?:A\.)?)))(?:\b|(?<=\.))",
    re.IGNORECASE,
)

_PHRASE_HINT = re.compile(r"office|down|back|home|out\b|charge|United|U\.S", re.IGNORECASE)
# How a source is described, not what it says: shared by unrelated claims in every dossier.
_SOURCING_BOILERPLATE = re.compile(
    r"\b(?:(?:who\s+)?(?:spoke|speaking|talked|talking)\s+on\s+(?:the\s+)?condition\s+of"
    r"\s+anonymity|(?:because|as|since)\s+(?:he|she|they)\s+(?:was|were|is|are)\s+not"
    r"\s+authori[sz]ed\s+to\s+(?:speak|talk|comment|discuss)[\w\s]{0,40}?(?=[,.;]|$)"
    r"|declined\s+to\s+comment|did\s+not\s+(?:immediately\s+)?respond\s+to\s+(?:a\s+)?"
    r"requests?\s+for\s+comment)",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")

_CONCEPTS: dict[str, str] = {
    "personnel": (
        "official adviser advisor advis expert personnel staff diplomat specialist technician"
        " envoy emissary consultant"
    ),
    "depart": "leav left depart departur withdraw withdrew withdrawn exit evacuat flee fled",
    "resign": "resign abdicat",
    "head": "head chief leader boss",
    "change": "chang shift revers turn",
    "protect": "safeguard maintain ensur preserv protect guarante",
    "attain": "clinch captur amass attain secur",
    "matter": "matter concern priorit",
    "cause": "link tie connect relat consequenc caus driv",
    "talk": "negotiat negotiation talk discuss",
    "support": "support backer prop",
    "kill": "kill slain slay murder",
    "attack": "attack strike assault raid",
    "control": "control hold held",
    "persuade": "persuad convinc sway woo lobby",
    "switch": "switch flip defect",
}
_CONCEPT_OF_STEM = {stem: concept for concept, stems in _CONCEPTS.items() for stem in stems.split()}
# News names a government by its capital ("Moscow pulled its advisers out of Damascus"):
# capitals whose name has no other common sense stand for their country. Washington, London
# and Jerusalem are left out (a state, a person, a contested status).
_COUNTRY_OF_CAPITAL = {
    "moscow": "russia", "damascus": "syria", "beijing": "china", "tehran": "iran",
    "kyiv": "ukraine", "kiev": "ukraine", "ankara": "turkey", "riyadh": "saudi",
    "cairo": "egypt", "baghdad": "iraq", "kabul": "afghanistan", "beirut": "lebanon",
    "pyongyang": "korea", "caracas": "venezuela", "havana": "cuba", "tokyo": "japan",
    "berlin": "germany", "paris": "france", "tripoli": "libya", "sanaa": "yemen",
    "amman": "jordan", "doha": "qatar", "islamabad": "pakistan", "minsk": "belarus",
}  # fmt: skip


# Common irregular past forms, so that "paid" meets "pay" and "won" meets "win" ("left",
# "held" and "said" are concepts or stop words already).
_IRREGULAR = {
    "paid": "pay", "won": "win", "lost": "lose", "sold": "sell", "bought": "buy",
    "built": "build", "caught": "catch", "fought": "fight", "began": "begin", "begun": "begin",
    "ran": "run", "rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall",
    "gave": "give", "given": "give", "met": "meet", "spent": "spend", "kept": "keep",
    "led": "lead", "struck": "strike", "chose": "choose", "chosen": "choose", "grew": "grow",
    "grown": "grow", "wrote": "write", "written": "write", "spoke": "speak", "spoken": "speak",
    "shot": "shoot", "sent": "send", "sought": "seek",
}  # fmt: skip


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """A light suffix stripper: enough to meet plurals and tenses, no dictionary needed."""
    if word.endswith("'s"):
        word = word[:-2]
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3:
        return word
    for suffix, replacement in (
        ("ies", "y"),
        ("sses", "ss"),
        ("xes", "x"),
        ("ches", "ch"),
        ("shes", "sh"),
        ("ing", ""),
        ("ed", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) + len(replacement) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    else:
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


@lru_cache(maxsize=200_000)
def _word_term(word: str) -> str | None:
    if word.endswith("n't"):  # "won't", "didn't": auxiliaries, not content
        return None
    word = word.split("'")[0] if word.endswith(("'re", "'ve", "'ll", "'d", "'m")) else word
    if word in _STOPWORDS:
        return None
    stem = _stem(word)
    if len(stem) < 3:
        return None
    if word in _COUNTRY_OF_CAPITAL:
        return _stem(_COUNTRY_OF_CAPITAL[word])
    return _CONCEPT_OF_STEM.get(word) or _CONCEPT_OF_STEM.get(stem) or stem


def _number_term(number: str, unit: str | None) -> str:
    """ "#100" for a count, "#50%" for a share; a year is a plain word, not a quantity."""
    value = number.replace(",", "")
    if unit is None and len(value) == 4 and value.isdigit() and 1800 <= int(value) <= 2100:
        return f"y{value}"
    return f"#{value}{_UNIT[unit] if unit else ''}"


def _fold(text: str) -> str:
    """ASCII text with clause dashes marked, hyphens split, dates and times of day dropped,
    phrases folded; case is kept so that names can be told from words."""
    text = _HYPHEN.sub(" ", _CLAUSE_DASH.sub(" ; ", text))
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("''", '"')  # quotation marks typed as two apostrophes (NYT)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    if _DIGIT.search(text):
        text = _CLOCK.sub(" ", _DATE.sub(" ", text))
    if _PHRASE_HINT.search(text):
        text = _PHRASE.sub(lambda match: f" {match.lastgroup} ", text)
    if "anonymity" in text or "authori" in text or "comment" in text:
        text = _SOURCING_BOILERPLATE.sub(" ", text)
    return text


def _clause_terms(folded_clause: str) -> tuple[list[str], int]:
    """The clause's terms and how many of them are not capitalised names."""
    terms, plain = [], 0
    for number, unit, word in _TOKEN.findall(folded_clause):
        if number:
            terms.append(_number_term(number, unit.lower() or None))
            plain += 1
        elif term := _word_term(word.lower()):
            terms.append(term)
            plain += word[0].islower()
    return terms, plain


@lru_cache(maxsize=300_000)
def _term_set(text: str) -> frozenset[str]:
    return frozenset(term for clause in claim_clauses(text) for term in clause)


def _surface(text: str) -> dict[str, str]:
    """Each term of a claim -> the first word of the text that gave it, for display."""
    words: dict[str, str] = {}
    for _, _, word in _TOKEN.findall(_fold(text)):
        if word and (term := _word_term(word.lower())):
            words.setdefault(term, word)
    return words


def claim_clauses(text: str) -> list[list[str]]:
    """Content terms of a claim, clause by clause. A clause needs MIN_CLAUSE_TERMS terms, two of
    them not names, or it is joined to the next: "President Bashar Assad" alone asserts nothing."""
    clauses: list[list[str]] = []
    complete, plain_count = True, 0
    for piece in _CLAUSE_BREAK.split(_fold(text)):
        terms, plain = _clause_terms(piece)
        if not complete:
            clauses[-1].extend(terms)
            plain_count += plain
        elif terms:
            clauses.append(terms)
            plain_count = plain
        else:
            continue
        complete = len(clauses[-1]) >= MIN_CLAUSE_TERMS and plain_count >= 2
    if len(clauses) > 1 and not complete:
        clauses[-2].extend(clauses.pop())
    return clauses


def _fold_demonyms(vocabulary: Collection[str]) -> dict[str, str]:
    """Map "russian" -> "russia", "iranian" -> "iran" when the batch also names the country."""
    folds = {}
    for term in vocabulary:
        if term.endswith("an") and len(term) > 5:
            for country in (term[:-1], term[:-3]):
                if country in vocabulary:
                    folds[term] = country
                    break
    return folds


# --- clustering --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Vectors:
    claims: sparse.csr_matrix  # one l2-normalised tf-idf row per claim
    clauses: sparse.csr_matrix  # one row per clause of claims with two or more clauses
    clause_rare_terms: sparse.csr_matrix  # the clause rows cut to terms few claims carry
    clause_owner: np.ndarray  # claim index of each clause row
    terms: np.ndarray  # the term of each column


def cluster_claims(
    items: Sequence[ClusterItem],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    max_block: int = DEFAULT_MAX_BLOCK,
    anchored_keys: Collection[str] = (),
    must_link: Sequence[tuple[str, str]] = (),
    cannot_link: Sequence[tuple[str, str]] = (),
) -> ClusteringResult:
    """Cluster `items` (one dossier's claims).

    `anchored_keys` are previous cluster keys that carry analysts' work (verdicts): when one new
    cluster holds members of several previous clusters, an anchored key wins over a larger
    unanchored one, so a verdict stays attached to the claim it judged.

    `must_link` and `cannot_link` are analysts' corrections (pairs of claim keys): a must-link
    pair always shares a cluster, a cannot-link pair never does, and where the two disagree
    (a chain of must-links joining a cannot-link pair) the cannot-link wins.
    """
    keys = [item.claim_key for item in items]
    if len(set(keys)) != len(keys):
        raise ValueError("claim_key values must be unique")
    if not items:
        return ClusteringResult({}, {}, frozenset(), 0)
    vectors = _vectorise([item.text for item in items])
    # Claims with identical terms (syndicated copies) form one node: blocking sees each text
    # once, so a story copied by hundreds of outlets cannot overflow every block it is in.
    facts = [_facts(item) for item in items]
    # A claim an analyst kept apart from another is a node of its own, even among copies.
    kept_apart = {key for pair in cannot_link for key in pair}
    nodes, node_of = np.unique(
        _first_identical_row(
            vectors.claims,
            [
                (
                    *fact,
                    is_negated(item.text),
                    item.claim_key if item.claim_key in kept_apart else "",
                )
                for item, fact in zip(items, facts, strict=True)
            ],
        ),
        return_inverse=True,
    )
    left, right = _candidate_pairs(vectors.claims[nodes], max_block=max_block)
    # A fragment of two or three content words ("They were kind of on their own") matches
    # anything that shares one of them; only its exact copies join it.
    substantial = np.diff(vectors.claims.indptr)[nodes] >= MIN_CLAUSE_TERMS
    kept = substantial[left] & substantial[right]
    left, right = left[kept], right[kept]
    similarity = _pair_similarity(
        vectors, nodes[left], nodes[right], floor=threshold * CLAUSE_FLOOR
    )
    node_texts = [items[n].text for n in nodes.tolist()]
    similarity, meaning = _with_meaning(node_texts, left, right, similarity, threshold)
    left, right, similarity, quoted = _with_shared_quotations(
        node_texts, left, right, similarity, max_block=max_block
    )
    contradictions = find_contradictions(
        [
            ContradictionInput(
                items[n].claim_key,
                items[n].text,
                *facts[n][:2],  # quantities, dates
                _term_set,
                word_term=_word_term,
                source=items[n].source,
                article_key=items[n].article_key,
            )
            for n in nodes.tolist()
        ],
        left,
        right,
        similarity,
        _MatrixVocabulary(vectors.claims[nodes], vectors.terms),
    )
    # Two claims that contradict each other are never one claim.
    node_index = {items[n].claim_key: index for index, n in enumerate(nodes.tolist())}
    apart = [(node_index[c.a], node_index[c.b]) for c in contradictions]
    node_of_key = {item.claim_key: int(node) for item, node in zip(items, node_of, strict=True)}

    def analysts(pairs: Sequence[tuple[str, str]]) -> list[tuple[int, int]]:
        return [(node_of_key[a], node_of_key[b]) for a, b in pairs if {a, b} <= node_of_key.keys()]

    node_claims = vectors.claims[nodes]
    node_terms = [
        frozenset(node_claims.indices[start:stop].tolist())
        for start, stop in zip(node_claims.indptr[:-1], node_claims.indptr[1:], strict=True)
    ]
    labels = _merge(
        items,
        facts,
        node_terms,
        node_of,
        left,
        right,
        similarity,
        threshold=threshold,
        apart=apart,
        together=analysts(must_link),
        never=analysts(cannot_link),
    )
    links = _links(
        items, facts, vectors, nodes, node_of, labels, left, right, similarity, threshold,
        quoted, meaning,
    )  # fmt: skip
    return _result(
        items,
        vectors.claims,
        labels,
        anchored_keys,
        candidate_pairs=len(left),
        links=links,
        contradictions=tuple(contradictions),
    )


class _MatrixVocabulary:
    """The batch's terms, as contradictions.Vocabulary reads them: from the tf-idf rows."""

    def __init__(self, matrix: sparse.csr_matrix, terms: np.ndarray):
        self._binary = matrix.copy()
        self._binary.data[:] = 1
        self._terms = terms

    def terms(self, index: int) -> frozenset[str]:
        start, stop = self._binary.indptr[index], self._binary.indptr[index + 1]
        return frozenset(self._terms[self._binary.indices[start:stop]].tolist())

    def shared_counts(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        return np.rint(_rowwise_dot(self._binary, left, right)).astype(np.int64)


def _first_identical_row(matrix: sparse.csr_matrix, keys: Sequence[tuple]) -> np.ndarray:
    """For each row, the index of the first row with exactly the same terms and weights and the
    same key (claims without any content term are copies of nothing)."""
    matrix.sort_indices()
    first: dict[tuple, int] = {}
    copy_of = np.empty(matrix.shape[0], dtype=np.int64)
    for row in range(matrix.shape[0]):
        start, stop = matrix.indptr[row], matrix.indptr[row + 1]
        signature = (
            matrix.indices[start:stop].tobytes() + matrix.data[start:stop].tobytes(),
            keys[row],
        )
        copy_of[row] = first.setdefault(signature, row) if stop > start else row
    return copy_of


_PARENTHETICAL = re.compile(
    r"\s*\([^()]{1,80}\)"
    r"|\s*(?:[\u2013-\u2015]|--)(?=\s*[a-z])[^\u2013-\u2015\u201c\u201d\"]{1,80}?(?:[\u2013-\u2015]|--)"
)
_APPOSITIVE = re.compile(r"(?<=[A-Za-z]),\s(?:the|a|an)\s[^,;()\u201c\u201d\"]{3,90}?,(?=\s[a-z])")
# A description closing the sentence after a name: "…, said Len Burman, head of the Tax
# Policy Center." / "…, Jane Doe, an economist who served as …".
_CLOSING_APPOSITIVE = re.compile(
    r"(\b[A-Z][\w.'\u2019-]*),\s(?:(?:the|a|an)\s|(?:[a-z]+\s){0,2}(?:head|director|president"
    r"|chairman|chairwoman|chair|chief|spokesman|spokeswoman|professor|adviser|advisor|leader"
    r"|senator|secretary|minister|analyst|fellow|editor|founder|author|member)\s)"
    r"[^,;()\u201c\u201d\"]{3,200}?(?=[.!?]?\s*$)"
)


# A role put before a name says who the person is, not what the claim says: "Democratic
# presidential candidate Hillary Clinton", "fellow candidate Ted Cruz".
_ROLE_BEFORE_NAME = re.compile(
    r"\b(?:(?:fellow|former|rival|presumptive)\s)?(?:(?:Democratic|Republican|GOP)\s)?"
    r"(?:presidential\s)?(?:candidate|contender|nominee|hopeful|front-?runner)s?\s(?=[A-Z])"
)


def _at_issue(text: str) -> str:
    """The text without its parentheticals (in brackets or between dashes) and appositives:
    they add side facts about something named ("California (475 delegates)", "the debate –
    published by The Washington Post – shows", "California, the most delegate-rich state,
    has …", "said Len Burman, head of the Tax Policy Center"), not what the claim asserts."""
    stripped = _APPOSITIVE.sub("", _PARENTHETICAL.sub(" ", text))
    stripped = _CLOSING_APPOSITIVE.sub(r"\1", stripped)
    stripped = _ROLE_BEFORE_NAME.sub("", stripped)
    return stripped if len(stripped.split()) >= 4 else text


def _vectorise(texts: Sequence[str]) -> _Vectors:
    """TF-IDF rows for claims and for the clauses of multi-clause claims."""
    clause_lists = [claim_clauses(_at_issue(text)) for text in texts]
    folds = _fold_demonyms({term for clauses in clause_lists for c in clauses for term in c})
    if folds:
        clause_lists = [[[folds.get(t, t) for t in c] for c in clauses] for clauses in clause_lists]
    if not any(clause for clauses in clause_lists for clause in clauses):
        nothing = sparse.csr_matrix((len(texts), 0), dtype=np.float32)
        empty = np.array([], dtype=np.int64)
        return _Vectors(nothing, nothing[:0], nothing[:0], empty, empty.astype(str))
    vectorizer = TfidfVectorizer(
        analyzer=lambda terms: terms, sublinear_tf=True, norm=None, dtype=np.float32
    )
    claims = vectorizer.fit_transform([sum(clauses, []) for clauses in clause_lists]).tocsr()
    numeric = np.array([term.startswith("#") for term in vectorizer.get_feature_names_out()])
    emphasis = sparse.diags(np.where(numeric, NUMBER_WEIGHT, 1.0).astype(np.float32))
    document_frequency = np.bincount(claims.indices, minlength=claims.shape[1])
    rare_limit = max(RARE_TERM_MIN_CLAIMS, int(RARE_TERM_SHARE * len(texts)))
    split = [
        (owner, c)
        for owner, clauses in enumerate(clause_lists)
        if len(clauses) > 1
        for c in clauses
    ]
    clauses = vectorizer.transform([c for _, c in split]) if split else claims[:0]
    rare = sparse.diags((document_frequency <= rare_limit).astype(np.float32))
    return _Vectors(
        claims=normalize(claims @ emphasis).tocsr(),
        clauses=(normalize(clauses @ emphasis) if split else clauses).tocsr(),
        clause_rare_terms=(clauses @ rare).tocsr(),
        clause_owner=np.array([owner for owner, _ in split], dtype=np.int64),
        terms=vectorizer.get_feature_names_out(),
    )


def _candidate_pairs(matrix: sparse.csr_matrix, *, max_block: int) -> tuple[np.ndarray, ...]:
    """Pairs of claims sharing a block key; each block holds at most `max_block` claims."""
    n_claims, n_terms = matrix.shape
    rows = np.repeat(np.arange(n_claims, dtype=np.int64), np.diff(matrix.indptr))
    terms = matrix.indices.astype(np.int64)
    document_frequency = np.bincount(terms, minlength=n_terms)
    rare = document_frequency[terms] <= max_block
    common_keys, common_rows = _conjunction_keys(rows[~rare], terms[~rare], document_frequency)
    keys = np.concatenate([terms[rare], common_keys + n_terms])  # offset: no clash with terms
    return _pairs_within_blocks(keys, np.concatenate([rows[rare], common_rows]), max_block)


def _conjunction_keys(
    rows: np.ndarray, terms: np.ndarray, document_frequency: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Keys for pairs of a claim's rarest common terms: "100" AND "depart" is rare even when
    both words are everywhere in the dossier."""
    n_terms = len(document_frequency)
    order = np.lexsort((document_frequency[terms], rows))
    rows, terms = rows[order], terms[order]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    sizes = np.diff(np.r_[starts, len(rows)])
    keys, key_rows = [np.array([], dtype=np.int64)], [np.array([], dtype=np.int64)]
    for first in range(CONJUNCTION_TERMS):
        for second in range(first + 1, CONJUNCTION_TERMS):
            heads = starts[sizes > second]
            low = np.minimum(terms[heads + first], terms[heads + second])
            high = np.maximum(terms[heads + first], terms[heads + second])
            keys.append(low * n_terms + high)
            key_rows.append(rows[heads])
    return np.concatenate(keys), np.concatenate(key_rows)


def _pairs_within_blocks(
    keys: np.ndarray, rows: np.ndarray, max_block: int
) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((rows, keys))
    keys, rows = keys[order], rows[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    n_claims = int(rows.max()) + 1 if len(rows) else 1
    codes = [np.array([], dtype=np.int64)]
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= max_block)]):
        members = rows[starts[sizes == size][:, None] + np.arange(size)]  # ascending per block
        first, second = np.triu_indices(size, k=1)
        codes.append((members[:, first] * n_claims + members[:, second]).ravel())
    unique = np.sort(np.concatenate(codes))
    unique = unique[np.r_[True, unique[1:] != unique[:-1]][: len(unique)]]
    return unique // n_claims, unique % n_claims


def _rowwise_dot(
    matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray, chunk: int = 400_000
) -> np.ndarray:
    dots = np.empty(len(left), dtype=np.float32)
    for start in range(0, len(left), chunk):
        stop = start + chunk
        products = matrix[left[start:stop]].multiply(matrix[right[start:stop]])
        dots[start:stop] = np.asarray(products.sum(axis=1)).ravel()
    return dots


def _pair_similarity(
    vectors: _Vectors, left: np.ndarray, right: np.ndarray, *, floor: float
) -> np.ndarray:
    """Cosine of the two claims, or of their best-matching clauses when that is higher: a
    sentence states its claim in one clause and dilutes it with framing in the others.

    Two clauses count only if they share a rare term, so boilerplate framing ("amid growing
    concern among officials") matches nothing, however often it recurs.
    """
    similarity = _rowwise_dot(vectors.claims, left, right)
    near = np.flatnonzero(similarity >= floor)
    if not len(near) or not len(vectors.clause_owner):
        return similarity
    n_claims = vectors.claims.shape[0]
    owner = np.r_[np.arange(n_claims), vectors.clause_owner]
    order = np.argsort(owner, kind="stable")  # each claim's whole row, then its clause rows
    first_unit = np.searchsorted(owner[order], np.arange(n_claims))
    unit_count = np.bincount(owner, minlength=n_claims)
    a_count, b_count = unit_count[left[near]], unit_count[right[near]]
    combos = a_count * b_count
    pair = np.repeat(near, combos)
    offset = np.arange(combos.sum()) - np.repeat(np.cumsum(combos) - combos, combos)
    a_unit = order[first_unit[left[pair]] + offset // np.repeat(b_count, combos)]
    b_unit = order[first_unit[right[pair]] + offset % np.repeat(b_count, combos)]
    units = sparse.vstack([vectors.claims, vectors.clauses]).tocsr()
    rare_units = sparse.vstack([vectors.claims, vectors.clause_rare_terms]).tocsr()
    shares_rare = _rowwise_dot(rare_units, a_unit, b_unit) > 0
    np.maximum.at(
        similarity, pair[shares_rare], _rowwise_dot(units, a_unit[shares_rare], b_unit[shares_rare])
    )
    return similarity


def _with_meaning(
    texts: Sequence[str],
    left: np.ndarray,
    right: np.ndarray,
    similarity: np.ndarray,
    threshold: float,
) -> tuple[np.ndarray, dict[tuple[int, int], float]]:
    """Blend the sentence encoder's cosine into the similarity of borderline pairs (see
    MEANING_WEIGHT): "Clinton clinched the nomination on Monday night" and "she had reached
    the 2,383 delegates needed to secure the nomination" share few words but one meaning.

    Meaning may lower any borderline pair but raise only two statements of one mode: "Russia
    will approve Assad leaving once ..." means nearly what "Moscow announced that Assad had
    stepped down" means to the encoder, but a prediction is not the report of its outcome.

    Returns the new similarities and each scored pair's cosine, keyed by (left, right)."""
    ceiling = threshold / (1 - MEANING_WEIGHT)  # above it the pair passes whatever it means
    borderline = np.flatnonzero((similarity >= MEANING_FLOOR) & (similarity < ceiling))
    if not len(borderline):
        return similarity, {}
    borderline = borderline[np.argsort(np.abs(similarity[borderline] - threshold), kind="stable")]
    chosen: dict[int, int] = {}  # node -> its row among the encoded texts
    scored = []
    for pair in borderline.tolist():
        needed = {int(left[pair]), int(right[pair])} - chosen.keys()
        if len(chosen) + len(needed) > MEANING_BUDGET:
            continue
        for node in sorted(needed):
            chosen[node] = len(chosen)
        scored.append(pair)
    encoded = sentence_encoder.encode([texts[node] for node in chosen])
    scored_pairs = np.array(scored, dtype=np.int64)
    rows_a = np.array([chosen[int(n)] for n in left[scored_pairs]], dtype=np.int64)
    rows_b = np.array([chosen[int(n)] for n in right[scored_pairs]], dtype=np.int64)
    cosine = np.einsum("ij,ij->i", encoded[rows_a], encoded[rows_b])
    wording = similarity[scored_pairs]
    blended_pairs = (1 - MEANING_WEIGHT) * wording + MEANING_WEIGHT * cosine
    looks_ahead = {node: is_prediction(texts[node]) for node in chosen}
    modes_differ = np.array(
        [
            looks_ahead[int(a)] != looks_ahead[int(b)]
            for a, b in zip(left[scored_pairs], right[scored_pairs], strict=True)
        ],
        dtype=bool,
    )
    blended = similarity.copy()
    blended[scored_pairs] = np.where(
        modes_differ, np.minimum(blended_pairs, wording), blended_pairs
    )
    meaning = {
        (int(a), int(b)): float(c)
        for a, b, c in zip(left[scored_pairs], right[scored_pairs], cosine, strict=True)
    }
    return blended, meaning


_QUOTATION = re.compile(r"[\"\u201c\u201d]([^\"\u201c\u201d]{6,}?)[\"\u201c\u201d]|''(.{6,}?)''")
_QUOTED_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def quotation_keys(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """What a claim quotes, as keys -> the quotation as written, in two kinds.

    Full keys: each whole quotation of QUOTE_MIN_WORDS words or more, and each run of
    QUOTE_SHINGLE words of it, so that outlets quoting more or less of one remark still meet.
    Inner keys: the shorter runs of a longer quotation, which meet only a whole short quotation
    ("The struggle continues" inside a long quotation of the same speech), never each other
    (two long quotations sharing "I think that" say nothing alike).
    """
    full: dict[str, str] = {}
    inner: dict[str, str] = {}
    for match in _QUOTATION.finditer(text.replace("\u2019", "'")):
        quoted = match.group(1) or match.group(2)
        words = _QUOTED_WORD.findall(quoted.lower())
        if len(words) < QUOTE_MIN_WORDS:
            continue
        shown = " ".join(quoted.split()).strip(" ,.")
        full.setdefault(" ".join(words), shown)
        for size in range(QUOTE_MIN_WORDS, len(words) + 1):
            found = full if size == QUOTE_SHINGLE else inner if size < QUOTE_SHINGLE else None
            if found is None:
                break
            for start in range(len(words) - size + 1):
                found.setdefault(" ".join(words[start : start + size]), shown)
    return full, inner


def _with_shared_quotations(
    texts: Sequence[str],
    left: np.ndarray,
    right: np.ndarray,
    similarity: np.ndarray,
    *,
    max_block: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[tuple[int, int], str]]:
    """Add the pairs of claims that quote the same words, at QUOTE_SIMILARITY at least.

    A quotation repeated by more than `max_block` claims (a slogan) links nothing, like an
    oversized block. Returns the pairs, their similarity and the quotation of each quote pair.
    """
    full: dict[str, list[int]] = {}
    inner: dict[str, list[int]] = {}
    shown: dict[str, str] = {}
    for index, text in enumerate(texts):
        if '"' not in text and "\u201c" not in text and "''" not in text:
            continue
        full_keys, inner_keys = quotation_keys(text)
        for found, keys in ((full, full_keys), (inner, inner_keys)):
            for key, quotation in keys.items():
                found.setdefault(key, []).append(index)
                shown.setdefault(key, quotation)
    quoted: dict[tuple[int, int], str] = {}
    for key, members in full.items():
        others = inner.get(key, [])
        if len(members) + len(others) > max_block:
            continue
        for position, a in enumerate(members):
            for b in members[position + 1 :] + others:
                if a != b:
                    quoted.setdefault((min(a, b), max(a, b)), shown[key])
    if not quoted:
        return left, right, similarity, quoted
    n = len(texts)
    codes = left.astype(np.int64) * n + right
    extra = np.array([a * n + b for a, b in quoted], dtype=np.int64)
    all_codes = np.concatenate([codes, extra])
    all_similarity = np.concatenate(
        [similarity, np.full(len(extra), QUOTE_SIMILARITY, dtype=similarity.dtype)]
    )
    unique, first = np.unique(all_codes, return_inverse=True)
    best = np.zeros(len(unique), dtype=similarity.dtype)
    np.maximum.at(best, first, all_similarity)
    return unique // n, unique % n, best, quoted


def when_keys(dates: Sequence[dict]) -> tuple[str, ...]:
    """Comparable keys of a claim's date mentions (entities.DateMention dicts): the ISO value
    when it resolved, else the weekday's name. Months, years and relative words ("last week")
    are too coarse to tell two events apart."""
    keys = []
    for mention in dates:
        if mention.get("kind") == "date" and mention.get("value"):
            keys.append(str(mention["value"]))
        elif mention.get("kind") == "weekday" and mention.get("text"):
            keys.append(str(mention["text"]).lower())
    return tuple(sorted(set(keys)))


# What a claim predicates of a mark (a threshold, a target) decides whether two claims that
# share its figure can be one claim: that something falls short of it ("71 delegates short of
# the 2,383", "needs 67 delegates to reach the 2,383", "$2 million shy of its goal"), what it
# takes ("It takes 2,383 delegates to win", "Sanders needs 836 delegates to clinch"), or that
# it was reached ("she had reached the 2,383 needed", "clinched the nomination"). The first
# cue found, in that order, is the claim's; `facets_conflict` keeps two different ones apart.
_MARK_PREDICATES = (
    (
        "short of the mark",
        re.compile(
            r"\b(?:short of|shy of|(?:fall|falls|fell|fallen|falling) short|(?:needs?|requires?)"
            r" (?:just |only |another )?[$\u20ac\u00a3]?[\d,.]+ (?:million |billion )?"
            r"(?:more\b|(?:[a-z]+ )?to (?:reach|hit|meet|cross|pass)\b))",
            re.IGNORECASE,
        ),
    ),
    (
        "what the mark takes",
        re.compile(
            r"\b(?:needs?|takes|requires?) (?:at least |about |some )?[$\u20ac\u00a3]?\d", re.I
        ),
    ),
    (
        "the mark reached",
        re.compile(
            r"\b(?:reached|amassed|clinch(?:ed|es)?|secured|capture[ds]?|surpassed|exceeded"
            r"|crossed)\b",
            re.IGNORECASE,
        ),
    ),
)


def _mark_predicate(text: str) -> frozenset[str]:
    for predicate, cue in _MARK_PREDICATES:
        if cue.search(text):
            return frozenset({predicate})
    return frozenset()


def _facts(item: ClusterItem) -> tuple[frozenset, ...]:
    """The checkable facets of a claim: its quantities, its dates and what it predicates of a
    mark (`_MARK_PREDICATES`)."""
    values = set()
    for quantity in item.quantities:
        try:
            values.add(float(quantity))
        except (TypeError, ValueError):
            continue
    return frozenset(values), frozenset(item.dates), _mark_predicate(item.text)


def facets_conflict(a: frozenset, b: frozenset) -> bool:
    """Two claims state different facts when both give quantities (or dates) and neither set
    holds the other: "67 delegates short of 2,383" is not "71 delegates short of 2,383",
    while "100 advisers" restated as "100 advisers, 30 of them officers" may be the same."""
    return bool(a) and bool(b) and not (a <= b or b <= a)


def _merge(
    items: Sequence[ClusterItem],
    item_facts: Sequence[tuple[frozenset, ...]],
    node_terms: Sequence[frozenset[int]],
    node_of: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    similarity: np.ndarray,
    *,
    threshold: float,
    apart: Sequence[tuple[int, int]] = (),
    together: Sequence[tuple[int, int]] = (),
    never: Sequence[tuple[int, int]] = (),
) -> np.ndarray:
    """Merge nodes along strong pairs (similarity >= threshold), strongest first; return the
    group of each item. Analysts' `together` pairs are merged first, unless their `never`
    pairs forbid it (an analyst's word outweighs a contradiction the machine found: `apart`).

    Two groups merge only if no quantities conflict and the strong pairs between them are at
    least LINK_DENSITY of all their cross pairs (average linkage on the graph of strong pairs).
    Single linkage alone would let one sentence that carries two facts chain their clusters;
    so would average linkage when the only strong pairs between two clusters all go through
    one such sentence (see `bridged`).
    """
    size = np.bincount(node_of).tolist()  # a node holds every copy of one text
    parent = list(range(len(size)))
    # Distinct fact sets per group: two groups conflict when some member of one and some
    # member of the other state different quantities or dates (facets_conflict).
    facts: dict[int, set[tuple[frozenset, ...]]] = {node: set() for node in parent}
    articles: dict[int, set[str]] = {node: set() for node in parent}
    for item, fact, node in zip(items, item_facts, node_of.tolist(), strict=True):
        if any(fact):  # a claim stating no figure and no date conflicts with nothing
            facts[node].add(fact)
        articles[node].add(item.article_key)
    # Claims of one article never link directly: they share the article's vocabulary by
    # construction. A headline and a lead restating one fact still meet through another
    # outlet's claim that matches both.
    article_codes = {key: code for code, key in enumerate(sorted(set().union(*articles.values())))}
    sole_article = np.array(
        [article_codes[next(iter(a))] if len(a) == 1 else -1 - n for n, a in articles.items()]
    )
    strong = np.flatnonzero((similarity >= threshold) & (sole_article[left] != sole_article[right]))
    strong = strong[np.lexsort((right[strong], left[strong], -similarity[strong]))]
    links: dict[int, dict[int, int]] = {}  # root -> {other root: strong item pairs between them}
    strong_partners: dict[int, list[int]] = {}  # node -> the nodes it has a strong pair with
    for a, b in zip(left[strong].tolist(), right[strong].tolist(), strict=True):
        links.setdefault(a, {})[b] = size[a] * size[b]
        links.setdefault(b, {})[a] = size[a] * size[b]
        strong_partners.setdefault(a, []).append(b)
        strong_partners.setdefault(b, []).append(a)
    members: dict[int, list[int]] = {node: [node] for node in parent}

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    # Nodes each group must not be merged with (contradicting claims).
    cannot: dict[int, set[int]] = {node: set() for node in parent}

    def keep_apart(pairs: Sequence[tuple[int, int]]) -> None:
        for a, b in pairs:
            cannot[root(a)].add(b)
            cannot[root(b)].add(a)

    keep_apart(never)

    def kept_apart(a: int, b: int) -> bool:
        return any(root(node) == b for node in cannot[a])

    def bridged(a: int, b: int) -> bool:
        """True when every strong pair between groups a and b hangs on one member of a
        multi-claim group, and what that member shares with its own group has no term in
        common with what it shares with the other: a sentence carrying two propositions
        ("vowed 'the struggle continues' and to compete in the District's final primary")
        belongs with one of them, and must not chain the two clusters."""
        small, large = (a, b) if len(members[a]) <= len(members[b]) else (b, a)
        if len(members[small]) < 2:
            return False
        cross = [
            (x, y) for x in members[small] for y in strong_partners.get(x, ()) if root(y) == large
        ]
        for group, side in ((small, 0), (large, 1)):
            hinges = {pair[side] for pair in cross}
            if len(hinges) != 1:
                continue
            hinge = hinges.pop()
            own = [y for y in strong_partners[hinge] if root(y) == group]
            if not own:
                continue
            shared_inside = frozenset().union(*(node_terms[hinge] & node_terms[y] for y in own))
            shared_across = frozenset().union(
                *(node_terms[hinge] & node_terms[pair[1 - side]] for pair in cross)
            )
            if not shared_inside & shared_across:
                return True
        return False

    def join(a: int, b: int) -> None:
        keep, gone = (a, b) if len(links.get(a, {})) >= len(links.get(b, {})) else (b, a)
        for other, count in links.pop(gone, {}).items():
            neighbour = links[other]
            del neighbour[gone]
            if other != keep:
                neighbour[keep] = links.setdefault(keep, {})[other] = neighbour.get(keep, 0) + count
        parent[gone] = keep
        joined, absorbed = members[keep], members.pop(gone)
        if len(absorbed) > len(joined):  # extend the longer list: no quadratic copying
            joined, absorbed = absorbed, joined
        joined.extend(absorbed)
        members[keep] = joined
        size[keep] += size[gone]
        facts[keep] |= facts.pop(gone)
        cannot[keep] |= cannot.pop(gone)

    for a, b in together:  # analysts' must-links: no similarity, density or facet test
        a, b = root(a), root(b)
        if a != b and not kept_apart(a, b):
            join(a, b)
    keep_apart(apart)
    for a, b in zip(left[strong].tolist(), right[strong].tolist(), strict=True):
        a, b = root(a), root(b)
        if a == b or kept_apart(a, b):
            continue
        if any(
            facets_conflict(x, y)
            for fx in facts[a]
            for fy in facts[b]
            for x, y in zip(fx, fy, strict=True)
        ):
            continue
        if links.get(a, {}).get(b, 0) < LINK_DENSITY * size[a] * size[b]:
            continue
        if bridged(a, b):
            continue
        join(a, b)
    return np.array([root(node) for node in range(len(size))])[node_of]


def _links(
    items: Sequence[ClusterItem],
    facts: Sequence[tuple[frozenset, ...]],
    vectors: _Vectors,
    nodes: np.ndarray,
    node_of: np.ndarray,
    labels: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    similarity: np.ndarray,
    threshold: float,
    quoted: dict[tuple[int, int], str],
    meaning: dict[tuple[int, int], float],
) -> dict[str, Link]:
    """For each claim of a multi-claim cluster, its strongest link inside the cluster: the
    evidence an analyst reads to judge whether the machine was right to group them.
    `quoted` holds the quotation two nodes share and `meaning` their sentence-encoder cosine
    where it was read, both keyed by (lower node, higher node)."""
    representative = nodes  # node -> its first item
    node_label = labels[representative]
    inside = (similarity >= threshold) & (node_label[left] == node_label[right])
    best: dict[int, tuple[float, int]] = {}
    for a, b, score in zip(
        left[inside].tolist(), right[inside].tolist(), similarity[inside].tolist(), strict=True
    ):
        for node, other in ((a, b), (b, a)):
            if node not in best or score > best[node][0]:
                best[node] = (float(score), other)
    links: dict[str, Link] = {}
    linked, partners, scores, pair_keys = [], [], [], []
    first_copy: dict[int, int] = {}  # node -> its second item, when it has copies
    for index, node in enumerate(node_of.tolist()):
        first = int(representative[node])
        if first != index:  # a copy of the node's first text
            first_copy.setdefault(node, index)
            links[items[index].claim_key] = Link(
                partner=items[first].claim_key, score=1.0, identical=True
            )
        elif node in best:
            score, other = best[node]
            linked.append(index)
            partners.append(int(representative[other]))
            scores.append(score)
            pair_keys.append((min(node, other), max(node, other)))
    words_only = sparse.diags(
        (~np.char.startswith(vectors.terms.astype(str), "#")).astype(np.float32)
    )
    for node, copy in first_copy.items():  # a text whose only links are its own copies
        first = int(representative[node])
        if node not in best:
            links[items[first].claim_key] = Link(
                partner=items[copy].claim_key, score=1.0, identical=True
            )
    shared = (vectors.claims[linked].multiply(vectors.claims[partners]) @ words_only).tocsr()
    shared.eliminate_zeros()
    surfaces: dict[int, dict[str, str]] = {}
    for row, (index, partner, score) in enumerate(zip(linked, partners, scores, strict=True)):
        start, stop = shared.indptr[row], shared.indptr[row + 1]
        heaviest = shared.indices[start:stop][np.argsort(-shared.data[start:stop])[:LINK_TERMS]]
        link = _link(
            items, facts, index, partner, score, [str(vectors.terms[t]) for t in heaviest], surfaces
        )
        key = pair_keys[row]
        links[items[index].claim_key] = replace(
            link, shared_quote=quoted.get(key, ""), meaning=meaning.get(key)
        )
    return links


def _link(
    items: Sequence[ClusterItem],
    facts: Sequence[tuple[frozenset, ...]],
    index: int,
    partner: int,
    score: float,
    terms: list[str],
    surfaces: dict[int, dict[str, str]],
) -> Link:
    """The link of claim `index` to `partner`, its shared words as each text words them."""
    for claim in (index, partner):
        if claim not in surfaces:
            surfaces[claim] = _surface(items[claim].text)
    words = []
    for term in terms:
        said, echoed = surfaces[index].get(term, term), surfaces[partner].get(term, term)
        words.append(said if said.lower() == echoed.lower() else f"{said} ~ {echoed}")
    (mine, my_dates, _), (theirs, their_dates, _) = facts[index], facts[partner]
    return Link(
        partner=items[partner].claim_key,
        score=score,
        shared_terms=tuple(words),
        shared_quantities=tuple(sorted(mine & theirs)),
        shared_dates=tuple(sorted(my_dates & their_dates)),
    )


# --- identity ----------------------------------------------------------------------------


def _result(
    items: Sequence[ClusterItem],
    matrix: sparse.csr_matrix,
    labels: np.ndarray,
    anchored_keys: Collection[str],
    *,
    candidate_pairs: int,
    links: dict[str, Link],
    contradictions: tuple[Contradiction, ...],
) -> ClusteringResult:
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    names = _cluster_keys(items, list(groups.values()), frozenset(anchored_keys))
    canonical = _canonical_members(matrix, labels)
    clusters, assignments = {}, {}
    for (label, members), name in zip(groups.items(), names, strict=True):
        chosen = items[canonical[label]]
        clusters[name] = Cluster(
            key=name,
            claim_keys=tuple(items[index].claim_key for index in members),
            canonical_claim_key=chosen.claim_key,
            canonical_text=chosen.text,
            article_count=len({items[index].article_key for index in members}),
        )
        assignments.update((items[index].claim_key, name) for index in members)
    previous = {item.previous_cluster for item in items} - {None}
    return ClusteringResult(
        assignments,
        clusters,
        frozenset(previous - set(clusters)),
        candidate_pairs,
        links,
        contradictions,
    )


def _cluster_keys(
    items: Sequence[ClusterItem], groups: list[list[int]], anchored: frozenset[str]
) -> list[str]:
    """Give each group a previous key it holds, best claim first; the rest get fresh keys.

    A claim on key k is (anchored, members holding k, group size); claims are granted in that
    order, each key and each group at most once, so a key goes to the biggest group that
    holds it and a split-off minority gets a fresh key.
    """
    offers = []
    for group, members in enumerate(groups):
        held = Counter(items[index].previous_cluster for index in members)
        held.pop(None, None)
        for key, count in held.items():
            offers.append((-(key in anchored), -count, -len(members), group, key))
    names: list[str | None] = [None] * len(groups)
    taken = set()
    for *_, group, key in sorted(offers):
        if names[group] is None and key not in taken:
            names[group] = key
            taken.add(key)
    every_previous = {item.previous_cluster for item in items}
    fresh = (f"{NEW_KEY_PREFIX}{n}" for n in range(1, len(items) + len(every_previous) + 2))
    fresh_keys = (key for key in fresh if key not in every_previous)
    return [name if name is not None else next(fresh_keys) for name in names]


def _canonical_members(matrix: sparse.csr_matrix, labels: np.ndarray) -> dict[int, int]:
    """Per group, the member most like the group's centroid; the earliest wins ties."""
    group_ids, inverse = np.unique(labels, return_inverse=True)
    membership = sparse.csr_matrix(
        (np.ones(len(labels), dtype=np.float32), (inverse, np.arange(len(labels)))),
        shape=(len(group_ids), len(labels)),
    )
    centroids = (membership @ matrix).tocsr()
    score = np.asarray(matrix.multiply(centroids[inverse]).sum(axis=1)).ravel()
    best: dict[int, int] = {}
    for index, label in enumerate(labels):
        label = int(label)
        if label not in best or score[index] > score[best[label]] + 1e-6:
            best[label] = index
    return best
