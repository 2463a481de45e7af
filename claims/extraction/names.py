"""Names in a claim: capitalised runs classified as person, organisation, outlet or place by
cue words and a small gazetteer (no model download), with titles and initials kept inside.

Spans are relative to the text passed in (`text[e.start:e.end] == e.text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claims.extraction.wordlists import word_set


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    text: str
    kind: str  # person | organisation | outlet | place | other


# A middle initial keeps its period ("Mary K. Smith"), so the name runs on past it.
_WORD = re.compile(
    r"(?:[A-Za-z]\.){2,}|[A-Z]\.(?= (?!(?:The|A|An|He|She|It|They|We|I|In|On|At|But|And|This|That)\b)[A-Z])|[\w’'.&-]*\w(?:[’']s?)?|&"
)
_PARTICLE_NAME = re.compile(r"(?:al|el|ad|an|ar|as|ash|at|az|bin|ibn|abu|bint)-[A-Z]")
_NAME_PARTICLES = frozenset(
    {"de", "del", "da", "di", "van", "von", "der", "bin", "ibn", "al", "el", "du", "la", "le"}
)
_ORG_CONNECTORS = frozenset({"of", "for", "&", "the", "on"})
# Regions that can hold a name: capitalised words and the particles/connectors between them.
# Scanning these with a regex first keeps name_spans fast on megabyte-long bodies.
_NAME_WORD = (
    r"(?:(?:[A-Za-z]\.){2,}|[A-ZÀ-ÖØ-Þ\u0100-\u017f\u0400-\u042f][\w’'.&-]*"
    r"|(?:al|el|ad|an|ar|as|ash|at|az|bin|ibn|abu|bint)-[A-Z][\w’'.&-]*)"
)
_CANDIDATE_RUN = re.compile(
    rf"(?<![\w’'.&-]){_NAME_WORD}(?:(?: (?:of|for|&|the|on|de|del|da|di|van|von|der|bin|ibn"
    rf"|al|el|du|la|le))* {_NAME_WORD})*"
)
_DESCRIPTOR = re.compile(
    r"-(?:based|owned|backed|led|run|funded|controlled|language|speaking|born|allied|affiliated|linked)$"
)
_NOT_NAMES = word_set(
    """The A An In On At To For From By With Of And Or But If When While As Since After Before
    During Until This That These Those It Its He She They We I You His Her Their Our My Your
    There Here Still Yet So Then Also Even Only Just Some Many Most Much Any Each Every All
    Both No Not None One Two Three Four Five What Which Who Whom Whose Why How Where Although
    Though However Meanwhile Moreover Instead Despite Without Within Upon Among Between Under
    Over According Asked Upon Today Yesterday Tomorrow Firstly Secondly Finally Last Next
    Earlier Later Now Topping Working Many Other Such Short Report Published Until Than
    Mr Mrs Ms Dr Sir Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February
    March April May June July August September October November December"""
)
TITLES = word_set(
    """President Vice Prime Minister Foreign Defense Defence Secretary Ambassador Sir Dame Lord
    Lady Mr Mrs Ms Dr Gen General Sen Senator Rep Representative Gov Governor King Queen Prince
    Princess Crown Chancellor Pope Spokesman Spokeswoman Lt Col Colonel Adm Admiral Maj Major
    Capt Captain Judge Justice Mayor Chief Commander Director Chairman Chairwoman Professor Prof
    Rev Deputy Leader Sheikh Emir Ayatollah Premier Envoy Minister Gen. Sen. Rep. Gov. Lt. Col.
    Dr. Mr. Mrs. Ms. Prof. Capt. Maj. Adm. Rev. State Interior Finance Economy Justice Health
    Sens Sens. Reps Reps. Govs Govs. Senators Representatives"""
)
_OUTLET_CUES = word_set(
    """Times Post News Press Channel Network Radio TV Television Journal Gazette Herald Daily
    Tribune Guardian Telegraph Observer Chronicle Express Mail Mirror Review Magazine Monitor
    Independent Sun Standard Reuters Bloomberg AP AFP TASS Interfax RIA Xinhua BBC CNN Newswire
    Newser Wire Caller Insider Today Vesti"""
)
_ORGANISATION_CUES = word_set(
    """Ministry Council Observatory Center Centre Court Union Agency Party Army Institute
    University College Committee Commission Department Bank Company Corporation Corp Inc Ltd
    LLC Group Organization Organisation Association Forces Force Front Brigade Brigades Kremlin
    Pentagon Parliament Congress Senate Assembly Government Administration Office Authority
    Foundation Fund Federation League Alliance Coalition Movement Service Services Guard Navy
    Command Academy School Hospital Club Society Board Bureau Nations Security State Ministry
    Hezbollah Hamas NATO UN U.N. E.U. EU OPEC IAEA WHO Taliban ISIS ISIL Qaeda Caucus"""
)
_INSTITUTIONS = frozenset({"White House", "Capitol Hill", "Downing Street", "Elysee", "Élysée"})
# "(D-Md.)", "(R-Ga.)": a party and state after a lawmaker's name, not a name.
_PARTY_STATE = re.compile(r"^[DRI]-[A-Z][A-Za-z.]*$")
PLACES = word_set(
    """Afghanistan Albania Algeria Argentina Armenia Australia Austria Azerbaijan Bahrain
    Bangladesh Belarus Belgium Bolivia Bosnia Brazil Bulgaria Cambodia Cameroon Canada Chad
    Chile China Colombia Congo Croatia Cuba Cyprus Czechia Denmark Ecuador Egypt Eritrea
    Estonia Ethiopia Finland France Georgia Germany Ghana Greece Guatemala Haiti Honduras
    Hungary Iceland India Indonesia Iran Iraq Ireland Israel Italy Japan Jordan Kazakhstan Kenya
    Kosovo Kuwait Kyrgyzstan Laos Latvia Lebanon Libya Lithuania Luxembourg Malaysia Mali Malta
    Mexico Moldova Mongolia Montenegro Morocco Mozambique Myanmar Nepal Netherlands Nicaragua
    Niger Nigeria Norway Oman Pakistan Palestine Panama Paraguay Peru Philippines Poland
    Portugal Qatar Romania Russia Rwanda Serbia Singapore Slovakia Slovenia Somalia Spain Sudan
    Sweden Switzerland Syria Taiwan Tajikistan Tanzania Thailand Tunisia Turkey Turkmenistan
    Uganda Ukraine Uruguay Uzbekistan Venezuela Vietnam Yemen Zambia Zimbabwe Europe Asia Africa
    America Gaza Crimea Donbas Kurdistan Moscow Washington London Paris Berlin Beijing Tokyo
    Damascus Beirut Baghdad Tehran Ankara Istanbul Cairo Riyadh Jerusalem Kyiv Kiev Brussels
    Geneva Rome Madrid Doha Dubai Amman Aleppo Idlib Homs Hama Latakia Tartus Raqqa Deir Mosul
    Kabul Islamabad Delhi Mumbai Seoul Pyongyang Sydney Managua Minsk Warsaw Vienna Athens"""
) | frozenset(
    [
        "United States",
        "United Kingdom",
        "United Arab Emirates",
        "Saudi Arabia",
        "South Africa",
        "North Korea",
        "South Korea",
        "New York",
        "Middle East",
        "European Union",
        "Soviet Union",
        "Persian Gulf",
        "Gulf States",
        "U.S.",
        "U.K.",
        "D.C.",
    ]
)
# US states and the cities news datelines name most: places, not people ("South Dakota").
PLACES |= word_set(
    """Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia
    Hawaii Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts
    Michigan Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon
    Pennsylvania Tennessee Texas Utah Vermont Virginia Wisconsin Wyoming Chicago Boston
    Philadelphia Denver Atlanta Miami Houston Dallas Seattle Detroit Cleveland Baltimore"""
) | frozenset(
    [
        "New Hampshire",
        "New Jersey",
        "New Mexico",
        "North Carolina",
        "North Dakota",
        "Rhode Island",
        "South Carolina",
        "South Dakota",
        "West Virginia",
        "Puerto Rico",
        "Los Angeles",
        "San Francisco",
        "Las Vegas",
    ]
)
_PLACE_CUES = word_set(
    """City Province Region Governorate District County Sea Ocean River Mountains Valley Island
    Islands Peninsula Strait Street Square Airport Port Bay Desert Heights Coast"""
)
KNOWN_OUTLETS = word_set(
    """Reuters Bloomberg AP AFP TASS Interfax Xinhua BBC CNN Sputnik RT NBC ABC CBS MSNBC CNBC NPR
    PBS UPI Politico Axios Breitbart HuffPost Newsweek Slate Vox BuzzFeed Newsmax Politifact
    PolitiFact"""
)


def extract_entities(text: str) -> list[Entity]:
    """People, organisations (outlets separately), places and other proper names."""
    found = []
    for start, end in name_spans(text):
        had_title = False
        start, end = _strip_leading_common_words(text, start, end)
        if start < end:
            title_end = _title_end(text, start, end)
            had_title = title_end > start
            start = title_end
        if start >= end:
            continue
        name = text[start:end]
        kind = classify_name(name, had_title=had_title)
        if kind:
            found.append(Entity(start, end, name, kind))
    return found


def name_spans(text: str) -> list[tuple[int, int]]:
    """Maximal runs of capitalised words, joined by name particles ("Bashar al-Assad") and,
    after an organisation word, by "of"/"for"/"and" ("Center for Analysis of Strategies")."""
    spans: list[tuple[int, int]] = []
    for run in _CANDIDATE_RUN.finditer(text):
        spans.extend(_split_run(text, list(_WORD.finditer(text, run.start(), run.end()))))
    return spans


def _split_run(text: str, words: list[re.Match[str]]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        if not _is_name_word(words[i].group()) or _DESCRIPTOR.search(words[i].group()):
            i += 1
            continue
        first = last = i
        organisational = _is_org_word(words[i].group())
        j = i + 1
        while j < len(words) and _adjacent(text, words[j - 1], words[j]):
            word = words[j].group()
            if _is_possessive(words[j - 1].group()):
                break
            if _is_name_word(word):
                last = j
                organisational = organisational or _is_org_word(word)
                j += 1
                continue
            joins = word in _NAME_PARTICLES or (
                word in _ORG_CONNECTORS and (organisational or _is_office(words[j - 1].group()))
            )
            if not joins:
                break
            j += 1
        spans.append((words[first].start(), words[last].end()))
        i = last + 1
    return spans


# A weekday ends a name: "in South Dakota Tuesday" names South Dakota, not "Dakota Tuesday".
_WEEKDAYS = word_set("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")


# An abbreviated title starts a new name: "Florida Rep. Jane Doe" is Florida, then Jane Doe.
_TITLE_ABBREVIATIONS = word_set("Rep Reps Sen Sens Gov Gen Lt Col Mr Mrs Ms Dr Capt Maj Adm Sgt")


def _is_name_word(word: str) -> bool:
    if word in _WEEKDAYS or word in _TITLE_ABBREVIATIONS:
        return False
    return word[0].isupper() or bool(_PARTICLE_NAME.match(word))


def _is_org_word(word: str) -> bool:
    return word in _ORGANISATION_CUES or word in _OUTLET_CUES or word in _PLACE_CUES


def _is_office(word: str) -> bool:
    """An office that takes "of" ("Secretary of State", "Minister of Defence")."""
    return word in {"Secretary", "Minister", "Ministry", "Governor", "Prince", "King", "Queen"}


def _is_possessive(word: str) -> bool:
    return word.endswith(("’s", "'s"))


def _adjacent(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    """Same name only when separated by plain spaces (no comma, no line break)."""
    gap = text[left.end() : right.start()]
    return gap == " " or (gap == "" and right.group() == "&")


def _strip_leading_common_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop sentence-initial function words and "London-based"-style descriptors."""
    while start < end:
        word = _WORD.match(text, start)
        if not word or word.end() > end:
            break
        token = word.group().rstrip(".")
        if (
            token not in _NOT_NAMES
            and not _DESCRIPTOR.search(token)
            and token not in _ORG_CONNECTORS
        ):
            break
        start = word.end()
        while start < end and text[start] == " ":
            start += 1
    return start, _strip_possessive(text, start, end)


