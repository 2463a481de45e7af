"""Every example in docs/API.md runs, as written, against the test server.

The examples are fenced `http` blocks, each a session of a team's member with the API, on a
fresh `world` (tests/api/conftest.py):

- a line starting with a method is a request, `METHOD PATH  Header: value  {json body}`,
  its parts apart by two spaces or more; a line starting with `→` is the answer expected,
  `→ STATUS [error code]  Header: value  {json}`; an indented line continues the one before;
- `{name}` is a value: one of the world's (`{team}`, `{dossier}`, `{source}`, `{article}`,
  `{claim}`, `{cluster}`, its claims `{member}` and `{other_member}`, `{other_cluster}`,
  `{verdict}`, the user name `{analyst}`) or one an answer showed: in an answer a name is
  bound where it first appears and checked wherever it appears again;
- in an expected JSON, `…` as a value is any value, `"…"` any string and `…` inside a
  string any characters; `…` among members or items says that more may follow;
- `# as analyst` (viewer, analyst, reviewer, admin) says who asks from there on (a team
  admin until then), `# with SETTING=value` sets a setting for the block; any other `#`
  line is a comment.

A block whose request is not to `/api/` shows what a webhook receiver gets; it is matched
against a real delivery. The Python block (checking a delivery's signature) is run by
`test_webhook_signing.py`.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from claims.commands import approve_verdict, publish_verdict, submit_verdict
from claims.models import ClaimCluster
from tests.api.conftest import client_for, dispatch, error_of, register

pytestmark = pytest.mark.django_db

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "API.md"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
NAME = re.compile(r"\{([A-Za-z_]\w*)\}")
PART = re.compile(r"\S(?:\S| (?! ))*")  # a run of text with no two spaces in a row
HEADER = re.compile(r"([A-Za-z][\w-]*): ?(.*)")
ANY, MORE, VALUE = "\0any", "\0more", "\0value:"


@dataclass(frozen=True)
class Block:
    line: int  # of API.md, where the block starts
    language: str
    text: str

    def __str__(self) -> str:
        return f"API.md:{self.line}"

    @property
    def is_delivery(self) -> bool:
        first = next(line for line in self.text.splitlines() if line.split(" ")[0] in METHODS)
        return not first.split()[1].startswith("/api/")


def doc_blocks() -> list[Block]:
    text = API_DOC.read_text(encoding="utf-8")
    return [
        Block(text.count("\n", 0, found.start()) + 1, found.group(1), found.group(2))
        for found in FENCE.finditer(text)
    ]


SESSIONS = [b for b in doc_blocks() if b.language == "http" and not b.is_delivery]
DELIVERIES = [b for b in doc_blocks() if b.language == "http" and b.is_delivery]


def test_every_example_in_the_api_doc_is_run():
    """A new example must be a session, a delivery or the signature check: nothing else
    would be run."""
    unrun = [
        str(block)
        for block in doc_blocks()
        if block.language != "http"
        and not (block.language == "python" and "def is_from_claimdesk" in block.text)
    ]
    assert not unrun, f"examples no test runs (make them `http` sessions): {unrun}"
    assert len(SESSIONS) >= 10 and len(DELIVERIES) == 1


# --- reading the examples --------------------------------------------------------------------


@dataclass
class Exchange:
    request: str  # the request line, continuation lines joined
    answer: str = ""
    user: str = "admin"


@dataclass
class Session:
    exchanges: list[Exchange] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)


def logical_lines(text: str) -> list[str]:
    """The block's lines, each with its indented continuation lines joined to it."""
    lines: list[str] = []
    for raw in text.splitlines():
        if raw.strip() and raw[0].isspace() and lines:
            lines[-1] += "  " + raw.strip()
        elif raw.strip():
            lines.append(raw.strip())
    return lines


