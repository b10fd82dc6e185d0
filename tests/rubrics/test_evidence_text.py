"""Text matching for the evidence finder: stemming, metric spellings, compounds, negation, quotes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rubrics.evidence.text import PhraseIndex, find_mentions, stem, tokenise


def mentions(text: str, *phrases: str, longest_only: bool = False) -> list[tuple[str, str, str]]:
    """(phrase, quote, verdict) for each mention of `phrases` in `text`."""
    index = PhraseIndex.build((phrase, "c") for phrase in phrases)
    return [(m.phrase, m.quote, m.verdict) for m in find_mentions(text, index, longest_only=longest_only)]


@pytest.mark.parametrize(
    "words",
    [
        ("ranking", "ranker", "ranks", "ranked", "rank"),
        ("drifted", "drifting", "drift", "drifts"),
        ("labelling", "labeling", "labels", "labelled", "label"),
        ("normalisation", "normalization", "normalize", "normalised", "normalizing"),
        ("features", "feature"),
        ("serving", "server", "serve", "serves"),
        ("monitoring", "monitors", "monitored", "monitor"),
        ("retrieval", "retriever", "retrieve", "retrieving"),
        ("embeddings", "embedding", "embedded"),
        ("logging", "logs", "log", "logged"),
        ("queries", "query"),
        ("deployment", "deploying", "deployed"),
        ("staleness", "stale"),
        ("generation", "generator", "generate"),
        ("trainer", "training", "trained", "train"),
        ("neighbour", "neighbor"),
        ("biases", "bias"),
    ],
)
def test_word_families_share_a_stem(words):
    assert len({stem(word) for word in words}) == 1, {word: stem(word) for word in words}


@pytest.mark.parametrize(
    ("first", "second"), [("rank", "rack"), ("drift", "draft"), ("serve", "service"), ("thing", "th"), ("user", "us")]
)
def test_different_words_keep_different_stems(first, second):
    assert stem(first) != stem(second)


def test_short_words_numbers_and_abbreviations_are_left_alone():
    assert [stem(w) for w in ("fs", "f1", "p99", "ndcg", "api", "etl")] == ["fs", "f1", "p99", "ndcg", "api", "etl"]


@pytest.mark.parametrize(
    ("text", "phrase", "quote"),
    [
        ("We'd track precision@k offline.", "precision@k", "precision@k"),
        ("We'd track Precision@10 offline.", "precision@k", "Precision@10"),
        ("Precision at 5 and then", "precision@k", "Precision at 5"),
        ("precision at k is the one", "precision@k", "precision at k"),
        ("PRECISION @ K", "precision@k", "PRECISION @ K"),
        ("NDCG@10 on held-out days", "ndcg", "NDCG"),
        ("nDCG, mostly", "ndcg", "nDCG"),
        ("recall@50 for the retriever", "recall@k", "recall@50"),
        ("keep p99 latency under 200 ms", "p99", "p99"),
        ("the P99 matters", "p99", "P99"),
        ("p 99 under 100ms", "p99", "p 99"),
        ("the 99th percentile latency", "p99", "99th percentile"),
        ("Run A/B tests for two weeks", "a/b test", "A/B tests"),
        ("AB testing is the gate", "a/b test", "AB testing"),
        ("a/b-testing it", "ab testing", "a/b-testing"),
        ("then reranking for diversity", "re-ranking", "reranking"),
        ("then re-ranking for diversity", "re-ranking", "re-ranking"),
        ("then re ranking for diversity", "re-ranking", "re ranking"),
        ("then re-ranking for diversity", "reranking", "re-ranking"),
        ("watch out for train/serve skew", "training-serving skew", "train/serve skew"),
        ("Clickthrough rate is the target", "click-through rate", "Clickthrough rate"),
        ("click through rates by slot", "click-through rate", "click through rates"),
        ("a Feature-Store, shared", "feature store", "Feature-Store"),
        ("FEATURE STORES everywhere", "feature store", "FEATURE STORES"),
        ("our rankers and ranking models", "ranking", "rankers"),
        ("the data drifted last winter", "data drift", "data drifted"),
        ("data drifting is the risk", "data drift", "data drifting"),
        ("nearest neighbour search", "nearest neighbor", "nearest neighbour"),
        ("normalisation of counts", "normalization", "normalisation"),
        ("the team\u2019s model\u2019s registry", "model registry", "model\u2019s registry"),
    ],
)
def test_phrases_match_whatever_the_spelling(text, phrase, quote):
    found = mentions(text, phrase)
    assert (phrase, quote, "found") in found, found


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("precision is what we lose", "precision@k"),
        ("recall matters", "recall@k"),
        ("feature engineering and a store", "feature store"),
        ("store the features", "feature store"),
        ("the drafts drifted", "data drift"),
        ("feature\nstore", "feature store"),  # a line break ends the phrase
    ],
)
def test_partial_phrases_do_not_match(text, phrase):
    assert mentions(text, phrase) == []


@pytest.mark.parametrize(
    ("text", "phrase", "verdict"),
    [
        ("We don't need a feature store.", "feature store", "negated"),
        ("We dont need a feature store", "feature store", "negated"),
        ("No monitoring for the first version", "monitoring", "negated"),
        ("We can ship without data drift checks", "data drift", "negated"),
        ("We're not going to do A/B tests", "a/b test", "negated"),
        ("We never look at data drift", "data drift", "negated"),
        ("Let's skip the A/B test for now", "a/b test", "negated"),
        ("We won't use a feature store", "feature store", "negated"),
        ("A feature store isn't needed here", "feature store", "negated"),
        ("Monitoring is not really necessary", "monitoring", "negated"),
        ("Monitoring is out of scope", "monitoring", "negated"),
        ("Instead of a feature store we recompute features", "feature store", "negated"),
        ("We don't need a cache, but a feature store is essential", "feature store", "found"),
        ("We don't need a cache but a feature store is essential", "feature store", "found"),
        ("We don't need a cache; the feature store covers it", "feature store", "found"),
        ("We don't need a cache — the feature store covers it", "feature store", "found"),
        ("We can't launch without an A/B test", "a/b test", "found"),
        ("There's no way we ship without monitoring", "monitoring", "found"),
        ("Not only nDCG matters", "ndcg", "found"),
        ("No, we need monitoring", "monitoring", "found"),
        ("We need monitoring", "monitoring", "found"),
        ("We don't want to skip monitoring", "monitoring", "found"),
        ("We do not need a cache because data drift is rare", "data drift", "found"),
        ("A transformer with skip connections and a feature store", "feature store", "found"),
    ],
)
def test_negation(text, phrase, verdict):
    found = mentions(text, phrase)
    assert [v for p, _, v in found if p == phrase] == [verdict], found


def test_negation_reaches_only_its_own_clause():
    text = "We won't add a feature store. Monitoring and data drift checks come first, but no A/B tests."
    found = mentions(text, "feature store", "monitoring", "data drift", "a/b test")
    assert [(p, v) for p, _, v in found] == [
        ("feature store", "negated"),
        ("monitoring", "found"),
        ("data drift", "found"),
        ("a/b test", "negated"),
    ]


def test_a_mention_carries_its_exact_span_and_sentence():
    text = "First we clarify. Offline we'd report NDCG@10 and recall@k! Online, CTR."
    index = PhraseIndex.build([("ndcg", "offline"), ("recall@k", "offline"), ("ctr", "online")])
    found = find_mentions(text, index)
    assert [(m.quote, m.payload) for m in found] == [("NDCG", "offline"), ("recall@k", "offline"), ("CTR", "online")]
    for mention in found:
        assert text[mention.start : mention.end] == mention.quote
    assert found[0].sentence == "Offline we'd report NDCG@10 and recall@k!"
    assert found[2].sentence == "Online, CTR."


def test_long_sentences_are_shortened_around_the_quote():
    text = "word " * 100 + "data drift " + "word " * 100
    [mention] = find_mentions(text, PhraseIndex.build([("data drift", "c")]))
    assert "data drift" in mention.sentence and len(mention.sentence) <= 242
    assert mention.sentence.startswith("…") and mention.sentence.endswith("…")


def test_a_shorter_phrase_inside_a_longer_one_counts_once():
    # Same payload: the longer phrase wins.
    assert mentions("precision@10", "precision", "precision@k") == [("precision@k", "precision@10", "found")]
    # One span, two spellings of one concept: one mention.
    assert len(mentions("A/B tests", "a/b test", "ab testing")) == 1
    # Different payloads only with longest_only.
    index = PhraseIndex.build([("latency", "monitoring"), ("latency budget", "constraints")])
    assert {m.payload for m in find_mentions("a 200 ms latency budget", index)} == {"monitoring", "constraints"}
    assert [m.payload for m in find_mentions("a 200 ms latency budget", index, longest_only=True)] == ["constraints"]


def test_tokens_know_their_spans_and_clause_breaks():
    text = "Don't skip it, please."
    tokens = tokenise(text)
    assert [t.norm for t in tokens] == ["dont", "skip", "it", ",", "please", "."]
    assert [t.kind for t in tokens] == ["word", "word", "word", "break", "word", "break"]
    assert text[tokens[0].start : tokens[0].end] == "Don't"


@given(st.text(alphabet=st.sampled_from(list("abdefgiklmnoprstuvwy @/-.,'\u20190123456789KDCGNP\n")), max_size=120))
def test_any_text_gives_quotes_that_are_slices_of_it(text):
    index = PhraseIndex.build(
        [(p, p) for p in ("precision@k", "ndcg", "p99", "a/b test", "data drift", "feature store", "drift", "log")]
    )
    for mention in find_mentions(text, index):
        assert text[mention.start : mention.end] == mention.quote
        assert mention.verdict in ("found", "negated")
