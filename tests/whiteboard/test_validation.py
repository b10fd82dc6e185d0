import math

import pytest

from whiteboard.errors import BoardError
from whiteboard.validation import (
    ALLOWED_TYPES,
    MAX_BATCH,
    MAX_COORD,
    MAX_NONCE,
    MAX_POINTS,
    MAX_SIZE,
    MAX_TEXT,
    MAX_VERSION,
    validate_batch,
)

from ..elements import rectangle

PROTECTED = frozenset({"lane-offline", "lane-online"})


def line(element_id="l1", points=None, **extra) -> dict:
    return rectangle(element_id, type="line", points=[[0, 0], [100, 50]] if points is None else points, **extra)


def without(element: dict, key: str) -> dict:
    return {k: v for k, v in element.items() if k != key}


BAD_ELEMENTS = [
    pytest.param("r1", "JSON object", id="not-an-object"),
    pytest.param(None, "JSON object", id="null-element"),
    pytest.param(without(rectangle(), "id"), "id of 1-64", id="missing-id"),
    pytest.param(rectangle(""), "id of 1-64", id="empty-id"),
    pytest.param(rectangle("r 1"), "id of 1-64", id="id-with-space"),
    pytest.param(rectangle("r1/../x"), "id of 1-64", id="id-with-slash"),
    pytest.param(rectangle("é1"), "id of 1-64", id="id-non-ascii"),
    pytest.param(rectangle("x" * 65), "id of 1-64", id="id-too-long"),
    pytest.param({**rectangle(), "id": 7}, "id of 1-64", id="id-not-string"),
    pytest.param(rectangle("r1\n"), "id of 1-64", id="id-trailing-newline"),
    pytest.param(rectangle(type="image"), "'image' is not allowed", id="type-image"),
    pytest.param(rectangle(type="embeddable"), "'embeddable' is not allowed", id="type-embeddable"),
    pytest.param(rectangle(type="iframe"), "'iframe' is not allowed", id="type-iframe"),
    pytest.param(without(rectangle(), "type"), "None is not allowed", id="type-missing"),
    pytest.param(rectangle(type=["rectangle"]), "is not allowed", id="type-list"),
    pytest.param(without(rectangle(), "version"), "version must be", id="version-missing"),
    pytest.param(rectangle(version=0), "version must be", id="version-0"),
    pytest.param(rectangle(version=-1), "version must be", id="version-negative"),
    pytest.param(rectangle(version=True), "version must be", id="version-bool"),
    pytest.param(rectangle(version=1.0), "version must be", id="version-float"),
    pytest.param(rectangle(version="2"), "version must be", id="version-string"),
    pytest.param(rectangle(version=MAX_VERSION + 1), "version must be", id="version-huge"),
    pytest.param(without(rectangle(), "versionNonce"), "versionNonce", id="nonce-missing"),
    pytest.param(rectangle(nonce="5"), "versionNonce", id="nonce-string"),
    pytest.param(rectangle(nonce=1.5), "versionNonce", id="nonce-float"),
    pytest.param(rectangle(nonce=False), "versionNonce", id="nonce-bool"),
    pytest.param(rectangle(nonce=MAX_NONCE + 1), "versionNonce", id="nonce-huge"),
    pytest.param(rectangle(nonce=-MAX_NONCE - 1), "versionNonce", id="nonce-huge-negative"),
    pytest.param(rectangle(deleted="yes"), "isDeleted", id="deleted-string"),
    pytest.param(rectangle(deleted=0), "isDeleted", id="deleted-int"),
    pytest.param(rectangle(deleted=None), "isDeleted", id="deleted-null"),
    pytest.param(rectangle(x=math.nan), "x must be a finite number", id="x-nan"),
    pytest.param(rectangle(x=math.inf), "x must be a finite number", id="x-inf"),
    pytest.param(rectangle(y=-math.inf), "y must be a finite number", id="y-minus-inf"),
    pytest.param(rectangle(x="10"), "x must be a finite number", id="x-string"),
    pytest.param(rectangle(x=True), "x must be a finite number", id="x-bool"),
    pytest.param(rectangle(x=None), "x must be a finite number", id="x-null"),
    pytest.param(rectangle(x=MAX_COORD + 1), "x is out of bounds", id="x-huge"),
    pytest.param(rectangle(y=-1e300), "y is out of bounds", id="y-huge-negative"),
    pytest.param(rectangle(width=MAX_SIZE + 1), "width is out of bounds", id="width-too-large"),
    pytest.param(rectangle(height=-(MAX_SIZE + 1)), "height is out of bounds", id="height-too-large"),
    pytest.param(rectangle(angle=math.nan), "angle must be a finite number", id="angle-nan"),
    pytest.param(rectangle(opacity=[100]), "opacity must be a finite number", id="opacity-list"),
    pytest.param(rectangle(fontSize=1e9), "fontSize is out of bounds", id="font-size-huge"),
    pytest.param(rectangle(type="text", text="a" * (MAX_TEXT + 1)), "text is longer", id="text-too-long"),
    pytest.param(rectangle(type="text", originalText="a" * (MAX_TEXT + 1)), "originalText is longer", id="orig-long"),
    pytest.param(rectangle(type="text", text=42), "text must be text", id="text-not-string"),
    pytest.param(line(points="0,0 1,1"), "points must be a list", id="points-string"),
    pytest.param(line(points={"x": 0}), "points must be a list", id="points-object"),
    pytest.param(line(points=[[0, 0]] * (MAX_POINTS + 1)), "at most 5000 points", id="too-many-points"),
    pytest.param(line(points=[[0, 0], [1]]), "each point must be [x, y]", id="point-single"),
    pytest.param(line(points=[[0, 0], [1, 2, 3]]), "each point must be [x, y]", id="point-triple"),
    pytest.param(line(points=[[0, 0], 5]), "each point must be [x, y]", id="point-number"),
    pytest.param(line(points=[[0, 0], ["a", 1]]), "points must be a finite number", id="point-string-coord"),
    pytest.param(line(points=[[0, 0], [math.nan, 1]]), "points must be a finite number", id="point-nan"),
    pytest.param(line(points=[[0, 0], [MAX_COORD * 2, 1]]), "points is out of bounds", id="point-huge"),
    pytest.param(rectangle(frameId=5), "frameId", id="frame-id-number"),
    pytest.param(rectangle(frameId=["lane-online"]), "frameId", id="frame-id-list"),
]