def read_session(block: Block) -> Session:
    session, user = Session(), "admin"
    for line in logical_lines(block.text):
        if line.startswith("# as "):
            user = line.removeprefix("# as ").strip()
        elif line.startswith("# with "):
            name, _, value = line.removeprefix("# with ").partition("=")
            session.settings[name.strip()] = value.strip()
        elif line.startswith("#"):
            continue
        elif line.startswith("→"):
            assert session.exchanges and not session.exchanges[-1].answer, f"{block}: {line}"
            session.exchanges[-1].answer = line
        else:
            assert line.split(" ")[0] in METHODS, f"{block}: not a request: {line}"
            session.exchanges.append(Exchange(line, user=user))
    assert session.exchanges and all(e.answer for e in session.exchanges), f"{block}: answers?"
    return session


def split_line(line: str) -> tuple[str, dict[str, str], str | None]:
    """(first part, headers, JSON text or None) of a request or answer line."""
    parts = list(PART.finditer(line))
    headers: dict[str, str] = {}
    for part in parts[1:]:
        if part.group().startswith(("{", "[")) and not NAME.fullmatch(part.group()):
            return parts[0].group(), headers, line[part.start() :]
        header = HEADER.fullmatch(part.group())
        assert header, f"neither a header nor JSON: {part.group()!r} in {line!r}"
        headers[header.group(1)] = header.group(2)
    return parts[0].group(), headers, None


def expected_json(text: str):
    """The JSON of an example's answer, with `…` and `{name}` read as the docstring says."""
    out: list[str] = []
    brackets: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            end = i + 1
            while text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out.append(text[i : end + 1])
            i = end + 1
            continue
        name = NAME.match(text, i)
        if name:
            out.append(json.dumps(VALUE + name.group(1)))
            i = name.end()
            continue
        if char == "…":
            before = "".join(out).rstrip()[-1:]
            in_place_of_an_item = brackets and before in (brackets[-1], ",")
            if in_place_of_an_item and brackets[-1] == "{":
                out.append(json.dumps(MORE) + ": null")
            else:
                out.append(json.dumps(MORE if in_place_of_an_item else ANY))
            i += 1
            continue
        if char in "{[":
            brackets.append(char)
        elif char in "}]":
            brackets.pop()
        out.append(char)
        i += 1
    return json.loads("".join(out))


# --- checking answers ------------------------------------------------------------------------


def bind_or_check(names: dict[str, str], name: str, value, where: str) -> None:
    if name not in names:
        names[name] = str(value)
    assert names[name] == str(value), f"{where}: {{{name}}} is {names[name]!r}, got {value!r}"


def match_text(pattern: str, actual, names: dict[str, str], where: str) -> None:
    """A string with `…` (any characters) and `{name}` in it."""
    assert isinstance(actual, str), f"{where}: expected text like {pattern!r}, got {actual!r}"
    regex, seen = "", set()
    for piece in re.split(r"(…|\{[A-Za-z_]\w*\})", pattern):
        name = NAME.fullmatch(piece)
        if piece == "…":
            regex += ".*?"
        elif name and name.group(1) in names:
            regex += re.escape(names[name.group(1)])
        elif name:
            group = name.group(1)
            regex += f"(?P={group})" if group in seen else f"(?P<{group}>.+?)"
            seen.add(group)
        else:
            regex += re.escape(piece)
    found = re.fullmatch(regex, actual, re.DOTALL)
    assert found, f"{where}: {actual!r} is not like {pattern!r}"
    names.update(found.groupdict())


