"""Word classes from raw text, so that the attribution tagger can treat a word it never saw in
a cue ("railed") like the cues it did see ("lashed", "criticized").

Each word seen at least `MIN_COUNT` times is described by the words on its left and on its
right (positive pointwise mutual information over the most frequent words), reduced by SVD and
grouped by k-means at two granularities. Deterministic for a given text (fixed seeds).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize

from claims.extraction.attribution import feature_word, tokenize

MIN_COUNT = 3
CONTEXT_WORDS = 2000
DIMENSIONS = 64
SIZES = (64, 256)
SEED = 0


def word_clusters(
    texts: Iterable[str],
    sizes: tuple[int, ...] = SIZES,
    dimensions: int = DIMENSIONS,
    min_count: int = MIN_COUNT,
) -> dict[str, str]:
    """word -> cluster numbers joined by "." (coarse first), for the words seen at least
    `min_count` times; `sizes` are the numbers of clusters, `dimensions` the SVD's."""
    sentences = [[feature_word(t) for t in tokenize(text)] for text in texts]
    counts = Counter(w for words in sentences for w in words)
    vocabulary = sorted(w for w, n in counts.items() if n >= min_count)
    row = {w: k for k, w in enumerate(vocabulary)}
    contexts = sorted(w for w, _ in counts.most_common(CONTEXT_WORDS))
    column = {w: k for k, w in enumerate(contexts)}
    rows, cols = [], []
    for words in sentences:
        for i, word in enumerate(words):
            if word not in row:
                continue
            for side, neighbour in ((0, i - 1), (1, i + 1)):
                if 0 <= neighbour < len(words) and words[neighbour] in column:
                    rows.append(row[word])
                    cols.append(side * len(contexts) + column[words[neighbour]])
    shape = (len(vocabulary), 2 * len(contexts))
    matrix = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=shape).tocsr()
    vectors = normalize(TruncatedSVD(dimensions, random_state=SEED).fit_transform(_ppmi(matrix)))
    labels = [KMeans(size, n_init=3, random_state=SEED).fit_predict(vectors) for size in sizes]
    return {w: ".".join(str(int(c[k])) for c in labels) for k, w in enumerate(vocabulary)}


def _ppmi(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Positive pointwise mutual information of a word-context count matrix."""
    total = matrix.sum()
    word_totals = np.asarray(matrix.sum(axis=1)).ravel()
    context_totals = np.asarray(matrix.sum(axis=0)).ravel()
    coo = matrix.tocoo()
    pmi = np.log(coo.data * total / (word_totals[coo.row] * context_totals[coo.col]))
    keep = pmi > 0
    return sparse.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=matrix.shape)
