"""Sentence and word vectors from the static embedding model that ships inside the pinned
`wordllama` wheel (256 dimensions, 32k sub-word tokens, 16 MB).

Why this model: it runs on a CPU in microseconds per sentence and needs no download at run
time: its weights and tokenizer are files of the installed wheel. The package's own loader
looks for the tokenizer in a folder the wheel does not ship and falls back to a download,
and its inference module configures the root logger on import, so both files are read here
from explicit paths and the package is never imported.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np

WEIGHTS_FILE = "weights/l2_supercat_256.safetensors"
TOKENIZER_FILE = "tokenizers/l2_supercat_tokenizer_config.json"
DIMENSIONS = 256


class EmbeddingModelMissing(RuntimeError):
    pass


def installed_package_folder(package: str) -> Path | None:
    """Where an installed package's files are (a model wheel's weights), or None."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@functools.lru_cache(maxsize=1)
def _model():
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    folder = installed_package_folder("wordllama")
    if folder is None:
        raise EmbeddingModelMissing("the wordllama package is not installed")
    weights, tokenizer = folder / WEIGHTS_FILE, folder / TOKENIZER_FILE
    for path in (weights, tokenizer):
        if not path.is_file():
            raise EmbeddingModelMissing(f"{path} is missing from the wordllama wheel")
    table = load_file(str(weights))["embedding.weight"].astype(np.float32)
    return table, Tokenizer.from_file(str(tokenizer))


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1; an all-zero row stays zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def embed(texts: list[str]) -> np.ndarray:
    """One unit vector per text: the mean of its tokens' vectors (zeros for an empty text)."""
    table, tokenizer = _model()
    vectors = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
    for row, encoding in enumerate(tokenizer.encode_batch(texts, add_special_tokens=False)):
        if encoding.ids:
            vectors[row] = table[np.clip(encoding.ids, 0, len(table) - 1)].mean(axis=0)
    return unit_rows(vectors)


@functools.lru_cache(maxsize=100_000)
def word_vector(word: str) -> np.ndarray:
    """A single word's unit vector (a word is often several sub-word tokens)."""
    return embed([word])[0]
