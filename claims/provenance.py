"""The provenance graph of a cluster: articles -> the sources they cite -> the origin.

Drawn server-side as SVG so an analyst sees at a glance that three reports rest on one
newspaper. Pure Python apart from HTML escaping; no external service.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ARTICLE, CITED, ORIGIN = "article", "cited", "origin"
OWN_REPORTING = "own reporting"


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

    def add(self, kind: str, label: str, article_key: str) -> str:
        key = f"{kind}:{normalise(label)}"
        node = self.nodes.setdefault(key, Node(key=key, kind=kind, label=label))
        node.articles.add(article_key)
        return key


def normalise(name: str) -> str:
    name = re.sub(r"[^\w\s]", " ", name.casefold())
    name = re.sub(r"^\s*the\s+", "", name)
    return " ".join(name.split())


def _matching_origin(candidates: list[str | None], origins: list[str]) -> str | None:
    """The traced origin that one of the claim's names refers to, if any."""
    for candidate in candidates:
        if not candidate:
            continue
        wanted = normalise(candidate)
        for origin in origins:
            known = normalise(origin)
            if known and (known == wanted or known in wanted or wanted in known):
                return origin
    return None


def build_provenance(claims: Iterable[ProvenanceClaim], origins: list[str]) -> ProvenanceGraph:
    """One path per claim: article -> cited source (when it is not the origin) -> origin.

    The origin is the cluster's traced origin the claim names (cited source, then speaker,
    then the article's own outlet); failing that, the claim's own attribution is its origin.
    """
    graph = ProvenanceGraph()
    for claim in claims:
        article = graph.add(ARTICLE, claim.article_label, claim.article_key)
        origin_label = _matching_origin(
            [claim.cited_source, claim.speaker, claim.article_source], origins
        ) or (claim.cited_source or claim.speaker or claim.article_source or OWN_REPORTING)
        origin = graph.add(ORIGIN, origin_label, claim.article_key)
        cited = claim.cited_source
        if cited and normalise(cited) != normalise(origin_label):
            via = graph.add(CITED, cited, claim.article_key)
            graph.edges.update({(article, via), (via, origin)})
        else:
            graph.edges.add((article, origin))
    return graph


_COLUMN_X = {ARTICLE: 10, CITED: 290, ORIGIN: 570}
_NODE_W, _NODE_H, _ROW, _TOP = 230, 30, 44, 40
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
            label = _short(node.label, 34)
        else:
            label = f"{_short(node.label, 22)} ({count} article{'s' if count != 1 else ''})"
        parts.append(
            f'<g class="node {node.kind}"><title>{escape(node.label)}</title>'
            f'<rect x="{x}" y="{y}" width="{_NODE_W}" height="{_NODE_H}" rx="5" '
            f'fill="{_FILL[node.kind]}" stroke="{_STROKE[node.kind]}"/>'
            f'<text x="{x + 8}" y="{y + 19}" font-size="12" fill="#202124">{escape(label)}</text>'
            f"</g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label is escaped
