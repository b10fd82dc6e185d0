"""The board's structure for the evidence finder: labels, lanes and arrows read from Excalidraw
elements, and the checks against a problem's expectations, on hand-made boards with known answers."""

import pytest

from rubrics.evidence.board import Vocabulary, board_check, read_board
from whiteboard.selectors import board_get_state
from whiteboard.services import board_create, board_write_unchecked

from ..elements import TWO_LANES, Sketch, arrow, box, free_text, with_lane_ids
from .evidence_boards import OFFLINE_X, ONLINE_X, ROWS, good_board

LANES = with_lane_ids(TWO_LANES)
# The problem bank's video recommendation expectations (rubrics/content/problems.yaml).
EXPECTATIONS = {
    "offline_components": [
        "ingestion",
        "feature store",
        "training",
        "model registry",
        "embedding generation",
        "index builder",
    ],
    "online_components": ["serving", "candidate generation", "ranking", "filtering", "re-ranking", "logging"],
    "connections": [
        ["feature store", "training"],
        ["training", "model registry"],
        ["embedding generation", "index builder"],
        ["candidate generation", "ranking"],
        ["ranking", "re-ranking"],
        ["logging", "ingestion"],
    ],
}
VOCABULARY = Vocabulary.for_expectations(EXPECTATIONS)


def flat(batches) -> list[dict]:
    return [element for batch in batches for element in batch]


def verdicts(elements, expectations=EXPECTATIONS) -> dict[str, str]:
    vocabulary = Vocabulary.for_expectations(expectations)
    graph = read_board(elements, LANES, vocabulary)
    return {f.key: f.verdict for f in board_check(graph, expectations, vocabulary)}


def finding(elements, key: str):
    graph = read_board(elements, LANES, VOCABULARY)
    return next(f for f in board_check(graph, EXPECTATIONS, VOCABULARY) if f.key == key)


def without(elements, *ids) -> list[dict]:
    return [e for e in elements if e["id"] not in ids and e.get("containerId") not in ids]


@pytest.mark.parametrize(
    ("label", "names"),
    [
        ("Feature store", {"feature store"}),
        ("Features DB", {"feature store"}),
        ("FS", {"feature store"}),
        ("Online feature store (Redis)", {"feature store"}),
        ("Model store", {"model registry"}),
        ("Model registry", {"model registry"}),
        ("Candidate gen", {"candidate generation"}),
        ("Retrieval (two-tower)", {"candidate generation"}),
        ("Ranker", {"ranking"}),
        ("Ranking model", {"ranking"}),
        ("Re-ranking", {"re-ranking"}),
        ("Reranker", {"re-ranking"}),
        ("Inference service", {"serving"}),
        ("API", {"serving"}),
        ("Serving", {"serving"}),
        ("Event log", {"logging"}),
        ("Feedback", {"logging"}),
        ("Logging", {"logging"}),
        ("Dashboards", {"monitoring"}),
        ("Drift detection", {"monitoring"}),
        ("ETL", {"ingestion"}),
        ("Data pipeline", {"ingestion"}),
        ("Trainer", {"training"}),
        ("Training jobs", {"training"}),
        ("Training + model registry", {"training", "model registry"}),
        ("Item embeddings", {"embedding generation"}),
        ("Cat pictures", set()),
    ],
)
def test_labels_mean_components_by_synonym_and_stem(label, names):
    assert VOCABULARY.names_in(label) == names


def test_good_board_passes_every_check():
    _, batches = good_board()
    result = verdicts(flat(batches))
    assert set(result.values()) == {"found"}, {k: v for k, v in result.items() if v != "found"}
    assert set(result) == {
        *(f"lane:offline:{n}" for n in EXPECTATIONS["offline_components"]),
        *(f"lane:online:{n}" for n in EXPECTATIONS["online_components"]),
        "chain:offline",
        "connection:embedding generation>index builder",
        "connection:candidate generation>ranking",
        "connection:ranking>re-ranking",
        "serving",
        "shared-store",
        "feedback",
        "monitoring",
    }


