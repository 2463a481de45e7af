"""Independent origins of a claim cluster (issue 3, part 4).

Three articles repeating one newspaper's report are one witness, not three. Each member of a
cluster is traced to where the claim came from: the source its article cites, else a named
speaker, else the article's own outlet (anonymous "sources" with nothing cited are the article's
own word). Names are then merged across spelling variants, so "Asharq", "Asharq al-Awsat" and
"the Asharq Al-Awsat newspaper" count once, and so do "Sir Tony Benton" and "Brenton".

A claim is read in its article's context first (`sources_in_article`): the stored attribution
stays what the sentence says, but tracing needs what the article says around it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from claims.extraction.speakers import SentenceAttribution
from claims.extraction.wordlists import word_set

ARTICLE_ORIGIN_PREFIX = "article:"


# Head nouns that describe a speaker without naming one.
_ANONYMOUS_HEADS = word_set(
    "source sources official officials member members person people expert experts analyst"
    " analysts diplomat diplomats resident residents witness witnesses observer observers insider"
    " insiders activist activists aide aides adviser advisers advisor advisors spokesman"
    " spokeswoman spokesperson authorities government head chief"
)
# Head nouns that describe an outlet without naming it: "the Saudi-owned newspaper".
_OUTLET_HEADS = word_set(
    "newspaper paper daily outlet publication report reports broadcaster channel agency website"
    " site magazine tabloid network media"
)
_PRONOUNS = word_set("he she they it we i you his her their its someone anyone one")
_DETERMINERS = word_set("a an the this that these those some several many other")
_TITLES = word_set("sir mr mrs ms dr prof lord lady dame gen col rev")
# Media words too common to identify an outlet alone: "The Times" is not "The New York Times".
_GENERIC_NAME_WORDS = word_set(
    "news times post daily journal herald tribune press media tv radio channel agency network"
    " group world international national new state ministry foreign government office al el"
    " of for and the"
)
_MODIFIER_START = re.compile(
    r"\s+(?:of|in|from|close to|familiar with|with|at|for|on|who|which|that)\s+|\s*,", re.I
)
_DESCRIPTOR = re.compile(
    r"\b[\w.]+-(?:owned|based|backed|funded|run|affiliated|language|leaning|controlled)\b"
    r"|\bpro-[\w.]+\b",
    re.I,
)
_REPORTING_VERB = re.compile(
    r"\s+(?:reported|reports|said|says|told|wrote|writes|quoted|cited|claimed)\b.*$", re.I
)
_APPOSITION = re.compile(r"\s*,\s*|\s+who\s+", re.I)  # "Tarja Cronberg, a Russia expert"
# What an outlet made, after its name: "an Associated Press survey" is the Associated Press.
_PRODUCT_SUFFIX = re.compile(
    r"\s+(?:survey|count|tally|poll|report|story|analysis|investigation|review)$", re.I
)
_LEADING = re.compile(r"^(?:according to|citing)\s+", re.I)
_OUTLET_SUFFIX = re.compile(
    r"\s+(?:newspaper|paper|daily|magazine|website|news agency|newspaper's)$", re.I
)


@dataclass(frozen=True)
class OriginEvidence:
    article_key: str
    article_source: str | None  # outlet that published the article
    speaker: str | None  # who the claim is attributed to in the article
    cited_source: str | None  # original outlet/person the speaker/article cites


@dataclass(frozen=True)
class OriginSummary:
    origins: tuple[str, ...]  # display names, best supported first
    count: int  # independent origins
    primary: str | None  # the origin most member articles trace back to
    article_counts: dict[str, int] = field(default_factory=dict)  # origin -> member articles


def _ascii(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def display_name(name: str) -> str:
    """The name as an analyst should read it: attribution verbs, descriptors ("Saudi-owned"),
    a leading "the", a possessive and a "newspaper" suffix removed; case kept."""
    text = " ".join(_ascii(name).split())
    text = _APPOSITION.split(_REPORTING_VERB.sub("", _LEADING.sub("", text)), maxsplit=1)[0]
    text = " ".join(_DESCRIPTOR.sub(" ", text).split())
    text = re.sub(r"^(?:the|an?)\s+", "", text, flags=re.I)
    text = re.sub(r"'s?$", "", _OUTLET_SUFFIX.sub("", text))
    text = _PRODUCT_SUFFIX.sub("", text).strip() or text
    return text.strip(" .,;:'\"")


def normalise_name(name: str) -> str:
    """Case-, hyphen- and title-free key of a name: "the Asharq Al-Awsat newspaper" and
    "Asharq al-Awsat" both give "asharq al awsat"."""
    text = re.sub(r"'s\b", "", display_name(name).lower())
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    while len(words) > 1 and words[0] in _TITLES:
        words = words[1:]
    return " ".join(words)


def _head_phrase(name: str) -> list[str]:
    """Words of the name before its first modifier: "Members" of "Members of the opposition"."""
    return _MODIFIER_START.split(_ascii(name).strip(), maxsplit=1)[0].split()


def _head_noun(name: str) -> str:
    words = _head_phrase(name)
    return re.sub(r"'s?$", "", words[-1].lower()) if words else ""


def is_named(name: str | None) -> bool:
    """True for "Reuters", "Riyadh Tabara", "The Foreign Ministry in Moscow"; False for
    "Syrian opposition sources", "a person close to the Kremlin", "the delegation chief"."""
    if not name or not name.strip():
        return False
    words = _head_phrase(display_name(name) or name)
    if not words or _head_noun(" ".join(words)) in _ANONYMOUS_HEADS | _OUTLET_HEADS:
        return False
    if len(words) == 1 and words[0].lower() in _PRONOUNS:
        return False
    return any(w[0].isupper() and w.lower() not in _DETERMINERS for w in words)


def _is_unnamed_outlet(name: str | None) -> bool:
    return bool(name) and not is_named(name) and _head_noun(name) in _OUTLET_HEADS


# Cues that make a lead sentence a report about another outlet's report.
_REPORT_FRAME_CUE = re.compile(
    r"^(?:reported|reports|reportedly|according to(?: the report)?)$", re.I
)


def article_frame(claims: Sequence[SentenceAttribution]) -> str | None:
    """The outlet an article is a report about: the named source of its lead claim when the
    lead is attributed with a reporting cue ("... was reported Sunday by ... Asharq Al-Awsat").

    Only the lead counts: an outlet cited in passing further down does not make the article
    a rewrite of that outlet's story.
    """
    if not claims:
        return None
    lead = claims[0]
    if not lead.cue or not _REPORT_FRAME_CUE.match(lead.cue.strip()):
        return None
    return next((name for name in (lead.cited_source, lead.speaker) if is_named(name)), None)


def sources_in_article(
    claims: Sequence[SentenceAttribution], *, wire: str | None = None
) -> list[str | None]:
    """For each claim of one article (in reading order), the source it reached the article
    through: its own cited source; else the source another sentence gives for the same
    speaker ("said Tabara" after "Riyadh Tabara ... told the newspaper"); else, for a claim
    with no named speaker in an article that reports another outlet's story, that outlet; in
    a wire agency's copy (`wire`, from its dateline or byline), the agency.

    Without this, the sentences an article adds from the report it rewrites ("Many of the
    Russian officials ... worked in the operations center") would each count as the
    article's own witness, and one newspaper's report would look like several.
    """
    frame = wire or article_frame(claims)
    reported = frame or _most_cited_report(claims)
    cited_by_speaker: dict[str, str] = {}
    for claim in claims:
        if is_named(claim.speaker) and claim.cited_source:
            cited_by_speaker.setdefault(normalise_name(claim.speaker), claim.cited_source)
    sources = []
    for claim in claims:
        if claim.cited_source:
            sources.append(claim.cited_source)
        elif is_named(claim.speaker):
            sources.append(_cited_for_speaker(normalise_name(claim.speaker), cited_by_speaker))
        elif _is_report_cue(claim.cue):  # "she has reportedly amassed": the report it cites
            sources.append(reported)
        else:
            sources.append(frame)
    return sources


def _is_report_cue(cue: str | None) -> bool:
    return bool(cue) and _REPORT_FRAME_CUE.match(cue.strip()) is not None


def _most_cited_report(claims: Sequence[SentenceAttribution]) -> str | None:
    """The named source the article cites most with a reporting cue ("according to the
    Associated Press", "X reported"): what its "reportedly" refers to."""
    counts: dict[str, int] = {}
    for claim in claims:
        if _is_report_cue(claim.cue):
            name = next((n for n in (claim.cited_source, claim.speaker) if is_named(n)), None)
            if name:
                counts[name] = counts.get(name, 0) + 1
    return max(counts, key=counts.get) if counts else None


def contextual_cited_sources(
    claims: Sequence[tuple[object, SentenceAttribution]],
    wires: Mapping[object, str | None] | None = None,
) -> list[str | None]:
    """`sources_in_article` over many articles' claims, given as (article key, attribution)
    pairs with each article's claims contiguous and in reading order; `wires` names the
    agency of the articles that are wire copies."""
    sources: list[str | None] = []
    start = 0
    while start < len(claims):
        article = claims[start][0]
        end = start
        while end < len(claims) and claims[end][0] == article:
            end += 1
        sources.extend(
            sources_in_article(
                [attribution for _, attribution in claims[start:end]],
                wire=(wires or {}).get(article),
            )
        )
        start = end
    return sources


def _cited_for_speaker(speaker: str, cited_by_speaker: dict[str, str]) -> str | None:
    for other, cited in cited_by_speaker.items():
        if same_origin(speaker, other):
            return cited
    return None


def trace_origin(evidence: OriginEvidence) -> str:
    """Normalised name of where this article's claim came from."""
    for candidate in (evidence.cited_source, evidence.speaker):
        if is_named(candidate):
            return normalise_name(candidate)
    if evidence.article_source and evidence.article_source.strip():
        return normalise_name(evidence.article_source)
    return f"{ARTICLE_ORIGIN_PREFIX}{evidence.article_key}"


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def same_origin(a: str, b: str) -> bool:
    """Whether two normalised names are one origin: equal; one's words contained in the other's
    with a distinctive word among them ("asharq" ~ "asharq al awsat"); or a surname spelled
    within one edit ("brenton" ~ "tony benton"). A name with no Latin letter or digit left
    after normalising (a dash, a name in Cyrillic) names nobody, so it is no one's origin."""
    words_a, words_b = a.split(), b.split()
    if not words_a or not words_b:
        return False
    if a == b:
        return True
    if a.startswith(ARTICLE_ORIGIN_PREFIX) or b.startswith(ARTICLE_ORIGIN_PREFIX):
        return False
    shorter, longer = sorted((words_a, words_b), key=len)
    if set(shorter) <= set(longer) and set(shorter) - _GENERIC_NAME_WORDS:
        return True
    if _is_acronym_of(shorter, longer):
        return True
    surname_a, surname_b = words_a[-1], words_b[-1]
    if min(len(surname_a), len(surname_b)) < 5 or {surname_a, surname_b} & _GENERIC_NAME_WORDS:
        return False
    allowed = 2 if min(len(surname_a), len(surname_b)) >= 9 else 1
    return _edit_distance(surname_a, surname_b) <= allowed and set(shorter[:-1]) <= set(longer)


_ACRONYM_SKIPPED = word_set("the of and for")


def _is_acronym_of(short: list[str], long: list[str]) -> bool:
    """ "ap" is "associated press", "afp" is "agence france presse": a one-word name of two
    to five letters spelling the initials of the other's words."""
    if (
        len(short) != 1
        or not 2 <= len(short[0]) <= 5
        or len(long) < 2
        or short[0] in _GENERIC_NAME_WORDS
    ):
        return False
    initials = "".join(word[0] for word in long if word not in _ACRONYM_SKIPPED)
    return short[0] == initials


UNATTRIBUTED = "Unattributed"


def _is_narration(member: OriginEvidence) -> bool:
    """A claim the article states in its own voice, naming nobody, not even "officials"."""
    return not (member.speaker or "").strip() and not (member.cited_source or "").strip()


def independent_origins(members: Sequence[OriginEvidence]) -> OriginSummary:
    """Count the independent origins behind a cluster's member articles.

    A claim an article states in its own voice (no speaker, nothing cited) is taken to come
    from the origins the other members name: five outlets restating what the Associated Press
    reported are one origin, not six. When no member names anyone, the cluster has one
    origin, "Unattributed": nothing shows that the outlets learnt it independently.

    An article that cites an outlet without naming it ("the pro-Saudi paper") is taken to cite
    the outlet the other members name, when they name exactly one: counting it as a witness of
    its own would overstate how independently the claim is confirmed.
    """
    narrating = [_is_narration(member) for member in members]
    if members and all(narrating):
        articles = {member.article_key for member in members}
        return OriginSummary(
            origins=(UNATTRIBUTED,),
            count=1,
            primary=UNATTRIBUTED,
            article_counts={UNATTRIBUTED: len(articles)},
        )
    # Plain narration repeats what the story's sources said: it adds no witness of its own.
    members = [
        member for member, narration in zip(members, narrating, strict=True) if not narration
    ]
    traced = [trace_origin(member) for member in members]
    groups = _alias_groups(sorted(set(traced), key=traced.index))
    group_of = {name: index for index, names in enumerate(groups) for name in names}
    cited_groups = {
        group_of[origin]
        for member, origin in zip(members, traced, strict=True)
        if is_named(member.cited_source)
    }
    articles: dict[int, set[str]] = {}
    for member, origin in zip(members, traced, strict=True):
        group = group_of[origin]
        if len(cited_groups) == 1 and _is_unnamed_outlet(member.cited_source):
            group = next(iter(cited_groups))
        articles.setdefault(group, set()).add(member.article_key)
    names = {group: _display(groups[group], members, traced) for group in articles}
    ranked = sorted(articles, key=lambda group: -len(articles[group]))  # stable: first seen
    origins = tuple(names[group] for group in ranked)
    return OriginSummary(
        origins=origins,
        count=len(origins),
        primary=origins[0] if origins else None,
        article_counts={names[group]: len(articles[group]) for group in ranked},
    )


def _alias_groups(names: list[str]) -> list[list[str]]:
    parent = list(range(len(names)))

    def root(index: int) -> int:
        while parent[index] != index:
            index = parent[index]
        return index

    for i, name_i in enumerate(names):
        for j in range(i):
            if same_origin(name_i, names[j]):
                parent[root(i)] = root(j)
    grouped: dict[int, list[str]] = {}
    for index, name in enumerate(names):
        grouped.setdefault(root(index), []).append(name)
    return list(grouped.values())


def _display(group: list[str], members: Sequence[OriginEvidence], traced: list[str]) -> str:
    """The fullest spelling members used for this origin ("Asharq Al-Awsat" over "Asharq")."""
    spellings = []
    for member, origin in zip(members, traced, strict=True):
        if origin not in group:
            continue
        for raw in (member.cited_source, member.speaker, member.article_source):
            if raw and normalise_name(raw) == origin:
                spellings.append(display_name(raw))
                break
    if not spellings:
        return group[0]
    return max(spellings, key=lambda spelling: len(spelling.split()))