def _strip_possessive(text: str, start: int, end: int) -> int:
    for suffix in ("’s", "'s"):
        if text.endswith(suffix, start, end):
            return end - len(suffix)
    return end


def _title_end(text: str, start: int, end: int) -> int:
    """Where a person's name starts after the office before it ("Foreign Minister Adel al-Jubeir").

    Returns `start` when there is no title or when the title is the name of an office
    ("Secretary of State" alone, "Ministry of Defense")."""
    tokens = list(_WORD.finditer(text, start, end))
    last_title = -1
    for i, token in enumerate(tokens):
        if token.group() in TITLES or token.group().rstrip(".") in TITLES:
            last_title = i
    if last_title < 0 or last_title == len(tokens) - 1:
        return start
    rest = tokens[last_title + 1 :]
    if any(t.group() in _ORGANISATION_CUES for t in rest) or not _is_name_word(rest[0].group()):
        return start
    return rest[0].start()


def classify_name(name: str, *, had_title: bool = False) -> str | None:
    """Kind of a capitalised name, or None when it is not a name at all."""
    tokens = re.findall(r"[\w’'.]+", name)
    if not tokens or all(t in _NOT_NAMES for t in tokens) or _PARTY_STATE.match(name):
        return None
    if name in PLACES or name.removeprefix("the ") in PLACES:
        return "place"
    if any(t in KNOWN_OUTLETS for t in tokens) or (
        len(tokens) > 1 and any(t in _OUTLET_CUES for t in tokens)
    ):
        return "outlet"
    if any(t in _ORGANISATION_CUES for t in tokens) or name in _INSTITUTIONS:
        return "organisation"
    if tokens[-1] in _PLACE_CUES:
        return "place"
    if had_title:
        return "person"
    if 2 <= len(tokens) <= 4 and all(
        t[0].isupper() or t in {"al", "bin", "de", "van"} for t in tokens
    ):
        return "person"
    return "other"
