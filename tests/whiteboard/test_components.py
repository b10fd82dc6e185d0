"""The component catalogue (whiteboard/components.py): palette shapes land in the lane they were
dropped in, and a shape naming a type the catalogue does not have is refused."""

import json
from pathlib import Path

import orjson
import pytest

from whiteboard.components import CATALOGUE, catalogue_data, component_of, component_type
from whiteboard.errors import BoardError
from whiteboard.lanes import lane_of
from whiteboard.models import BoardElement, BoardOp
from whiteboard.services import board_create, board_write_unchecked
from whiteboard.validation import validate_batch, validate_element

from ..elements import box, free_text, palette_box, rectangle, with_lane_ids
from ..ws import open_socket, receive, receive_type, send
from .test_isolation import apply_all, request

FIXTURE = json.loads((Path(__file__).parent.parent / "fixtures" / "palette_drops.json").read_text())
LANES = FIXTURE["lanes"]
DROPS = FIXTURE["drops"]
LABELS = {component.key: component.label for component in CATALOGUE}


def dropped(index: int, drop: dict) -> list[dict]:
    """The shape the palette makes for `drop` (the same point and frame as the Vitest cases)."""
    frame_id = f"lane-{drop['lane']}" if drop["lane"] else None
    return palette_box(f"p{index}", drop["component"], LABELS[drop["component"]], **drop["shape"], frame_id=frame_id)


def test_the_catalogue_has_the_ml_components_each_with_a_stable_key_and_a_lane():
    keys = [component.key for component in CATALOGUE]
    assert len(keys) == len(set(keys)) == 17
    assert {"feature_store", "ann_index", "candidate_generation", "reranking", "ab_testing", "feedback_loop"} <= set(
        keys
    )
    assert all(component.lane in ("offline", "online") and component.label for component in CATALOGUE)
    assert component_type("feature_store").label == "Feature store"
    assert component_type("Feature store") is None and component_type(["feature_store"]) is None


def test_the_island_reads_the_catalogue_as_json():
    data = orjson.loads(orjson.dumps(catalogue_data()))
    assert data[2] == {
        "key": "feature_store",
        "label": "Feature store",
        "lane": "offline",
        "aliases": ["features db", "feast", "online store", "offline store"],
    }
    assert [item["key"] for item in data] == [component.key for component in CATALOGUE]


def test_component_of_reads_only_known_types():
    assert component_of({"customData": {"component": "ranking"}}) == "ranking"
    assert component_of({"customData": {"component": "teleporter"}}) is None
    assert component_of({"customData": "ranking"}) is None
    assert component_of({}) is None


@pytest.mark.parametrize("index,drop", list(enumerate(DROPS)), ids=[d["name"] for d in DROPS])
def test_a_palette_shape_is_valid_and_in_the_lane_it_was_dropped_in(index, drop):
    shape, label = dropped(index, drop)
    validate_batch([shape, label], protected_ids=frozenset())
    assert lane_of(shape, with_lane_ids(LANES)) == drop["lane"]
    assert lane_of(label, with_lane_ids(LANES)) == drop["lane"]


@pytest.mark.parametrize("component", ["teleporter", "Feature store", "", 7, None, ["ranking"], {"key": "ranking"}])
def test_an_unknown_component_type_is_refused(component):
    shape = {**rectangle("r1"), "customData": {"component": component}}
    with pytest.raises(BoardError) as refused:
        validate_element(shape)
    assert refused.value.code == "unknown_component"
    assert "not a known component type" in refused.value.message


def test_the_refusal_names_the_type_without_echoing_a_long_one():
    with pytest.raises(BoardError) as refused:
        validate_element({**rectangle("r1"), "customData": {"component": "x" * 5000}})
    assert len(refused.value.message) < 1000


def test_only_a_shape_can_be_a_component():
    with pytest.raises(BoardError) as refused:
        validate_element({**free_text("t1", "Ranking", x=1200, y=100), "customData": {"component": "ranking"}})
    assert refused.value.code == "invalid" and "(text)" in refused.value.message


def test_free_drawn_shapes_and_other_custom_data_still_pass():
    shape, label = box("b1", "Feature store", x=100, y=100)
    validate_batch([shape, label], protected_ids=frozenset())
    validate_element({**rectangle("r2"), "customData": {"colour": "mine"}})
    validate_element({**rectangle("r3"), "customData": None})


