"""The finder's reading of a sentence beyond its words: units, depth signals, bare lists and echoes,
fuzzy matching of misspelt concepts, and the sentence embeddings that load offline."""

import numpy as np
import pytest

from rubrics.evidence import depth
from rubrics.evidence.semantic import embedder
from rubrics.evidence.text import PhraseIndex, find_mentions


def test_fillers_go_and_a_long_spoken_sentence_becomes_several_units():
    spoken = "so um " + " ".join(f"word{n}" for n in range(90)) + " uh you know"
    units = depth.split_units(spoken)
    assert len(units) == 3 and all(len(u.split()) <= 31 for u in units)
    assert not any(w in ("um", "uh") for u in units for w in u.split())
    assert depth.split_units("First this. Then that; and more!") == ["First this.", "Then that;", "and more!"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I'd use gradient boosted trees for the tabular features.", "choice"),
        ("It is cheaper, but the scores go stale within an hour.", "trade-off"),
        ("Predict watch time rather than clicks.", "alternatives"),
        ("About 100M users and a 200 ms budget.", "numbers"),
        ("That ties back to the business goal of fewer refunds.", "business"),
        ("If the index build fails we roll back to yesterday's.", "failure"),
    ],
)
def test_each_depth_signal_is_read(text, kind):
    assert kind in depth.signals_in(text)


def test_a_bare_list_is_told_from_a_sentence():
    assert depth.is_bare_list("Feature store, NDCG, A/B test, drift", term_words=6)
    assert not depth.is_bare_list("A feature store shared by training and serving avoids skew", term_words=3)
    # A list of figures is requirements written down, not name-dropping.
    assert not depth.is_bare_list("Writing down: 1B videos, 50M queries a day, 300 ms", term_words=1)
    listed = depth.read_unit("Feature store, NDCG, A/B test, drift.", term_words=6, said_before=frozenset())
    assert listed.is_list and listed.signals == {}


def test_an_echo_of_the_interviewers_words_is_marked():
    said = depth.content_words(depth.words_of("Would you use PR-AUC offline and prevalence online?"))
    echo = depth.read_unit("Yes, PR-AUC offline and prevalence online.", term_words=3, said_before=said)
    own = depth.read_unit("Recall at a fixed precision the moderators can handle.", term_words=2, said_before=said)
    assert echo.is_echo and not own.is_echo


def test_misspelt_concepts_match_only_when_fuzzy_and_close():
    phrases = [("latency budget", "scale"), ("binary classification", "task"), ("model registry", "rollout")]
    fuzzy, strict = PhraseIndex.build(phrases, fuzzy=True), PhraseIndex.build(phrases)
    text = "a latancy budjet, binary clasification and a model regsitry"
    found = [m.phrase for m in find_mentions(text, fuzzy)]
    assert found == ["latency budget", "binary classification", "model registry"]
    assert find_mentions(text, strict) == []
    # Short words and words of another first letter are never bent into a concept.
    assert find_mentions("a lazy budget; binary classes; a modal ministry", fuzzy) == []


def test_the_embedding_model_loads_offline_and_tells_meaning_apart():
    model = embedder()
    assert model is not None, "the MiniLM ONNX model and its tokenizer ship with the installed packages"
    vectors = model.embed(
        [
            "We monitor the input distribution for drift and retrain when it shifts.",
            "Watch whether incoming features move away from the training data, then train again.",
            "Users pay per click on the ads in the feed.",
        ]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1
