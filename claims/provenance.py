"""The provenance graph of a cluster: articles -> the sources they cite -> the origin.

Drawn server-side as SVG so an analyst sees at a glance that three reports rest on one
newspaper. Pure Python apart from HTML escaping; no external service. Claims are traced with
the same rules as the origin count (`claims.extraction.origins`), so the two agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from claims.extraction.origins import (
    ARTICLE_ORIGIN_PREFIX,
    OriginEvidence,
    display_name,
    normalise_name,
    same_origin,
    trace_origin,
)

ARTICLE, CITED, ORIGIN = "article", "cited", "origin"
OWN_REPORTING = "Own reporting"


@dataclass(frozen=True)
class ProvenanceClaim:
    article_key: str
    article_label: str
    article_source: str | None
    speaker: str | None
    cited_source: str | None


@dataclass
class Node:
    key: str
    kind: str
    label: str
    articles: set[str] = field(default_factory=set)


@dataclass
class ProvenanceGraph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: set[tuple[str, str]] = field(default_factory=set)

    def column(self, kind: str) -> list[Node]:
        return sorted(
            (n for n in self.nodes.values() if n.kind == kind),
            key=lambda n: (-len(n.articles), n.label.lower()),
        )

    def add(self, kind: str, key: str, label: str, article_key: str) -> str:
        node = self.nodes.setdefault(f"{kind}:{key}", Node(f"{kind}:{key}", kind, label))
        node.articles.add(article_key)
        return node.key


def _origin_label(claim: ProvenanceClaim, traced: str, origins: list[str]) -> str:
    """The cluster's origin this claim comes from, in the spelling the cluster shows."""
    for origin in origins:
        if same_origin(traced, normalise_name(origin)):
            return origin
    if traced.startswith(ARTICLE_ORIGIN_PREFIX):
        return f"{OWN_REPORTING}: {claim.article_label}"
    for raw in (claim.cited_source, claim.speaker, claim.article_source):
        if raw and normalise_name(raw) == traced:
            return display_name(raw)
    return traced


def build_provenance(claims: Iterable[ProvenanceClaim], origins: list[str]) -> ProvenanceGraph:
    """One path per claim: article -> cited source (when it is not the origin) -> origin.

    Each claim is traced as `independent_origins` traces it: the source its article cites,
    else a named speaker, else the article's own outlet, else the article's own word.
    """
    graph = ProvenanceGraph()
    for claim in claims:
        article = graph.add(ARTICLE, claim.article_key, claim.article_label, claim.article_key)
        traced = trace_origin(
            OriginEvidence(
                article_key=claim.article_key,
                article_source=claim.article_source,
                speaker=claim.speaker,
                cited_source=claim.cited_source,
            )
        )
        label = _origin_label(claim, traced, origins)
        origin = graph.add(ORIGIN, normalise_name(label) or label, label, claim.article_key)
        cited = claim.cited_source
        if cited and not same_origin(normalise_name(cited), normalise_name(label)):
            via_key = normalise_name(cited) or cited
            via = graph.add(CITED, via_key, display_name(cited), claim.article_key)
            graph.edges.update({(article, via), (via, origin)})
        else:
            graph.edges.add((article, origin))
    return graph


_COLUMN_X = {ARTICLE: 10, CITED: 320, ORIGIN: 630}
_NODE_W, _NODE_H, _ROW, _TOP = 260, 30, 44, 40
_FILL = {ARTICLE: "#e8f0fe", CITED: "#f1f3f4", ORIGIN: "#fde7c8"}
_STROKE = {ARTICLE: "#4f7cc9", CITED: "#80868b", ORIGIN: "#d0802a"}
_TITLES = {ARTICLE: "Articles", CITED: "Cited sources", ORIGIN: "Origins"}


def _short(text: str, limit: int = 32) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_svg(graph: ProvenanceGraph) -> SafeString:
    """Three columns, edges as curves; every label escaped."""
    positions: dict[str, tuple[int, int]] = {}
    rows = 1
    for kind in (ARTICLE, CITED, ORIGIN):
        column = graph.column(kind)
        rows = max(rows, len(column))
        for index, node in enumerate(column):
            positions[node.key] = (_COLUMN_X[kind], _TOP + index * _ROW)
    width, height = _COLUMN_X[ORIGIN] + _NODE_W + 10, _TOP + rows * _ROW + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="provenance-graph" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="sans-serif" '
        f'aria-label="Provenance graph: articles, the sources they cite, and the origin">',
    ]
    for kind, x in _COLUMN_X.items():
        parts.append(
            f'<text x="{x}" y="20" font-size="13" font-weight="bold" fill="#333">'
            f"{_TITLES[kind]}</text>"
        )
    for source, target in sorted(graph.edges):
        (x1, y1), (x2, y2) = positions[source], positions[target]
        x1, y1, y2 = x1 + _NODE_W, y1 + _NODE_H // 2, y2 + _NODE_H // 2
        mid = (x1 + x2) // 2
        parts.append(
            f'<path d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}" fill="none" '
            f'stroke="#9aa0a6" stroke-width="1.5" class="edge"/>'
        )
    for key, (x, y) in positions.items():
        node = graph.nodes[key]
        count = len(node.articles)
        if node.kind == ARTICLE:
            label = _short(node.label, 32)
        else:
            label = f"{_short(node.label, 24)} ({count} article{'s' if count != 1 else ''})"
        parts.append(
            f'<g class="node {node.kind}"><title>{escape(node.label)}</title>'
            f'<rect x="{x}" y="{y}" width="{_NODE_W}" height="{_NODE_H}" rx="5" '
            f'fill="{_FILL[node.kind]}" stroke="{_STROKE[node.kind]}"/>'
            f'<text x="{x + 8}" y="{y + 19}" font-size="12" fill="#202124">{escape(label)}</text>'
            f"</g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label is escaped
