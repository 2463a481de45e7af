"""The sentence encoder: read from the installed wheel, numpy only, and it places meaning (not
shared words) close together."""

from __future__ import annotations

import numpy as np

from claims.extraction import sentence_encoder


def test_vectors_are_unit_length_and_a_blank_text_is_zero():
    vectors = sentence_encoder.encode(["Russia withdrew its advisers from Syria.", "  "])
    assert vectors.shape == (2, sentence_encoder.DIMENSIONS)
    assert abs(float(vectors[0] @ vectors[0]) - 1) < 1e-5
    assert not vectors[1].any()
    assert sentence_encoder.encode([]).shape == (0, sentence_encoder.DIMENSIONS)


def test_a_sentence_gets_the_same_vector_alone_or_batched_with_longer_ones():
    """Padding is masked: the batch a claim happens to share cannot change its vector."""
    alone = sentence_encoder.encode(["The company cut 500 jobs."])[0]
    batched = sentence_encoder.encode(
        [
            "A much longer sentence about the central bank raising interest rates again.",
            "The company cut 500 jobs.",
            "Short.",
        ]
    )[1]
    assert np.allclose(alone, batched, atol=1e-5)


def test_a_paraphrase_with_few_shared_words_is_nearer_than_a_topical_neighbour():
    laid_off, cut_jobs, hired = sentence_encoder.encode(
        [
            "500 employees were laid off.",
            "The company cut 500 jobs.",
            "The stock market fell sharply on Monday.",
        ]
    )
    assert float(laid_off @ cut_jobs) > float(laid_off @ hired) + 0.3


def test_text_longer_than_the_model_reads_is_cut_not_refused():
    long_text = "Officials said the talks would resume. " * 100
    vector = sentence_encoder.encode([long_text])[0]
    assert abs(float(vector @ vector) - 1) < 1e-5


def test_a_text_encoded_before_comes_from_the_cache(monkeypatch):
    first = sentence_encoder.encode(["Polls closed at eight in the evening."])[0]
    encoded = []
    real = sentence_encoder._encode_uncached
    monkeypatch.setattr(
        sentence_encoder, "_encode_uncached", lambda texts: encoded.extend(texts) or real(texts)
    )
    again = sentence_encoder.encode(["Polls closed at eight in the evening.", "Turnout was low."])
    assert encoded == ["Turnout was low."]
    assert np.array_equal(again[0], first)
