"""Palette shapes on the board: the evidence finder reads their component type
(`customData.component`), whatever their label says; free-drawn shapes are read by their label."""

from pathlib import Path

import pytest
import yaml

from rubrics.evidence.board import (
    ALWAYS,
    COMPONENT_CONCEPTS,
    Vocabulary,
    board_check,
    expected_component_types,
    read_board,
)
from whiteboard.components import BY_KEY, CATALOGUE

from ..elements import TWO_LANES, arrow, box, palette_box, with_lane_ids
from .evidence_boards import OFFLINE_X, ONLINE_X, ROWS

LANES = with_lane_ids(TWO_LANES)
PROBLEMS = yaml.safe_load((Path(__file__).parents[2] / "rubrics" / "content" / "problems.yaml").read_text())["problems"]
EXPECTATIONS = {
    "offline_components": ["ingestion", "feature store", "training", "model registry"],
    "online_components": ["serving", "ranking", "logging"],
    "connections": [["feature store", "training"], ["training", "model registry"]],
}
VOCABULARY = Vocabulary.for_expectations(EXPECTATIONS)


def verdicts(elements, expectations=EXPECTATIONS) -> dict[str, str]:
    vocabulary = Vocabulary.for_expectations(expectations)
    graph = read_board(elements, LANES, vocabulary)
    return {f.key: f.verdict for f in board_check(graph, expectations, vocabulary)}


def findings(elements) -> dict[str, str]:
    graph = read_board(elements, LANES, VOCABULARY)
    return {f.key: f.text for f in board_check(graph, EXPECTATIONS, VOCABULARY)}


def test_every_palette_type_stands_for_concepts():
    assert COMPONENT_CONCEPTS.keys() == BY_KEY.keys()
    assert all(COMPONENT_CONCEPTS[key] for key in BY_KEY)


def test_the_concepts_every_board_is_read_for_have_a_palette_type():
    covered = {concept for concepts in COMPONENT_CONCEPTS.values() for concept in concepts}
    assert set(ALWAYS) <= covered


def test_the_palette_concepts_are_names_the_problem_bank_uses():
    expected = {
        name
        for problem in PROBLEMS
        for lane in ("offline_components", "online_components")
        for name in problem["expectations"].get(lane, [])
    }
    used = {concept for concepts in COMPONENT_CONCEPTS.values() for concept in concepts}
    # the three the bank does not name yet are read on their own (no problem expects them)
    assert used - expected == {"cache", "a/b testing", "feedback loop"}


def test_a_palette_feature_store_with_an_odd_label_is_a_feature_store():
    shape = palette_box("p1", "feature_store", "Thing 42 (ask Bob)", x=OFFLINE_X[1], y=ROWS[0], frame_id="lane-offline")
    graph = read_board(shape, LANES, VOCABULARY)
    assert graph.components["p1"].names == {"feature store"}
    assert graph.components["p1"].lane == "offline"
    assert verdicts(shape)["lane:offline:feature store"] == "found"
    assert findings(shape)["lane:offline:feature store"] == "“Thing 42 (ask Bob)” is in the offline lane."


def test_the_same_odd_label_drawn_by_hand_is_nothing():
    hand = box("b1", "Thing 42 (ask Bob)", x=OFFLINE_X[1], y=ROWS[0])
    assert read_board(hand, LANES, VOCABULARY).components["b1"].names == frozenset()
    assert verdicts(hand)["lane:offline:feature store"] == "missing"


def test_the_type_counts_and_so_does_what_the_label_names():
    # a serving shape relabelled for the problem is serving and what its label says
    shape = palette_box("p1", "serving", "Ranking service", x=ONLINE_X[0], y=ROWS[0], frame_id="lane-online")
    assert read_board(shape, LANES, VOCABULARY).components["p1"].names == {"serving", "ranking"}


def test_a_palette_shape_without_a_label_is_quoted_by_its_type():
    shape, _ = palette_box("p1", "model_registry", "", x=OFFLINE_X[3], y=ROWS[0], frame_id="lane-offline")
    assert findings([shape])["lane:offline:model registry"] == "“Model registry” is in the offline lane."


def test_a_palette_shape_in_the_wrong_lane_is_wrong_lane():
    shape = palette_box("p1", "training", "Nightly job", x=ONLINE_X[1], y=ROWS[1], frame_id="lane-online")
    assert verdicts(shape)["lane:offline:training"] == "wrong_lane"


def test_palette_shapes_connect_like_drawn_ones():
    s_fs = palette_box("fs", "feature_store", "FS-7", x=OFFLINE_X[0], y=ROWS[0], frame_id="lane-offline")
    s_tr = palette_box("tr", "training", "Job", x=OFFLINE_X[1], y=ROWS[0], frame_id="lane-offline")
    s_rg = palette_box("rg", "model_registry", "Bucket", x=OFFLINE_X[2], y=ROWS[0], frame_id="lane-offline")
    s_in = palette_box("in", "ingestion", "Pipes", x=OFFLINE_X[3], y=ROWS[1], frame_id="lane-offline")
    elements = [
        *s_in,
        *s_fs,
        *s_tr,
        *s_rg,
        *arrow("a0", s_in[0], s_fs[0]),
        *arrow("a1", s_fs[0], s_tr[0]),
        *arrow("a2", s_tr[0], s_rg[0]),
    ]
    assert verdicts(elements)["chain:offline"] == "found"
    assert verdicts([e for e in elements if e["id"] != "a1"])["chain:offline"] == "missing"


def test_a_feedback_loop_in_the_online_lane_feeding_offline_is_the_feedback_arrow():
    loop = palette_box("fb", "feedback_loop", "Back", x=ONLINE_X[0], y=ROWS[2], frame_id="lane-online")
    ingest = palette_box("in", "ingestion", "In", x=OFFLINE_X[0], y=ROWS[2], frame_id="lane-offline")
    assert verdicts([*loop, *ingest])["feedback"] == "missing"
    assert verdicts([*loop, *ingest, *arrow("a1", loop[0], ingest[0])])["feedback"] == "found"


@pytest.mark.parametrize(
    ("expectations", "types"),
    [
        (
            EXPECTATIONS,
            # logging is what a feedback loop is read as, so both are offered
            [
                *("ingestion", "feature_store", "training", "model_registry"),
                "serving",
                "ranking",
                "logging",
                "feedback_loop",
            ],
        ),
        (
            {
                "offline_components": ["annotation", "index builder", "embedding generation", "evaluation"],
                "online_components": ["nearest neighbour index", "suggestion cache", "object detection"],
            },
            ["labeling", "embedding", "ann_index", "cache"],
        ),
        ({}, []),
    ],
)
def test_the_types_a_problem_expects_in_its_order(expectations, types):
    assert expected_component_types(expectations) == types


def test_every_problem_offers_some_palette_types_first():
    catalogue = {component.key for component in CATALOGUE}
    for problem in PROBLEMS:
        types = expected_component_types(problem["expectations"])
        assert types and set(types) <= catalogue, problem["slug"] if "slug" in problem else problem["title"]