@pytest.mark.parametrize(("element", "message"), BAD_ELEMENTS)
def test_bad_element_refuses_the_batch(element, message):
    with pytest.raises(BoardError) as caught:
        validate_batch([rectangle("good"), element], protected_ids=PROTECTED)
    assert caught.value.code == "invalid"
    assert message in caught.value.message


def test_message_names_the_element():
    with pytest.raises(BoardError) as caught:
        validate_batch([rectangle("good"), rectangle("shape-42", x=math.inf)], protected_ids=PROTECTED)
    assert caught.value.message.startswith("Element shape-42:")


@pytest.mark.parametrize(
    ("elements", "message"),
    [
        pytest.param([], "non-empty list", id="empty"),
        pytest.param(None, "non-empty list", id="null"),
        pytest.param(rectangle(), "non-empty list", id="object-not-list"),
        pytest.param("r1", "non-empty list", id="string"),
        pytest.param([rectangle(f"r{i}") for i in range(MAX_BATCH + 1)], "at most 500 elements", id="over-500"),
    ],
)
def test_bad_batch_is_refused(elements, message):
    with pytest.raises(BoardError) as caught:
        validate_batch(elements, protected_ids=PROTECTED)
    assert caught.value.code == "invalid" and message in caught.value.message


@pytest.mark.parametrize("lane_id", sorted(PROTECTED))
def test_a_lane_frame_anywhere_in_the_batch_is_protected(lane_id):
    frame = rectangle(lane_id, type="frame", version=2)
    for batch in ([frame], [rectangle("ok"), frame], [frame, rectangle("ok")]):
        with pytest.raises(BoardError) as caught:
            validate_batch(batch, protected_ids=PROTECTED)
        assert caught.value.code == "protected_element" and "lane frames" in caught.value.message


def test_protection_comes_from_the_board_not_the_id_pattern():
    assert validate_batch([rectangle("lane-online")], protected_ids=frozenset())[0]["id"] == "lane-online"


@pytest.mark.parametrize("element_type", sorted(ALLOWED_TYPES))
def test_every_allowed_type_passes(element_type):
    assert validate_batch([rectangle("e1", type=element_type)], protected_ids=PROTECTED) == [
        rectangle("e1", type=element_type)
    ]


@pytest.mark.parametrize(
    "element",
    [
        pytest.param(rectangle("a" * 64), id="id-64-chars"),
        pytest.param(rectangle("A-z_09"), id="id-all-classes"),
        pytest.param(rectangle(version=1), id="version-1"),
        pytest.param(rectangle(version=MAX_VERSION), id="version-max"),
        pytest.param(rectangle(nonce=-MAX_NONCE), id="nonce-min"),
        pytest.param(rectangle(nonce=MAX_NONCE), id="nonce-max"),
        pytest.param(without(rectangle(), "isDeleted"), id="deleted-missing"),
        pytest.param(rectangle(x=-MAX_COORD, y=MAX_COORD), id="coords-at-bounds"),
        pytest.param(rectangle(width=MAX_SIZE, height=0), id="size-at-bounds"),
        pytest.param(rectangle(type="text", text="a" * MAX_TEXT, originalText=None), id="text-at-limit"),
        pytest.param(line(points=[[0, 0]] * MAX_POINTS), id="points-at-limit"),
        pytest.param(line(points=[]), id="points-empty"),
        pytest.param(line(points=[(0, 0), (1.5, -2)]), id="points-tuples"),
        pytest.param(rectangle(frameId="lane-online"), id="frame-id-string"),
        pytest.param(rectangle(customData={"anything": [1, "two"]}), id="extra-fields"),
    ],
)
def test_valid_edge_cases_pass(element):
    assert validate_batch([element], protected_ids=PROTECTED) == [element]


def test_batch_of_exactly_500_passes():
    batch = [rectangle(f"r{i}") for i in range(MAX_BATCH)]
    assert len(validate_batch(batch, protected_ids=PROTECTED)) == MAX_BATCH


def test_duplicates_fold_to_the_last_copy_in_first_seen_order():
    batch = [rectangle("a", x=1.0), rectangle("b"), rectangle("a", x=2.0), rectangle("c")]
    folded = validate_batch(batch, protected_ids=PROTECTED)
    assert [e["id"] for e in folded] == ["a", "b", "c"]
    assert folded[0]["x"] == 2.0
