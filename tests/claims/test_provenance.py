"""The provenance graph shows that several reports rest on one origin."""

from claims.extraction.origins import OriginEvidence, independent_origins
from claims.provenance import ARTICLE, CITED, ORIGIN, ProvenanceClaim, build_provenance, render_svg


def claim(article: str, outlet: str, *, speaker=None, cited=None) -> ProvenanceClaim:
    return ProvenanceClaim(
        article_key=article,
        article_label=outlet,
        article_source=outlet,
        speaker=speaker,
        cited_source=cited,
    )


def origins_of(claims: list[ProvenanceClaim]) -> list[str]:
    summary = independent_origins(
        [OriginEvidence(c.article_key, c.article_source, c.speaker, c.cited_source) for c in claims]
    )
    return list(summary.origins)


def test_three_reports_citing_one_newspaper_meet_in_one_origin():
    claims = [
        claim("a1", "Washington Free Beacon", cited="Asharq Al-Awsat"),
        claim("a2", "Times of Israel", cited="the Asharq al-Awsat newspaper"),
        claim("a3", "Daily Beast", speaker="Members of the Syrian opposition"),
        claim("a4", "Reuters", speaker="sources close to the Kremlin"),
    ]
    graph = build_provenance(claims, origins_of(claims))

    articles, origins = graph.column(ARTICLE), graph.column(ORIGIN)
    assert len(articles) == 4
    assert origins[0].label.startswith("Asharq") and origins[0].articles == {"a1", "a2"}
    assert len(origins) == len(origins_of(claims))
    assert graph.column(CITED) == []  # citing the origin itself needs no middle step
    assert ("article:a1", origins[0].key) in graph.edges


def test_an_unnamed_cited_source_sits_between_the_article_and_its_origin():
    claims = [claim("a1", "Channel Two", speaker="Riyadh Tabara", cited="Asharq Al-Awsat")]
    graph = build_provenance(claims, ["Asharq Al-Awsat"])
    assert [n.label for n in graph.column(ORIGIN)] == ["Asharq Al-Awsat"]
    assert graph.column(CITED) == []
    claims = [claim("a1", "Channel Two", cited="senior Gulf officials")]
    graph = build_provenance(claims, origins_of(claims))
    (middle,) = graph.column(CITED)
    (origin,) = graph.column(ORIGIN)
    assert (middle.label, origin.label) == ("senior Gulf officials", "Channel Two")
    assert {("article:a1", middle.key), (middle.key, origin.key)} <= graph.edges


def test_the_svg_escapes_every_label():
    claims = [claim("a1", "<script>alert(1)</script>", cited="Evil & Co <b>")]
    svg = str(render_svg(build_provenance(claims, [])))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
    assert svg.count('class="node article"') == 1