def test_findings_name_the_criteria_they_inform():
    _, batches = good_board()
    graph = read_board(flat(batches), LANES, VOCABULARY)
    criteria = {f.key: f.criterion_key for f in board_check(graph, EXPECTATIONS, VOCABULARY)}
    assert criteria["connection:candidate generation>ranking"] == "system-shape"
    assert criteria["shared-store"] == "feature-store-and-skew"
    assert criteria["feedback"] == "retraining-and-feedback"
    assert criteria["monitoring"] == "operational-and-ml-monitoring"
    assert criteria["chain:offline"] == criteria["lane:offline:training"] == "offline-online-separation"


def test_components_in_the_wrong_lane():
    s = Sketch()
    elements = [
        *s.box("ing", "Ingestion", x=OFFLINE_X[0], y=ROWS[0]),
        *s.box("fs", "Feature store", x=ONLINE_X[0], y=ROWS[0]),  # offline component, online lane
        *s.box("train", "Training", x=ONLINE_X[1], y=ROWS[0]),  # offline component, online lane
        *s.box("reg", "Model registry", x=5000, y=5000),  # outside both lanes
        *s.box("api", "Serving API", x=OFFLINE_X[1], y=ROWS[2]),  # online component, offline lane
        *s.box("rank", "Ranking", x=ONLINE_X[2], y=ROWS[0]),
    ]
    result = verdicts(elements)
    assert result["lane:offline:ingestion"] == "found"
    assert result["lane:offline:feature store"] == "wrong_lane"
    assert result["lane:offline:training"] == "wrong_lane"
    assert result["lane:offline:model registry"] == "wrong_lane"
    assert result["lane:online:serving"] == "wrong_lane"
    assert result["lane:online:ranking"] == "found"
    assert result["lane:online:logging"] == "missing"
    assert finding(elements, "lane:offline:training").text == (
        "“Training” (training) is in the online lane; it belongs in the offline lane."
    )
    assert "outside both lanes" in finding(elements, "lane:offline:model registry").text


def test_a_component_in_both_lanes_counts_where_it_belongs():
    elements = [*box("fs1", "Feature store", x=OFFLINE_X[1], y=ROWS[0]), *box("fs2", "FS", x=ONLINE_X[1], y=ROWS[0])]
    assert verdicts(elements)["lane:offline:feature store"] == "found"


def test_the_offline_chain_forms_through_arrows():
    s, batches = good_board()
    elements = flat(batches)
    assert finding(elements, "chain:offline").verdict == "found"
    # Through an extra step it still forms: features -> validation -> training.
    detour = [
        *without(elements, "a2"),
        *s.box("val", "Data validation", x=OFFLINE_X[1], y=ROWS[2]),
        *s.arrow("v1", "fs", "val"),
        *s.arrow("v2", "val", "train"),
    ]
    assert finding(detour, "chain:offline").verdict == "found"


def test_the_offline_chain_breaks_without_an_arrow_or_against_its_direction():
    s, batches = good_board()
    elements = flat(batches)
    broken = without(elements, "a3")  # training -/-> model registry
    chain = finding(broken, "chain:offline")
    assert chain.verdict == "missing"
    assert chain.text == (
        "Nothing leads from training to model registry in ingestion → feature store → training → model registry."
    )
    backwards = [*without(elements, "a3"), *s.arrow("a3", "reg", "train")]
    assert finding(backwards, "chain:offline").verdict == "missing"
    two_way = [*without(elements, "a3"), *s.arrow("a3", "reg", "train", start_head="arrow")]
    assert finding(two_way, "chain:offline").verdict == "found"
    no_registry = without(elements, "reg")
    assert finding(no_registry, "chain:offline").text.endswith("model registry is not on the board.")


