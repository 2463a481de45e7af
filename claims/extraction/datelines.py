"""Datelines: the place (and wire) a news story opens with.

"WASHINGTON (AP) — ", "HEMPSTEAD, N.Y. ― ", "MOSCOW, June 1 (Reuters) - ", "(AFP) – ",
"JERUSALEM—". The dateline is layout, not part of the first claim, but it says where the story
was filed and which agency wrote it; `read_dateline` returns both and how long the dateline is,
so the caller can drop it from the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Dateline:
    place: str | None  # "Washington", "Hempstead, N.Y."
    wire: str | None  # normalised agency name: "Associated Press", "Reuters", ...
    end: int  # offset in the text where the story proper starts


# Agencies by the abbreviations and names used inside dateline brackets.
WIRES = {
    "ap": "Associated Press",
    "associated press": "Associated Press",
    "afp": "Agence France-Presse",
    "agence france-presse": "Agence France-Presse",
    "agence france presse": "Agence France-Presse",
    "reuters": "Reuters",
    "upi": "United Press International",
    "dpa": "Deutsche Presse-Agentur",
    "ansa": "ANSA",
    "efe": "EFE",
    "xinhua": "Xinhua",
    "tass": "TASS",
    "itar-tass": "TASS",
    "ria novosti": "RIA Novosti",
    "anadolu": "Anadolu Agency",
    "kyodo": "Kyodo News",
    "yonhap": "Yonhap",
    "cnn": "CNN",
    "newser": "Newser",
    "bloomberg": "Bloomberg",
    "sana": "SANA",
    "ips": "Inter Press Service",
}

_DASH = r"[—–―‒-]{1,2}"
# An all-capitals place ("NEW YORK", "ST. LOUIS", "SAN JUAN, Puerto Rico"), optionally a
# state or country in title case or AP abbreviation ("N.C.", "Calif."), optionally a date.
_PLACE = (
    r"(?P<place>[A-Z][A-Z.'’ -]{1,40}[A-Z.])"
    r"(?:,\s*(?P<region>[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*){0,2}))?"
)
_DATE = r"(?:,\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}))?"
_WIRE = r"(?:\s*\((?P<wire>[A-Za-z][A-Za-z. -]{1,30})\))?"
_DATELINE = re.compile(
    rf"(?:{_PLACE}{_DATE}{_WIRE}|\((?P<bare_wire>[A-Za-z][A-Za-z. -]{{1,30}})\))"
    rf"\s*{_DASH}\s*(?=[A-Z“\"‘'])"
)
# A place must look like a place: not a run of capitals that happens to start a sentence.
_NOT_PLACES = frozenset(
    {"BREAKING", "UPDATE", "EXCLUSIVE", "WATCH", "VIDEO", "OPINION", "ANALYSIS"}
)


def read_dateline(text: str, start: int = 0, end: int | None = None) -> Dateline | None:
    """The dateline at `text[start:]`, if the text opens with one."""
    end = len(text) if end is None else end
    match = _DATELINE.match(text, start, end)
    if not match:
        return None
    wire_text = match.group("wire") or match.group("bare_wire")
    wire = _wire_name(wire_text) if wire_text else None
    if match.group("bare_wire") and wire is None:
        return None  # "(Some words) - ...": not an agency
    place = None
    if match.group("place"):
        city = match.group("place").strip()
        if city.rstrip(".") in _NOT_PLACES or not any(c.isalpha() for c in city):
            return None
        if not city.replace(".", "").replace(" ", "").isupper():
            return None
        place = _title_case(city)
        if match.group("region"):
            place = f"{place}, {match.group('region')}"
    if match.group("wire") and wire is None:
        wire = match.group("wire").strip()
    return Dateline(place=place, wire=wire, end=match.end())


def _wire_name(text: str) -> str | None:
    return WIRES.get(" ".join(text.lower().replace(".", "").split()))


_BYLINE_LEAD = re.compile(r"^(?:by\s+)?(?:the\s+)?", re.I)
# Agencies whose name in a byline makes the article their copy (CNN or Bloomberg bylines
# name a newsroom, not a wire service).
_WIRE_SERVICES = frozenset(
    {"Associated Press", "Agence France-Presse", "Reuters", "United Press International",
     "Deutsche Presse-Agentur", "ANSA", "EFE", "Xinhua", "TASS", "RIA Novosti",
     "Anadolu Agency", "Kyodo News", "Yonhap"}
)  # fmt: skip


def wire_named(byline: str | None) -> str | None:
    """The wire service a byline names ("AP", "By The Associated Press", "Reuters"), if any:
    such an article is the agency's copy, whatever outlet ran it."""
    if not byline:
        return None
    wire = _wire_name(_BYLINE_LEAD.sub("", byline.strip()))
    return wire if wire in _WIRE_SERVICES else None


def _title_case(place: str) -> str:
    """ "NEW YORK" -> "New York", "ST. LOUIS" -> "St. Louis", "U.N." stays."""
    words = []
    for word in place.split():
        if "." in word.rstrip(".") or len(word.rstrip(".")) <= 1:
            words.append(word)  # "U.N.", "D.C."
        else:
            words.append("-".join(part.capitalize() for part in word.split("-")))
    return " ".join(words)
