"""The sentence embedder's batching and memos: a batch gives the vectors one-at-a-time would, and the
rubric's texts are embedded once per process, keyed by their text."""

import numpy as np
import pytest

from rubrics.evidence import semantic
from rubrics.evidence.semantic import Embedder, embedder

SAID = [
    "Drift.",
    "We monitor the input distribution for drift and retrain when it shifts.",
    "Offline I'd use nDCG at ten, and online an A/B test on watch time over two weeks of traffic.",
    "The ranker is a two-tower model.",
    "We monitor the input distribution for drift and retrain when it shifts.",  # said twice
]


@pytest.fixture
def model(monkeypatch) -> Embedder:
    """The process's embedder with empty memos, counting the texts it runs through the model."""
    model = embedder()
    assert model is not None, "the MiniLM ONNX model and its tokenizer ship with the installed packages"
    monkeypatch.setattr(model, "_memo", type(model._memo)())
    monkeypatch.setattr(model, "_rubric_memo", type(model._rubric_memo)())
    model.ran = []
    run = model._run

    def counted(texts):
        model.ran.extend(texts)
        return run(texts)

    monkeypatch.setattr(model, "_run", counted)
    return model


def test_a_padded_batch_gives_the_vectors_of_one_text_at_a_time(model, monkeypatch):
    monkeypatch.setattr(semantic, "BATCH", 3)  # two batches, each of texts of different lengths
    batched = model.embed(SAID)
    assert sorted(model.ran) == sorted(set(SAID))  # the repeated sentence is embedded once
    model._memo.clear()
    one_by_one = np.stack([model.embed([text])[0] for text in SAID])
    assert batched.shape == (len(SAID), semantic.DIMENSIONS)
    assert np.allclose(batched, one_by_one, atol=1e-5)
    assert np.array_equal(batched[1], batched[4])


def test_rubric_texts_are_embedded_once_and_keyed_by_their_text(model):
    rubric = ["Chooses offline metrics that match the goal.", "Plans an online test with guardrails."]
    first = model.embed_rubric(rubric)
    assert model.ran == rubric[::-1]  # shortest first
    model.ran.clear()
    assert np.array_equal(model.embed_rubric(rubric), first)
    assert model.ran == []  # the second interview reuses them
    model._memo.clear()  # forgetting what was said keeps the rubric's vectors
    model.embed(SAID)
    assert np.array_equal(model.embed_rubric(rubric), first)
    model.ran.clear()
    edited = [rubric[0], "Plans an online test with guardrails and a holdout."]  # a new rubric version
    vectors = model.embed_rubric(edited)
    assert model.ran == [edited[1]]
    assert np.array_equal(vectors[0], first[0])
    assert not np.allclose(vectors[1], first[1])
    # The same text gives the same vector whichever memo holds it.
    assert np.allclose(model.embed([rubric[1]])[0], first[1], atol=1e-6)