def test_candidate_generation_must_come_before_ranking():
    s, batches = good_board()
    elements = flat(batches)
    assert finding(elements, "connection:candidate generation>ranking").verdict == "found"
    reversed_funnel = [*without(elements, "a6"), *s.arrow("a6", "rank", "cg")]
    funnel = finding(reversed_funnel, "connection:candidate generation>ranking")
    assert (funnel.verdict, funnel.kind) == ("missing", "funnel")


def test_the_feature_store_shared_or_not():
    s, batches = good_board()
    elements = flat(batches)
    shared = finding(elements, "shared-store")
    assert shared.verdict == "found" and "(offline)" in shared.text and "“Ranker” (online)" in shared.text
    offline_only = without(elements, "a10")
    assert finding(offline_only, "shared-store").verdict == "missing"
    assert "only to the offline lane" in finding(offline_only, "shared-store").text
    # An offline and an online store kept in sync also serve both lanes.
    two_stores = [
        *offline_only,
        *s.box("ofs", "Online feature store", x=ONLINE_X[2], y=ROWS[1]),
        *s.arrow("sync", "fs", "ofs"),
        *s.arrow("lookup", "ofs", "rank"),
    ]
    assert finding(two_stores, "shared-store").verdict == "found"
    assert finding(without(elements, "fs"), "shared-store").text == "No feature store on the board."


def test_the_feedback_arrow_present_or_absent():
    s, batches = good_board()
    elements = flat(batches)
    assert finding(elements, "feedback").verdict == "found"
    no_feedback = without(elements, "a12")
    assert finding(no_feedback, "feedback").verdict == "missing"
    # No logging box, but the arrow back from serving is labelled as logs.
    labelled = [*without(elements, "a12", "logs", "a11"), *s.arrow("back", "api", "ing", label="logs")]
    assert finding(labelled, "feedback").verdict == "found"
    # An unlabelled arrow from serving back to ingestion is not a feedback arrow.
    unlabelled = [*without(elements, "a12", "logs", "a11"), *s.arrow("back", "api", "ing")]
    assert finding(unlabelled, "feedback").verdict == "missing"


def test_monitoring_present_or_absent():
    _, batches = good_board()
    elements = flat(batches)
    assert finding(elements, "monitoring").text == "Monitoring is on the board: “Drift detection”."
    assert finding(without(elements, "mon"), "monitoring").verdict == "missing"
    written = [*without(elements, "mon"), free_text("note", "Dashboards + alerts", x=1500, y=650)]
    assert finding(written, "monitoring").verdict == "found"


def test_serving_must_be_connected():
    _, batches = good_board()
    elements = flat(batches)
    assert finding(elements, "serving").verdict == "found"
    alone = without(elements, "a5", "a11")
    assert finding(alone, "serving").verdict == "missing"


def test_labels_come_from_bound_text_listed_text_or_text_inside():
    shape, text = box("s1", "Feature store", x=100, y=100)
    listed_only = {**text, "containerId": None}  # only the shape's boundElements names it
    inside = free_text("t2", "Model registry", x=330, y=120)
    plain = box("s2", "", x=300, y=100)[0]
    plain["boundElements"] = None
    graph = read_board([shape, listed_only, plain, inside], LANES, VOCABULARY)
    assert {c.id: c.label for c in graph.components.values()} == {"s1": "Feature store", "s2": "Model registry"}
    assert graph.components["s2"].names == {"model registry"}


def test_free_text_outside_shapes_is_a_component_of_its_own():
    graph = read_board([free_text("note", "Monitoring", x=1300, y=600)], LANES, VOCABULARY)
    [component] = graph.components.values()
    assert (component.id, component.lane, component.names) == ("note", "online", {"monitoring"})