def match(expected, actual, names: dict[str, str], where: str = "body") -> None:
    if expected == ANY:
        return
    if isinstance(expected, str) and expected.startswith(VALUE):
        bind_or_check(names, expected.removeprefix(VALUE), actual, where)
    elif isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        keys = set(expected) - {MORE}
        if MORE in expected:
            assert keys <= set(actual), f"{where}: missing {sorted(keys - set(actual))}"
        else:
            assert set(actual) == keys, f"{where}: keys {sorted(actual)}, documented {sorted(keys)}"
        for key in sorted(keys):
            match(expected[key], actual[key], names, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        items = [item for item in expected if item != MORE]
        if len(items) < len(expected):
            assert len(actual) >= len(items), f"{where}: {len(actual)} items, want {len(items)}+"
        else:
            assert len(actual) == len(items), f"{where}: {len(actual)} items, want {len(items)}"
        for index, item in enumerate(items):
            match(item, actual[index], names, f"{where}[{index}]")
    elif isinstance(expected, str) and ("…" in expected or NAME.search(expected)):
        match_text(expected, actual, names, where)
    else:
        assert expected == actual, f"{where}: {actual!r}, documented {expected!r}"


def body_of(response) -> bytes:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Encoding") == "gzip":
        content = gzip.decompress(content)
    return content


def check_answer(answer: str, response, names: dict[str, str], where: str) -> None:
    first, headers, body = split_line(answer)
    status, _, code = first.removeprefix("→").strip().partition(" ")
    content = body_of(response)
    assert response.status_code == int(status), f"{where}: {response.status_code} {content[:500]}"
    if code:
        assert error_of(response)["code"] == code, f"{where}: {content[:500]}"
    for name, value in headers.items():
        assert response.has_header(name), f"{where}: no {name} header"
        match_text(value, response[name], names, f"{where} {name}")
    if body is not None:
        match(expected_json(body), json.loads(content), names, where)


# --- running them ----------------------------------------------------------------------------


def world_names(world) -> dict[str, str]:
    member, other_member, *_ = world.cluster.claims.order_by("id")
    other_cluster = (
        ClaimCluster.objects.filter(dossier=world.dossier, is_active=True, verdicts=None)
        .exclude(id=world.cluster.id)
        .first()
    )
    records = {
        "team": world.team,
        "dossier": world.dossier,
        "source": world.source,
        "article": world.articles[0],
        "claim": world.articles[0].claims.order_by("ordinal").first(),
        "cluster": world.cluster,
        "member": member,
        "other_member": other_member,
        "other_cluster": other_cluster,
        "verdict": world.verdict,
    }
    return {"analyst": world.analyst.username} | {k: str(v.pk) for k, v in records.items()}


def fill(text: str, names: dict[str, str]) -> str:
    return NAME.sub(lambda found: names[found.group(1)], text)


def send(exchange: Exchange, clients: dict[str, APIClient], names: dict[str, str]):
    first, headers, body = split_line(fill(exchange.request, names))
    method, path = first.split(" ")
    client = clients[exchange.user]
    if "Authorization" in headers:  # the example's own credentials, not the member's
        client = APIClient()
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    if body is None:
        return getattr(client, method.lower())(path, **extra)
    return getattr(client, method.lower())(path, body, content_type="application/json", **extra)


@pytest.mark.parametrize("block", SESSIONS, ids=str)
def test_the_example_runs_as_documented(block, world, settings):
    session = read_session(block)
    for name, value in session.settings.items():
        setattr(settings, name, value)
    users = {
        "viewer": world.viewer,
        "analyst": world.analyst,
        "reviewer": world.reviewer,
        "admin": world.admin,
    }
    clients = {role: client_for(user) for role, user in users.items()}
    names = world_names(world)
    for exchange in session.exchanges:
        response = send(exchange, clients, names)
        check_answer(exchange.answer, response, names, f"{block}: {exchange.request[:80]}")


@pytest.mark.parametrize("block", DELIVERIES, ids=str)
def test_a_webhook_delivery_is_as_documented(
    block, world, receiver, django_capture_on_commit_callbacks
):
    """The block's headers and body, against a real delivery of the event it shows."""
    lines = logical_lines(block.text)
    method, path = lines[0].split(" ")
    headers = [HEADER.fullmatch(line).groups() for line in lines[1:-1] if not line.startswith("#")]
    event_type = dict(headers)["X-Claimdesk-Event"]
    register(client_for(world.admin), world.team, receiver.url, event_types=[event_type])
    verdict = submit_verdict(
        verdict=world.verdict, actor=world.analyst, expected_version=world.verdict.version
    )
    verdict = approve_verdict(
        verdict=verdict, actor=world.reviewer, expected_version=verdict.version
    )
    publish_verdict(verdict=verdict, actor=world.reviewer, expected_version=verdict.version)
    dispatch(django_capture_on_commit_callbacks)

    ((received, body),) = receiver.received
    assert method == "POST" and receiver.url.endswith(path)
    names = world_names(world)
    for name, value in headers:
        match_text(value, received[name], names, f"{block} {name}")
    match(expected_json(lines[-1]), json.loads(body), names, str(block))
