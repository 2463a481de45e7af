"""The proposition matcher: frames stripped, features that can be checked, a shipped model
that tells restatements from different facts."""

from __future__ import annotations

import pytest

from claims.extraction import embeddings
from claims.extraction.matching import (
    FEATURES,
    load_model,
    match_pairs,
    pair_features,
    profile_sentences,
    strip_frame,
)


@pytest.mark.parametrize(
    ("framed", "content"),
    [
        ("WASHINGTON (AP) — Clinton won the primary.", "Clinton won the primary."),
        ("(AFP) – Russia has withdrawn its advisers.", "Russia has withdrawn its advisers."),
        ("According to the Associated Press, Clinton has 2,383 delegates.", "Clinton has 2,383 delegates."),
        ("Russia pulled its advisers out of Damascus, a Western diplomat said.", "Russia pulled its advisers out of Damascus"),
        ("Sanders said on Tuesday that he would fight on.", "he would fight on."),
    ],
)  # fmt: skip
def test_who_reports_a_claim_is_stripped_before_comparing(framed, content):
    assert strip_frame(framed) == content


def test_a_frame_is_never_stripped_down_to_nothing():
    assert strip_frame("Officials said so.") == "Officials said so."


def test_embeddings_come_from_the_installed_wheel_and_are_unit_vectors():
    vectors = embeddings.embed(["Russia withdrew its advisers", ""])
    assert vectors.shape == (2, embeddings.DIMENSIONS)
    assert abs(float(vectors[0] @ vectors[0]) - 1) < 1e-5
    assert not vectors[1].any()


def test_features_see_numbers_and_negation():
    a, b, c, d = profile_sentences(
        [
            "Clinton needs 67 delegates to win.",
            "Clinton needs 71 delegates to win.",
            "Russia has withdrawn its advisers from Syria.",
            "Russia has not withdrawn its advisers from Syria.",
        ]
    )
    numbers = pair_features(a, b)
    assert numbers["different_numbers"] == 1.0 and numbers["same_numbers"] == 0.0
    assert pair_features(a, a)["same_numbers"] == 1.0
    denial = pair_features(c, d)
    assert denial["negation_differs"] == 1.0 and denial["shared_terms"] > 0.8
    assert set(numbers) == set(FEATURES)


def test_features_see_opposite_predicates():
    rose, fell, swung, opened, closed = profile_sentences(
        [
            "Shares of the carmaker rose 4 percent on Monday.",
            "Shares of the carmaker fell 4 percent on Monday.",
            "Shares of the carmaker rose, then fell 4 percent on Monday.",
            "The company will open three plants and hire 2,000 workers.",
            "The company will close three plants and cut 2,000 jobs.",
        ]
    )
    assert pair_features(rose, fell)["opposite_predicates"] == 1.0
    assert pair_features(opened, closed)["opposite_predicates"] == 1.0
    assert pair_features(rose, rose)["opposite_predicates"] == 0.0
    assert pair_features(swung, fell)["opposite_predicates"] == 0.0  # both hold "fell"


def test_a_restatement_scores_above_a_different_fact_and_its_denial():
    restated, other_fact, denied = match_pairs(
        [
            ("The company cut 500 jobs at its Ohio plant.", "The company cut 500 jobs in its Ohio plant, the union said."),
            ("The company cut 500 jobs at its Ohio plant.", "The company cut 300 jobs at its Ohio plant."),
            ("The company cut 500 jobs at its Ohio plant.", "The company did not cut 500 jobs at its Ohio plant."),
        ]
    )  # fmt: skip
    assert restated.same and restated.score > 0.8
    assert not other_fact.same and other_fact.score < restated.score
    assert denied.score < restated.score


def test_the_shipped_model_has_a_weight_for_every_feature():
    model = load_model()
    assert set(model.weights) == set(FEATURES)
    assert 0 < model.threshold < 1
    assert model.weights["different_numbers"] < 0 < model.weights["similarity"]
    assert model.weights["opposite_predicates"] < 0