def test_arrows_follow_bindings_snap_when_unbound_and_respect_arrowheads():
    s = Sketch()
    elements = [
        *s.box("a", "Ingestion", x=40, y=60),
        *s.box("b", "Feature store", x=400, y=60),
        *s.box("c", "Training", x=760, y=60),
    ]
    bound = s.arrow("ab", "a", "b")
    unbound = s.arrow("bc", "b", "c", bound=False)  # ends 4px off each box: snaps
    graph = read_board([*elements, *bound, *unbound], LANES, VOCABULARY)
    assert {(e.source, e.target) for e in graph.edges} == {("a", "b"), ("b", "c")}
    backwards = s.arrow("ab", "a", "b", start_head="arrow", end_head=None)
    graph = read_board([*elements, *backwards], LANES, VOCABULARY)
    assert [(e.source, e.target) for e in graph.edges] == [("b", "a")]
    both = s.arrow("ab", "a", "b", start_head="arrow")
    graph = read_board([*elements, *both], LANES, VOCABULARY)
    assert sorted((e.source, e.target) for e in graph.edges) == [("a", "b"), ("b", "a")]


def test_an_unbound_arrow_far_from_everything_connects_nothing():
    s = Sketch()
    elements = [*s.box("a", "Ingestion", x=40, y=60), *s.box("b", "Feature store", x=400, y=60)]
    stray = arrow("x", {**s.shapes["a"], "y": 400.0}, {**s.shapes["b"], "y": 400.0}, bound=False)
    assert read_board([*elements, *stray], LANES, VOCABULARY).edges == []


def test_an_arrow_bound_to_a_label_connects_its_shape():
    s = Sketch()
    elements = [*s.box("a", "Ingestion", x=40, y=60), *s.box("b", "Feature store", x=400, y=60)]
    [link] = s.arrow("ab", "a", "b")
    link["endBinding"] = {"elementId": "b-text", "focus": 0, "gap": 4}
    graph = read_board([*elements, link], LANES, VOCABULARY)
    assert [(e.source, e.target) for e in graph.edges] == [("a", "b")]


def test_deleted_elements_and_lane_frames_are_not_components():
    elements = [
        *box("gone", "Monitoring", x=1300, y=500, deleted=True, version=2),
        {"id": "lane-online", "type": "frame", "name": "Online", "x": 1040, "y": 0, "width": 960, "height": 760},
    ]
    graph = read_board(elements, LANES, VOCABULARY)
    assert graph.components == {}


def test_the_lane_the_server_computed_wins_over_geometry():
    shape, text = box("s1", "Feature store", x=ONLINE_X[0], y=60)
    assert read_board([{**shape, "lane": "offline"}, text], LANES, VOCABULARY).components["s1"].lane == "offline"
    assert read_board([shape, text], LANES, VOCABULARY).components["s1"].lane == "online"


@pytest.mark.django_db
def test_a_board_drawn_through_the_op_log_reads_the_same(candidate):
    board = board_create(title="t", lanes=TWO_LANES)
    s, batches = good_board()
    for number, batch in enumerate(batches):
        board_write_unchecked(board_id=board.pk, op_id=f"op-{number}", elements=batch, author=candidate)
    state = board_get_state(board_id=board.pk)
    assert all("lane" in element for element in state.elements)
    assert set(verdicts(state.elements).values()) == {"found"}
    # Moving the trainer to the online lane and deleting the monitor, as the candidate would.
    trainer = {**s.shapes["train"], "x": float(ONLINE_X[2]), "y": float(ROWS[2]), "version": 2, "versionNonce": 1}
    monitor = {**s.shapes["mon"], "isDeleted": True, "version": 2, "versionNonce": 1}
    board_write_unchecked(board_id=board.pk, op_id="op-move", elements=[trainer, monitor], author=candidate)
    result = verdicts(board_get_state(board_id=board.pk).elements)
    assert result["lane:offline:training"] == "wrong_lane"
    assert result["monitoring"] == "missing"
    assert result["chain:offline"] == "found"  # the arrows still run through it
