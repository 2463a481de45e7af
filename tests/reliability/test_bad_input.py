"""Hostile input at the upload and verdict endpoints: random bytes, invalid UTF-8, huge
fields, deeply nested JSON, invalid dates, HTML with scripts and path-like filenames.

Whatever arrives: never a 5xx, every refusal in the one error shape and with nothing stored,
everything stored is clean text, and no injected tag comes back unescaped in the admin pages
that show the stored record.
"""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from claims.commands import draft_verdict
from claims.models import InformationCredibility, Rating, Verdict
from dossiers.models import Article, SourceReliability
from dossiers.uploads import content_hash, safe_filename
from eventlog.models import Event
from tests.claims.workbench import busiest_cluster, small_dossier
from tests.factories import DossierFactory, UserFactory
from tests.reliability.conftest import api_client

pytestmark = pytest.mark.django_db

PROBE = "xss-probe"
INJECTED = [
    f"<script>alert('{PROBE}')</script>",
    f"<img src=x onerror=alert('{PROBE}')>",
    f"</textarea></script><svg onload=alert('{PROBE}')>",
    f'"><script>alert("{PROBE}")</script>',
]
# The tags as they would appear if a page echoed the input unescaped.
UNESCAPED = [
    f"<script>alert('{PROBE}')",
    f'<script>alert("{PROBE}")',
    f"<img src=x onerror=alert('{PROBE}')>",
    f"<svg onload=alert('{PROBE}')>",
]
ODD_CHARACTERS = ["\x00", "\x1b[31m", "\ufeff", "\u202e", "\r\n", "\U0001f600", "\u0301", "\ud7ff"]
PATHS = [
    "../../etc/passwd",
    "..\\..\\windows\\system32\\drivers\\etc\\hosts",
    "/var/lib/claimdesk/secret_key",
    "C:\\Users\\me\\report.html",
    "report\x00.txt.exe",
    "....//....//x.htm",
    f"<script>alert('{PROBE}')</script>.html",
    "con.txt",
    " .hidden ",
]
DATES = ["2024-13-45", "0000-00-00", "2024-02-30", "9999-99-99T99:99:99", "-1", "1e309", "NaN",
         "2024-01-01T00:00:00+99:00", "yesterday", "2024-01-01\x00", "٢٠٢٤-٠١-٠١"]  # fmt: skip

