"""Stance of a body towards a claim: known pairs, batching, the committed model and its training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from claims.extraction import stance
from claims.extraction.stance import (
    MODEL_PATH,
    RELATED_LABELS,
    STANCE_LABELS,
    StanceModel,
    classify_stance,
    load_model,
)
from claims.training.stance import (
    evaluate,
    export_trees,
    fit_model,
    fnc1_score,
    load_fnc1,
    split_by_body,
    split_by_topic,
)

DATA_ROOT = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
BEST_PUBLISHED_FNC1_SCORE = 82.02

CLAIM = "Apple will launch a $15-a-month TV streaming service with HBO in April"
RESTATING = (
    "Apple will launch a TV streaming service in April that will cost $15 a month, with HBO as "
    "its first partner, the company confirmed on Monday. The streaming service will be available "
    "on Apple TV, iPhone and iPad. Apple said HBO shows will stream on the new service from April."
)
DENYING = (
    "Apple has denied reports that it will launch a $15-a-month TV streaming service with HBO in "
    "April. The story is false, a spokesperson said, calling it a baseless rumor. 'There is no "
    "such service and no deal with HBO,' she said. The hoax spread on social media on Monday."
)
OFF_TOPIC = (
    "A small meteorite crashed into a wooded area in Nicaragua's capital of Managua overnight, "
    "the government said Sunday. Residents reported hearing a mysterious boom that left a "
    "16-foot deep crater near the city's airport."
)


def _need_data() -> Path:
    if not (DATA_ROOT / "fnc1" / "train_stances.csv").exists():
        pytest.skip(f"FNC-1 data absent: {DATA_ROOT / 'fnc1'} is only on CI and dev machines")
    return DATA_ROOT


def test_labels_are_the_four_fnc1_stances():
    assert set(STANCE_LABELS) == {"agree", "disagree", "discuss", "unrelated"}
    assert set(RELATED_LABELS) == set(STANCE_LABELS) - {"unrelated"}


def test_an_off_topic_body_is_unrelated_and_a_restating_one_is_related_not_disagreeing():
    off_topic, restating = classify_stance([(CLAIM, OFF_TOPIC), (CLAIM, RESTATING)])
    assert off_topic == "unrelated"
    assert restating in RELATED_LABELS and restating != "disagree"


def test_a_denial_of_the_claim_is_related_but_not_agreement():
    (label,) = classify_stance([(CLAIM, DENYING)])
    assert label in RELATED_LABELS and label != "agree"


def test_empty_texts_are_answered_as_unrelated():
    assert classify_stance([("", ""), (CLAIM, ""), ("", RESTATING)]) == ["unrelated"] * 3
    assert classify_stance([]) == []


def test_a_batch_answers_each_pair_as_if_it_were_alone():
    pairs = [
        (CLAIM, RESTATING),
        ("Meteorite crashes in Nicaragua's capital Managua", OFF_TOPIC),
        (CLAIM, OFF_TOPIC),
        (CLAIM, DENYING),
        ("Meteorite crashes in Nicaragua's capital Managua", RESTATING),
        (CLAIM, RESTATING),
    ]
    assert classify_stance(pairs) == [classify_stance([pair])[0] for pair in pairs]
    assert classify_stance(pairs[::-1]) == classify_stance(pairs)[::-1]


def test_the_model_is_loaded_once_per_process():
    load_model.cache_clear()
    classify_stance([(CLAIM, RESTATING)])
    classify_stance([(CLAIM, OFF_TOPIC), (CLAIM, DENYING)])
    info = load_model.cache_info()
    assert info.misses == 1 and info.hits >= 1


def test_a_body_shared_by_many_claims_is_profiled_once():
    body = OFF_TOPIC + " Scientists are studying the crater."
    before = stance._body_profile.cache_info().misses
    classify_stance([(f"Claim number {i} about a crater", body) for i in range(40)])
    assert stance._body_profile.cache_info().misses == before + 1


def test_committed_model_is_small_pickle_free_and_round_trips():
    assert MODEL_PATH.stat().st_size < 8 * 1024 * 1024
    with np.load(MODEL_PATH, allow_pickle=False) as arrays:
        stored = {name: arrays[name] for name in arrays.files}
    rebuilt = StanceModel.from_arrays(stored).arrays()
    assert rebuilt.keys() == stored.keys()
    for name, values in stored.items():
        np.testing.assert_array_equal(rebuilt[name], values, err_msg=name)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_exported_trees_reproduce_scikit_learn_probabilities(n_classes):
    rng = np.random.default_rng(7)
    features = rng.normal(size=(400, 6))
    features[:30, 2] = np.nan
    labels = np.digitize(
        features[:, 0] + rng.normal(scale=0.3, size=400), [-0.5, 0.5][: n_classes - 1]
    )
    model = HistGradientBoostingClassifier(max_iter=40, random_state=0).fit(features, labels)
    exported = export_trees(model)
    np.testing.assert_allclose(
        exported.probabilities(features), model.predict_proba(features), rtol=0, atol=1e-12
    )


def test_fnc1_score_weights_relatedness_and_exact_stance():
    gold = ["unrelated", "agree", "disagree", "discuss"]
    # unrelated right (.25), agree as discuss (.25), disagree exact (1), discuss missed (0)
    predicted = ["unrelated", "discuss", "disagree", "unrelated"]
    assert fnc1_score(gold, predicted) == pytest.approx(100 * 1.5 / 3.25)
    assert fnc1_score(gold, gold) == 100.0


@pytest.mark.shared_data
def test_held_out_bodies_and_topics_never_meet_training():
    _, pairs = load_fnc1(_need_data())
    train, held_out = split_by_body(pairs)
    assert not {p.body_id for p in train} & {p.body_id for p in held_out}
    assert 0.15 < len(held_out) / len(pairs) < 0.25
    train, held_out = split_by_topic(pairs)
    assert not {p.body_id for p in train} & {p.body_id for p in held_out}
    seen_claims = {p.claim for p in train}
    assert all(p.claim not in seen_claims for p in held_out if p.label != "unrelated")


@pytest.mark.shared_data
@pytest.mark.slow
def test_committed_model_beats_the_best_published_fnc1_score_on_held_out_bodies():
    result = evaluate(_need_data())
    assert result["fnc1_score"] > BEST_PUBLISHED_FNC1_SCORE
    assert result["class_accuracy"]["unrelated"] > 0.95


@pytest.mark.shared_data
@pytest.mark.slow
def test_training_is_deterministic():
    bodies, pairs = load_fnc1(_need_data())
    some_bodies = set(sorted(bodies)[::40])
    subset = [p for p in pairs if p.body_id in some_bodies]
    first, second = fit_model(bodies, subset).arrays(), fit_model(bodies, subset).arrays()
    for name, values in first.items():
        np.testing.assert_array_equal(second[name], values, err_msg=name)
