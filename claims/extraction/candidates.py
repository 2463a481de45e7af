"""Which articles may contradict a cluster: the pairs worth giving to the stance model.

Classifying every multi-article cluster against every other article is quadratic: the FNC-1
bodies in one dossier make 4k such clusters over 1.7k articles, 6.6M pairs, which took a
worker past 18 GB. An article can only contradict a claim it talks about, so the candidates
are the articles sharing the most terms with the cluster's text, weighted by how rare each
term is in the dossier (a sparse product, a block of clusters at a time, so memory stays
bounded). Small dossiers keep every article as a candidate: there the stance model itself
decides what is unrelated.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np
from scipy import sparse

from claims.extraction.stance import content_terms, raw_tokens

PER_CLUSTER = 8  # candidates per cluster in a large dossier
MIN_SHARED_TERMS = 2  # one shared word is not a shared topic
CLUSTER_BLOCK = 256  # clusters scored at once: bounds the dense block to 256 x articles


def _term_matrix(texts: list[str], vocabulary: dict[str, int], grow: bool) -> sparse.csr_matrix:
    rows, columns = [], []
    for row, text in enumerate(texts):
        for term in set(content_terms(raw_tokens(text))):
            column = vocabulary.get(term)
            if column is None and grow:
                column = vocabulary[term] = len(vocabulary)
            if column is not None:
                rows.append(row)
                columns.append(column)
    return sparse.csr_matrix(
        (np.ones(len(rows)), (rows, columns)), shape=(len(texts), len(vocabulary))
    )


def candidate_articles(
    cluster_texts: Mapping[Hashable, str],
    article_texts: Mapping[Hashable, str],
    members: Mapping[Hashable, set],
    per_cluster: int = PER_CLUSTER,
) -> dict[Hashable, list]:
    """For each cluster, the non-member articles most likely to discuss its claim, best first:
    every non-member when there are at most `per_cluster` of them, else up to `per_cluster`
    sharing at least MIN_SHARED_TERMS terms, ranked by the summed IDF of the shared terms."""
    articles = list(article_texts)
    candidates: dict[Hashable, list] = {}
    large = []
    for key in cluster_texts:
        outside = [article for article in articles if article not in members[key]]
        if len(outside) <= per_cluster:
            candidates[key] = outside
        else:
            large.append(key)
    if not large:
        return candidates
    vocabulary: dict[str, int] = {}
    article_terms = _term_matrix([article_texts[a] for a in articles], vocabulary, grow=True)
    document_frequency = np.asarray(article_terms.sum(axis=0)).ravel()
    idf = np.log((1 + len(articles)) / (1 + document_frequency)) + 1
    by_article = article_terms.T.tocsr()
    position = {article: index for index, article in enumerate(articles)}
    for start in range(0, len(large), CLUSTER_BLOCK):
        keys = large[start : start + CLUSTER_BLOCK]
        claim_terms = _term_matrix([cluster_texts[k] for k in keys], vocabulary, grow=False)
        shared = (claim_terms @ by_article).toarray()
        weight = (claim_terms.multiply(idf).tocsr() @ by_article).toarray()
        weight[shared < MIN_SHARED_TERMS] = -np.inf
        for row, key in enumerate(keys):
            for article in members[key]:
                if article in position:
                    weight[row, position[article]] = -np.inf
            best = np.argsort(-weight[row], kind="stable")[:per_cluster]
            candidates[key] = [articles[i] for i in best if np.isfinite(weight[row, i])]
    return candidates