hostile_text = st.lists(
    st.one_of(st.text(max_size=60), st.sampled_from(INJECTED), st.sampled_from(ODD_CHARACTERS)),
    max_size=10,
).map("".join)
hostile_bytes = st.one_of(
    st.binary(max_size=3000),
    hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [
            b"caf\xe9 au lait \xc3\x28 \xff\xfe",
            b"\xed\xa0\x80 lone surrogate",
            b"\xc0\xaf overlong",
            b"\xef\xbb\xbf<html><body><script>alert('xss-probe')</script><p>Officials said 12 "
            b"soldiers were killed.</p></body></html>",
        ]  # fmt: skip
    ),
)
filenames = st.one_of(st.sampled_from(PATHS), st.text(max_size=300))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=16,
)  # fmt: skip
huge_text = st.sampled_from([settings.ARTICLE_MAX_BYTES + 1, 200_000]).map(
    lambda n: ("Officials said 12 soldiers were killed. " * (n // 40 + 1))[:n]
)


def nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


NOT_JSON = [nested(5_000), nested(200_000), b"\xff\xfe{", b"{'a': 1}", b'{"confidence": NaN}',
            b'{"rating": Infinity, "confidence": 1e999}', b'{"rationale": "\\ud800"}']  # fmt: skip


@st.composite
def upload_requests(draw, dossier_id: str) -> dict:
    """One hostile upload: JSON text, a multipart file, or a raw body that is not JSON."""
    dossier = draw(st.one_of(st.just(dossier_id), st.just(dossier_id), json_values))
    kind = draw(st.sampled_from(["json", "file", "raw"]))
    if kind == "json":
        data = {"dossier": dossier, "text": draw(st.one_of(hostile_text, huge_text, json_values))}
        if draw(st.booleans()):
            data["url"] = draw(st.one_of(st.text(max_size=40), st.just("javascript:alert(1)")))
        if draw(st.booleans()):
            data["filename"] = draw(filenames)
        return {"format": "json", "data": data}
    if kind == "file":
        upload = SimpleUploadedFile(
            draw(filenames).replace("\x00", "") or "upload",
            draw(hostile_bytes),
            content_type=draw(st.sampled_from(["text/html", "text/plain", "application/pdf", ""])),
        )
        return {"format": "multipart", "data": {"dossier": str(dossier), "file": upload}}
    body = draw(
        st.one_of(
            st.binary(max_size=500),
            st.sampled_from([nested(64), *NOT_JSON]),
            json_values.map(lambda v: json.dumps(v).encode()),
        )
    )
    return {"raw": body, "content_type": draw(st.sampled_from(["application/json", "text/plain"]))}


def send(client, url: str, request: dict, method: str = "post", **headers):
    call = getattr(client, method)
    if "raw" in request:
        return call(url, request["raw"], content_type=request["content_type"], **headers)
    return call(url, request["data"], format=request["format"], **headers)


def assert_refusal(response, events_before: int) -> None:
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"], body
    assert Event.objects.count() == events_before, "a refused request stored something"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def assert_clean_text(value: str) -> None:
    assert not _CONTROL.search(value), repr(value[:200])


def assert_pages_escape(admin: Client, *urls: str, shown: bool = False) -> None:
    """No injected tag comes back verbatim; with `shown`, the probe is on the page (escaped)."""
    for url in urls:
        page = admin.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert PROBE in html or not shown, f"{url} does not show the hostile text at all"
        for tag in UNESCAPED:
            assert tag not in html, f"{url} echoes {tag!r} unescaped"
        assert 'href="javascript:' not in html


@pytest.fixture
def desk():
    dossier, analyst, _reviewer = small_dossier()
    verdict = draft_verdict(
        cluster=busiest_cluster(dossier), actor=analyst, rating="mostly_true", rationale="Seen."
    )
    admin = Client()
    admin.force_login(UserFactory(is_superuser=True))
    inbox = DossierFactory(team=dossier.team)  # fuzzed uploads land here, apart from the verdict
    return {"analyst": analyst, "verdict": verdict, "inbox": inbox, "admin": admin}


FUZZ = hypothesis_settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=st.data())
def test_hostile_uploads_are_refused_cleanly_or_stored_clean(desk, data):
    client = api_client(desk["analyst"])
    request = data.draw(upload_requests(str(desk["inbox"].id)))
    events_before = Event.objects.count()

    response = send(client, "/api/v1/articles/", request)

    event(f"upload answered {response.status_code}")
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert_refusal(response, events_before)
        return
    assert response.status_code in (200, 202)
    article = Article.objects.get(id=response.json()["article"])
    for text in (article.raw_upload, article.body, article.title, article.filename):
        assert_clean_text(text)
    assert safe_filename(article.filename) == article.filename
    assert article.content_hash == content_hash(article.raw_upload)
    assert_pages_escape(
        desk["admin"],
        reverse("admin:dossiers_article_change", args=[article.id]),
        reverse("admin:dossiers_article_changelist"),
    )


ratings = st.one_of(st.sampled_from(Rating.values), json_values)
# Well-typed edits whose text is hostile get stored, so the admin pages get to show them.
plausible_edits = st.fixed_dictionaries(
    {"rationale": hostile_text},
    optional={
        "rating": st.sampled_from(Rating.values),
        "confidence": st.integers(0, 100),
        "reason": hostile_text,
    },
)
verdict_edits = st.fixed_dictionaries(
    {},
    optional={
        "rating": ratings,
        "confidence": st.one_of(st.integers(-(10**30), 10**30), json_values),
        "source_reliability": st.one_of(st.sampled_from(SourceReliability.values), json_values),
        "information_credibility": st.one_of(
            st.sampled_from(InformationCredibility.values), json_values
        ),
        "rationale": st.one_of(hostile_text, huge_text, json_values),
        "evidence": st.one_of(
            json_values,
            st.lists(
                st.fixed_dictionaries(
                    {"relation": json_values, "claim": st.uuids().map(str) | json_values},
                    optional={"note": hostile_text, "article": json_values},
                ),
                max_size=3,
            ),
        ),
        "reason": st.one_of(hostile_text, st.text(min_size=490, max_size=600)),
    },
)


@FUZZ
@given(data=st.data())
def test_hostile_verdict_writes_and_reads_never_fail_or_store_garbage(desk, data):
    client = api_client(desk["analyst"])
    verdict = Verdict.objects.get(id=desk["verdict"].id)
    url = f"/api/v1/verdicts/{verdict.id}/"
    header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=20)
    if_match = data.draw(st.one_of(*[st.just(f'"{verdict.version}"')] * 4, header_text))
    request = data.draw(
        st.one_of(
            st.one_of(plausible_edits, verdict_edits).map(lambda d: {"format": "json", "data": d}),
            st.sampled_from(NOT_JSON).map(
                lambda body: {"raw": body, "content_type": "application/json"}
            ),
        )
    )
    as_of = data.draw(st.one_of(st.sampled_from(DATES), st.text(max_size=30)))
    events_before = Event.objects.count()

    response = send(client, url, request, "patch", HTTP_IF_MATCH=if_match)
    event(f"verdict edit answered {response.status_code}")
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert_refusal(response, events_before)
    else:
        stored = Verdict.objects.get(id=verdict.id)
        assert stored.rating in Rating.values
        assert 0 <= stored.confidence <= 100
        assert_clean_text(stored.rationale)
        assert_pages_escape(
            desk["admin"], reverse("admin:claims_verdict_change", args=[verdict.id])
        )

    for read in (url, f"/api/v1/dossiers/{verdict.dossier_id}/snapshot/"):
        answer = client.get(read, {"as_of": as_of})
        assert answer.status_code < 500, (read, as_of, answer.content[:300])


