"""Check-worthiness scores: known orderings, invariances, the committed model and its training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from claims.extraction import checkworthiness
from claims.extraction.checkworthiness import (
    MODEL_PATH,
    CheckworthinessModel,
    score_checkworthiness,
)
from claims.training import checkworthiness as training
from claims.training.checkworthiness import (
    Transcript,
    average_precision,
    fit_model,
    fold_of,
    held_out_decisions,
    precision_at,
    read_transcripts,
)

DATA_ROOT = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

FACTUAL = [
    "Unemployment fell to 4.1 percent in 2016, the lowest in a decade.",
    "The company reported revenue of $3.2 billion in the third quarter, up 12% from a year ago.",
    "The Senate passed the bill by a vote of 52 to 48 on Tuesday.",
    "Crime in Chicago has doubled since 2015.",
]
PHATIC = [
    "Thank you, it's great to be here.",
    "Good evening and welcome.",
    "What do you think about that?",
    "(APPLAUSE)",
]


def test_a_statistic_outranks_a_courtesy():
    statistic, courtesy = score_checkworthiness(
        [
            "Unemployment fell to 4.1 percent in 2016, the lowest in a decade.",
            "Thank you, it's great to be here.",
        ]
    )
    assert statistic > courtesy


def test_every_factual_sentence_outranks_every_phatic_one():
    scores = score_checkworthiness(FACTUAL + PHATIC)
    assert min(scores[: len(FACTUAL)]) > max(scores[len(FACTUAL) :])


def test_scores_are_probabilities_one_per_sentence():
    scores = score_checkworthiness(FACTUAL + PHATIC + ["", "   ", "!!!", "é" * 500])
    assert len(scores) == len(FACTUAL + PHATIC) + 4
    assert all(isinstance(score, float) and 0.0 <= score <= 1.0 for score in scores)


def test_empty_batch_needs_no_model():
    assert score_checkworthiness([]) == []


def test_a_sentence_scores_the_same_alone_and_in_a_batch():
    alone = [score_checkworthiness([sentence])[0] for sentence in FACTUAL + PHATIC]
    assert np.allclose(alone, score_checkworthiness(FACTUAL + PHATIC))


def test_who_speaks_never_changes_the_score():
    sentence = ["Crime in Chicago has doubled since 2015."]
    scores = {
        score_checkworthiness(sentence, speakers=[speaker])[0]
        for speaker in (None, "TRUMP", "CLINTON", "Jane Doe, a local councillor")
    }
    assert len(scores) == 1


def test_an_audience_reaction_line_scores_lower_than_speech():
    sentence = ["They gave back $150 billion."]
    (spoken,) = score_checkworthiness(sentence, speakers=["Jane Doe"])
    (reaction,) = score_checkworthiness(sentence, speakers=["SYSTEM"])
    assert reaction < spoken


def test_speakers_and_contexts_must_match_sentences():
    with pytest.raises(ValueError, match="speakers must have one entry per sentence"):
        score_checkworthiness(FACTUAL, speakers=["A"])
    with pytest.raises(ValueError, match="contexts must have one entry per sentence"):
        score_checkworthiness(FACTUAL, contexts=[None])


def test_the_model_is_loaded_once_per_process(monkeypatch):
    loads = []
    original = CheckworthinessModel.load.__func__

    def counting_load(cls, path):
        loads.append(path)
        return original(cls, path)

    monkeypatch.setattr(CheckworthinessModel, "load", classmethod(counting_load))
    checkworthiness.load_model.cache_clear()
    try:
        for _ in range(3):
            score_checkworthiness(FACTUAL)
    finally:
        checkworthiness.load_model.cache_clear()
    assert loads == [MODEL_PATH]


def test_committed_model_is_small_and_loads_without_pickle():
    assert MODEL_PATH.stat().st_size < 5 * 1024 * 1024
    with np.load(MODEL_PATH, allow_pickle=False) as stored:
        assert {"vocabulary", "idf", "coef", "calibration"} <= set(stored.files)


def _toy_transcripts() -> list[Transcript]:
    lines = [
        ("A", "Taxes rose by 12 percent in 2015.", 1),
        ("A", "Thank you all for coming.", 0),
        ("B", "We lost 70,000 factories since 2001.", 1),
        ("B", "Good evening.", 0),
        ("SYSTEM", "(APPLAUSE)", 0),
        ("A", "I think that is wonderful.", 0),
    ]
    return [
        Transcript(
            name=f"toy{copy}",
            speakers=[speaker for speaker, _, _ in lines],
            sentences=[text for _, text, _ in lines],
            labels=np.array([label for _, _, label in lines]),
        )
        for copy in range(2)
    ]


def test_a_saved_model_scores_exactly_as_the_fitted_one(tmp_path):
    model = fit_model(_toy_transcripts(), calibration=(1.5, -0.5))
    model.save(tmp_path / "model.npz")
    loaded = CheckworthinessModel.load(tmp_path / "model.npz")
    probe = FACTUAL + PHATIC
    assert np.allclose(model.probability(probe, [None] * 8), loaded.probability(probe, [None] * 8))


def test_retraining_writes_identical_bytes(tmp_path):
    for name in ("first.npz", "second.npz"):
        fit_model(_toy_transcripts()).save(tmp_path / name)
    assert (tmp_path / "first.npz").read_bytes() == (tmp_path / "second.npz").read_bytes()


def test_average_precision_and_precision_at_k_by_hand():
    labels = np.array([1, 0, 1, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.1])
    assert average_precision(labels, scores) == pytest.approx((1 / 1 + 2 / 3) / 2)
    assert precision_at(labels, scores, 2) == pytest.approx(0.5)
    assert average_precision(np.zeros(3, dtype=int), scores[:3]) == 0.0


def test_training_data_is_the_clef_2019_training_split():
    if not (DATA_ROOT / "checkworthy").is_dir():
        pytest.skip(f"{DATA_ROOT / 'checkworthy'} is absent: shared data is only on dev/CI")
    transcripts = read_transcripts(DATA_ROOT)
    assert len(transcripts) == 19
    assert sum(len(t.sentences) for t in transcripts) == 16421
    assert sum(int(t.labels.sum()) for t in transcripts) == 440


def test_the_event_protocol_holds_out_a_debate_series_together():
    debates = ["20160926_1pres", "20161005_vice_pres", "20161010_2pres", "20161019_3pres"]
    assert len({fold_of(name, "event") for name in debates}) == 1
    assert fold_of("20160209_msnbc_dem", "event") == fold_of("20160414_9dem", "event")
    assert fold_of("20160226_10_gop", "event") != fold_of("20160209_msnbc_dem", "event")
    assert fold_of("20170216_trump_press", "event") == "20170216_trump_press"
    assert fold_of("20160226_10_gop", "genre") == "debates"
    assert fold_of("20181010_medicare", "genre") == "speeches"
    with pytest.raises(ValueError, match="unknown protocol"):
        fold_of("20181010_medicare", "sentence")


def test_held_out_decisions_never_score_a_transcript_with_a_model_that_saw_its_event(
    monkeypatch,
):
    names = ["20160926_1pres", "20161010_2pres", "20160226_10_gop", "20181010_medicare"]
    transcripts = [
        Transcript(name=name, speakers=["A"], sentences=[name], labels=np.array([0]))
        for name in names
    ]

    class Recorder:
        """Scores a transcript by how many transcripts of its fold the model was fit on."""

        def __init__(self, seen):
            self.seen = [t.name for t in seen]

        def decision(self, sentences, speakers):
            fold = fold_of(sentences[0], protocol)
            return np.array([float(sum(fold_of(n, protocol) == fold for n in self.seen))])

    monkeypatch.setattr(training, "fit_model", Recorder)
    for protocol, folds in (("document", 4), ("event", 3), ("genre", 2)):
        decisions = held_out_decisions(transcripts, protocol)
        assert [float(d[0]) for d in decisions] == [0.0] * 4
        assert len({fold_of(name, protocol) for name in names}) == folds
