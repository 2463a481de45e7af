"""The dossier's question as a claim, and each article's stance toward that claim (issue 18).

A question ("Has Russia withdrawn its support from Bashar al-Assad?") is turned into the
proposition it asks about, its *claim form* ("Russia has withdrawn its support from Bashar
al-Assad"). An article's stance toward the claim form is read from the sentences that speak
of the claim's matter: its subject, its predicate (or a verb of the same family) and its
objects. Each such sentence is an assertion (agree), a negation or a contrary statement
(disagree), or a hedge, a condition, a requirement or a future (discuss). The sentences are
weighted by how much of the claim they carry (the headline counts twice); an article with
no such sentence is about something else (unrelated), or, when it shares enough of the
claim's vocabulary, discusses the matter without taking a side.

FNC-1's stance model (`stance.py`) was trained on headlines against bodies: on a dossier's
question it calls almost everything "discuss" or "agree" (4 of 10 on the dev gold), because
what decides a question is the tense and the polarity of a few sentences, not word overlap.

Pure Python: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from claims.extraction.stance import STANCE_LABELS, raw_tokens, sentences
from claims.extraction.wordlists import word_set

QUESTION_STANCE_VERSION = "2026.12.1"

AGREE, DISAGREE, DISCUSS, UNRELATED = STANCE_LABELS


def _keys_of(text: str) -> frozenset[str]:
    """Word lists as matched: each word cut to five letters (see `_key`)."""
    return frozenset(word[:5] for word in text.split())


_AUXILIARIES = {
    "has": "has",
    "have": "have",
    "had": "had",
    "is": "is",
    "are": "are",
    "was": "was",
    "were": "were",
    "will": "will",
    "would": "would",
    "can": "can",
    "could": "could",
    "should": "should",
    "does": "",
    "do": "",
    "did": "",
}
# Past forms of irregular verbs a question asked with "did" may carry: "Did X win" -> "X won".
_IRREGULAR_PAST = {
    "win": "won",
    "lose": "lost",
    "leave": "left",
    "make": "made",
    "take": "took",
    "give": "gave",
    "say": "said",
    "tell": "told",
    "send": "sent",
    "pay": "paid",
    "sell": "sold",
    "buy": "bought",
    "meet": "met",
    "go": "went",
    "come": "came",
    "get": "got",
    "have": "had",
    "know": "knew",
    "see": "saw",
    "run": "ran",
    "keep": "kept",
    "hold": "held",
    "break": "broke",
    "begin": "began",
    "fall": "fell",
    "flee": "fled",
    "lead": "led",
    "find": "found",
    "steal": "stole",
    "withdraw": "withdrew",
    "fight": "fought",
    "bring": "brought",
    "build": "built",
    "spend": "spent",
    "hide": "hid",
    "shoot": "shot",
    "write": "wrote",
    "drive": "drove",
    "quit": "quit",
    "cut": "cut",
    "put": "put",
    "set": "set",
    "hit": "hit",
    "let": "let",
}
_DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "its", "his", "her", "their"}


def claim_form_of(question: str) -> str:
    """The proposition a yes/no question asks about; other text is returned as a statement.

    "Has Russia withdrawn its support from Bashar al-Assad?" -> "Russia has withdrawn its
    support from Bashar al-Assad"; "Did Hillary Clinton win the debate?" -> "Hillary Clinton
    won the debate". The subject runs up to the verb: for "has"/"is"/"will"... the first
    lower-case word after a capitalised name, or after the first noun when the subject is
    not a name ("Has the army withdrawn...").
    """
    text = " ".join(question.split()).strip()
    text = re.sub(r"[?.!]+$", "", text).strip()
    words = text.split(" ")
    if len(words) < 3 or words[0].lower() not in _AUXILIARIES:
        return text
    auxiliary, rest = words[0].lower(), words[1:]
    split = _subject_end(rest)
    if split is None:
        return text
    subject, predicate = rest[:split], rest[split:]
    if _AUXILIARIES[auxiliary]:
        verb_phrase = [_AUXILIARIES[auxiliary], *predicate]
    else:
        verb_phrase = [_past(predicate[0]) if auxiliary == "did" else predicate[0], *predicate[1:]]
        if auxiliary in ("does", "do"):
            verb_phrase[0] = _present(predicate[0], plural=auxiliary == "do")
    return " ".join([_capitalised(subject), *verb_phrase])


def _subject_end(words: Sequence[str]) -> int | None:
    """Index of the first word after the subject (the verb), or None."""
    seen_name = False
    for i, word in enumerate(words):
        bare = word.strip(",;:")
        if not bare:
            continue
        if bare[0].isupper() or bare[0].isdigit() or bare.lower() in _DETERMINERS:
            seen_name = seen_name or bare[0].isupper()
            continue
        if i == 0:
            return None
        if seen_name or words[i - 1].lower() not in _DETERMINERS:
            if not seen_name and i + 1 < len(words) and words[i - 1].lower() in _DETERMINERS:
                continue
            return i
    return None


def _capitalised(subject: Sequence[str]) -> str:
    text = " ".join(subject)
    return text[:1].upper() + text[1:]


def _past(verb: str) -> str:
    lower = verb.lower()
    if lower in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[lower]
    if lower.endswith("e"):
        return f"{verb}d"
    if lower.endswith("y") and len(lower) > 2 and lower[-2] not in "aeiou":
        return f"{verb[:-1]}ied"
    return f"{verb}ed"


def _present(verb: str, *, plural: bool) -> str:
    if plural:
        return verb
    if verb.lower().endswith(("s", "sh", "ch", "x", "o")):
        return f"{verb}es"
    return f"{verb}s"


# --- stance ------------------------------------------------------------------------------

# Verbs of one family: a sentence with any of them speaks of the same predicate. Each family
# is a change of state a news question asks about; the lists hold the verbs and nouns
# (truncated, see `_key`) that English news uses for it.
_PREDICATE_FAMILIES: tuple[frozenset[str], ...] = tuple(
    frozenset(word if "_" in word else word[:5] for word in family.split())
    for family in (
        "withdr pullb pullout abandon drop ditch desert lose losin loss left leave leavi "
        "backing_out pull_out "
        "pull_back cut_ties stop_supporting end_support",
        "clinch secure captur wrap_up cement sew_up nail_down lock_up",
        "win won victor triumph beat defeat prevail",
        "resign quit step_down stepped_down",
        "arrest detain charg indict",
        "approv pass adopt ratif sign",
        "ban prohib outlaw",
        "die dead death kill",
        "invad attack strike struck bomb",
        "agree accept deal",
    )
)
# A cessation predicate is contradicted by continuation: "Russia will keep offering support".
_CESSATION = _keys_of("withdr pullb pullout abandon drop ditch desert lose losin loss")
_CONTINUATION = _keys_of("keep kept continu still remain maintain stand stood stick")
# Verbs an article uses for the claim's predicate without asserting it happened.
_NEGATION = word_set(
    "not no never neither nor deny denies denied denying false untrue reject rejected "
    "rejects dismiss dismissed refute refuted unfounded baseless hoax fake rumor rumour"
)
_HEDGE = word_set(
    "may might could would if whether possibl likely unlikely expect expected expects "
    "cusp closer close short need needs needed require required requires want wants "
    "hope hopes hoped plan plans planned seek seeks seeking aim aims try tries trying "
    "poised set will shall perhaps maybe speculat rumored rumoured "
    "path way chance bid"
)
_FUTURE = word_set("will shall")
_NOT_YET = word_set("before until unless")
_HEDGE_KEYS = frozenset(w[:5] for w in _HEDGE if len(w) > 5)
_PRONOUN_SUBJECTS = word_set("he she they it his her its their him them")
_STOP = word_set(
    "the a an of to in on for from at by with and or but as is are was were be been being "
    "has have had its his her their this that these those it he she they them there than "
    "then so such not no do does did will would can could should may might about into over "
    "after before against between first"
)


def _key(token: str) -> str:
    """A token truncated to its first five letters: "withdrawn", "withdrawal" and
    "withdraws" meet, and so do "nomination" and "nominee"; short words stay whole."""
    token = token.replace("'s", "")
    return token[:5] if len(token) > 5 else token


def _keys(tokens: Sequence[str]) -> list[str]:
    """Token keys plus two-word keys ("pull_out"), so phrasal verbs can be matched."""
    keys = [_key(t) for t in tokens]
    return keys + [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]


@dataclass(frozen=True)
class ClaimTerms:
    """What a sentence must mention to speak of the claim."""

    subject: frozenset[str]
    predicate: frozenset[str]  # the claim's verb keys with their family
    objects: frozenset[str]
    future: bool = False  # "The UK will leave the EU": "will" asserts it, it is no hedge

    @classmethod
    def of(cls, claim_form: str) -> ClaimTerms:
        words = claim_form.split()
        auxiliary = next((i for i, w in enumerate(words) if w.lower() in _AUXILIARIES), None)
        split = auxiliary
        if split is None:
            split = next((i for i, w in enumerate(words) if _is_verb(w, i)), None)
        if split is None:
            split = min(len(words) - 1, 2)
        subject_tokens = raw_tokens(" ".join(words[:split]))
        rest = raw_tokens(" ".join(words[split:]))
        content = [t for t in rest if t not in _STOP and t not in _AUXILIARIES and len(t) > 1]
        verb = content[:1]
        predicate = {_key(t) for t in verb}
        for family in _PREDICATE_FAMILIES:
            if predicate & family or any(_key(t) in family for t in content):
                predicate |= family
        return cls(
            subject=frozenset(_key(t) for t in subject_tokens if t not in _STOP),
            predicate=frozenset(predicate),
            objects=frozenset(_key(t) for t in content[1:] if _key(t) not in predicate),
            future=auxiliary is not None and words[auxiliary].lower() in _FUTURE,
        )


def _is_verb(word: str, index: int) -> bool:
    """A lower-case word after the subject that looks like a finite verb."""
    return index > 0 and word.islower() and word.endswith(("ed", "ew", "on", "ost", "eft", "s"))


@dataclass(frozen=True)
class SentenceEvidence:
    text: str
    label: str  # agree, disagree or discuss
    weight: float


@dataclass(frozen=True)
class QuestionStance:
    label: str
    confidence: float
    sentences: tuple[str, ...]  # the sentences that decided it, strongest first

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "confidence": self.confidence,
            "sentences": list(self.sentences),
        }


def sentence_evidence(terms: ClaimTerms, sentence: str) -> SentenceEvidence | None:
    """How one sentence stands to the claim, or None when it does not speak of the claim.

    A sentence speaks of the claim when it names the predicate (or its family) and either
    the subject (a pronoun will do) or one of the objects; of the claim's matter when it
    names the subject and most of the objects.
    """
    tokens = raw_tokens(sentence)
    keys = _keys(tokens)
    found = set(keys)
    named = bool(terms.subject & found)
    pronoun = bool(_PRONOUN_SUBJECTS & set(tokens))  # "she clinched": her name is nearby
    objects = terms.objects & found
    object_share = len(objects) / len(terms.objects) if terms.objects else 0.0
    continued = bool(terms.predicate & _CESSATION) and bool(_CONTINUATION & found)
    has_predicate = bool(terms.predicate & found) or (continued and (named or pronoun))
    if has_predicate and named:
        weight = 1.5 + object_share
    elif has_predicate and objects:
        weight = 0.75
    elif (named and object_share >= 0.4) or object_share >= 0.6:
        weight = 0.25 + 0.5 * object_share
    else:
        return None
    return SentenceEvidence(sentence, _polarity(tokens, keys, terms, has_predicate), weight)


def _polarity(tokens: list[str], keys: list[str], terms: ClaimTerms, has_predicate: bool) -> str:
    """Disagree if the sentence continues what the claim says has ended, or negates the
    predicate; agree if one mention of the predicate is asserted (no hedge, condition or
    "to" in the six words before it); else discuss."""
    continued = bool(terms.predicate & _CESSATION) and any(_key(t) in _CONTINUATION for t in tokens)
    if continued:
        return DISAGREE
    positions = [i for i, k in enumerate(keys[: len(tokens)]) if k in terms.predicate]
    if not positions:
        return DISCUSS
    labels = {_mention_polarity(tokens, i, future=terms.future) for i in positions}
    for label in (DISAGREE, AGREE):
        if label in labels:
            return label
    return DISCUSS


def _mention_polarity(tokens: list[str], at: int, *, future: bool = False) -> str:
    window = tokens[max(0, at - 6) : at + 1]
    negated = any(t in _NEGATION or t.endswith("n't") for t in window)
    # "before Russia withdraws": the predicate is presupposed not to have happened yet.
    if negated or any(t in _NOT_YET for t in window):
        return DISAGREE
    hedged = any(
        (t in _HEDGE or _key(t) in _HEDGE_KEYS) and not (future and t in _FUTURE) for t in window
    )
    if hedged or (at > 0 and tokens[at - 1] == "to"):
        return DISCUSS
    return AGREE


# Below this total weight the article only mentions the claim's matter in passing.
MIN_EVIDENCE = 0.5
HEADLINE_WEIGHT = 2.0


def question_stance(claim_form: str, body: str, *, title: str = "") -> QuestionStance:
    """The article's stance toward the claim form, with the sentences that decided it."""
    if not claim_form.strip():
        return QuestionStance(UNRELATED, 0.0, ())
    terms = ClaimTerms.of(claim_form)
    parts = sentences(body)
    evidence = []
    if title.strip() and not (parts and parts[0].strip().startswith(title.strip())):
        headline = sentence_evidence(terms, title)
        if headline:
            evidence.append(
                SentenceEvidence(headline.text, headline.label, headline.weight * HEADLINE_WEIGHT)
            )
    for index, part in enumerate(parts):
        found = sentence_evidence(terms, part)
        if found is None:
            continue
        if index == 0:
            found = SentenceEvidence(found.text, found.label, found.weight * HEADLINE_WEIGHT)
        evidence.append(found)
    totals = {AGREE: 0.0, DISAGREE: 0.0, DISCUSS: 0.0}
    for item in evidence:
        totals[item.label] += item.weight
    total = sum(totals.values())
    if total < MIN_EVIDENCE:
        return QuestionStance(UNRELATED, round(1.0 - total / MIN_EVIDENCE / 2, 3), ())
    # A side needs more weight than the hedging around it to be taken.
    label = max((AGREE, DISAGREE), key=lambda side: totals[side])
    if totals[label] <= totals[DISCUSS] * 0.5:
        label = DISCUSS
    deciding = sorted((item for item in evidence if item.label == label), key=lambda e: -e.weight)
    return QuestionStance(
        label,
        round(totals[label] / total, 3),
        tuple(dict.fromkeys(item.text for item in deciding[:3])),
    )