def test_a_draft_with_hostile_content_renders_escaped_everywhere(desk):
    """One fixed case that must always be exercised, whatever hypothesis draws."""
    client = api_client(desk["analyst"])
    verdict = desk["verdict"]
    response = client.patch(
        f"/api/v1/verdicts/{verdict.id}/",
        {"rationale": " ".join(INJECTED), "reason": INJECTED[0]},
        format="json",
        HTTP_IF_MATCH=f'"{verdict.version}"',
    )
    assert response.status_code == 200
    uploaded = client.post(
        "/api/v1/articles/",
        {"dossier": str(desk["inbox"].id), "file": SimpleUploadedFile(PATHS[0], b"x")},
        format="multipart",
    )
    html = SimpleUploadedFile(
        PATHS[6],
        f"<html><body>{''.join(INJECTED)}<p>The minister said 40 percent of the region fell."
        "</p></body></html>".encode(),
        content_type="text/html",
    )
    stored = client.post(
        "/api/v1/articles/", {"dossier": str(desk["inbox"].id), "file": html}, format="multipart"
    )
    assert uploaded.status_code == 202 and stored.status_code == 202
    assert Article.objects.get(id=uploaded.json()["article"]).filename == "passwd"
    article = Article.objects.get(id=stored.json()["article"])
    assert "<script" not in article.body
    assert_pages_escape(
        desk["admin"],
        reverse("admin:claims_verdict_change", args=[verdict.id]),
        reverse("admin:claims_verdict_history", args=[verdict.id]),
        reverse("admin:dossiers_article_change", args=[article.id]),
        shown=True,
    )