def test_one_unknown_type_refuses_the_whole_batch():
    good = dropped(0, DROPS[0])
    bad = {**rectangle("r9"), "customData": {"component": "teleporter"}}
    with pytest.raises(BoardError) as refused:
        validate_batch([*good, bad], protected_ids=frozenset())
    assert refused.value.code == "unknown_component"


# -- over the board socket -------------------------------------------------------------------------


def board_path(interview) -> str:
    return f"/ws/boards/{interview.board_id}/"


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_palette_drops_reach_the_peer_and_are_stored_in_their_lanes(interview, interviewer, candidate):
    a = await open_socket(board_path(interview), candidate)
    await receive_type(a, "snapshot")
    b = await open_socket(board_path(interview), interviewer)
    await receive_type(b, "snapshot")

    for index, drop in enumerate(DROPS):
        elements = dropped(index, drop)
        await send(a, {"type": "ops", "op_id": f"drop-{index}", "elements": elements})
        ack = await receive_type(a, "ack")
        assert sorted(ack["accepted"]) == sorted(e["id"] for e in elements)
        seen = await receive_type(b, "ops")
        assert seen["elements"][0]["customData"] == {"component": drop["component"]}

    rows = {row.element_id: row async for row in BoardElement.objects.filter(board_id=interview.board_id)}
    for index, drop in enumerate(DROPS):
        shape = rows[f"p{index}"]
        assert shape.lane == drop["lane"], drop["name"]
        assert shape.data["customData"] == {"component": drop["component"]}
        assert rows[f"p{index}-text"].lane == drop["lane"]
    await a.disconnect()
    await b.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_an_unknown_component_is_refused_on_the_socket_and_changes_nothing(interview, candidate):
    a = await open_socket(board_path(interview), candidate)
    await receive_type(a, "snapshot")
    shape, label = palette_box("p1", "teleporter", "Teleporter", x=1200, y=100, frame_id="lane-online")
    await send(a, {"type": "ops", "op_id": "bad", "elements": [shape, label]})
    frame = await receive(a)
    assert frame["type"] == "error" and frame["code"] == "unknown_component" and frame["ref"] == "bad"
    assert "teleporter" in frame["message"]
    assert await BoardOp.objects.filter(board_id=interview.board_id).acount() == 0
    assert not await BoardElement.objects.filter(board_id=interview.board_id, element_id="p1").aexists()
    # the socket stays usable, and the same shape with a known type goes through
    shape, label = palette_box("p1", "ranking", "Teleporter", x=1200, y=100, frame_id="lane-online")
    await send(a, {"type": "ops", "op_id": "good", "elements": [shape, label]})
    assert (await receive_type(a, "ack"))["seq"] == 1
    await a.disconnect()


@pytest.mark.django_db
def test_the_service_refuses_an_unknown_type_and_stores_nothing(interview, candidate):
    shape, label = palette_box("p1", "warp_drive", "Warp", x=1200, y=100, frame_id="lane-online")
    with pytest.raises(BoardError) as refused:
        board_write_unchecked(board_id=interview.board_id, op_id="op-1", elements=[shape, label], author=candidate)
    assert refused.value.code == "unknown_component"
    assert not BoardElement.objects.filter(board_id=interview.board_id, element_id__in=["p1", "p1-text"]).exists()
    assert not BoardOp.objects.filter(board_id=interview.board_id).exists()


@pytest.mark.django_db(transaction=True)
def test_an_unknown_type_fails_only_its_own_op_in_a_shared_commit():
    lanes = [{**lane, "name": lane["key"]} for lane in LANES]
    a, b = (board_create(title=title, lanes=lanes) for title in ("A", "B"))
    poison = palette_box("p1", "warp_drive", "Warp", x=1200, y=100, frame_id="lane-online")
    good = palette_box("p2", "serving", "API", x=1200, y=300, frame_id="lane-online")
    results = apply_all([request(b, "b-1", *good), request(a, "a-poison", *poison), request(a, "a-1", *good)])
    assert isinstance(results[1], BoardError) and results[1].code == "unknown_component"
    assert [(r.op_id, r.seq) for r in (results[0], results[2])] == [("b-1", 1), ("a-1", 1)]
    assert not BoardElement.objects.filter(element_id__in=["p1", "p1-text"]).exists()
    assert set(BoardElement.objects.filter(element_id="p2").values_list("lane", flat=True)) == {"online"}
