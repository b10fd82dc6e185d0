import pytest

from whiteboard.lanes import element_center, lane_frame_element, lane_of
from whiteboard.validation import validate_element

from ..elements import TWO_LANES, rectangle, with_lane_ids

LANES = with_lane_ids(TWO_LANES)


def test_centre_of_a_box_is_its_middle():
    assert element_center(rectangle(x=100.0, y=40.0, width=200.0, height=80.0)) == (200.0, 80.0)


def test_centre_of_a_box_without_geometry_is_the_origin():
    assert element_center({"id": "t", "type": "text"}) == (0.0, 0.0)


@pytest.mark.parametrize("element_type", ["arrow", "line", "freedraw"])
def test_centre_of_a_path_is_the_middle_of_its_points(element_type):
    # points are relative to x/y; width/height are ignored for paths
    element = rectangle(
        type=element_type, x=1000.0, y=10.0, width=5.0, height=5.0, points=[[0, 0], [-40, 300], [80, 100]]
    )
    assert element_center(element) == (1000.0 + 20.0, 10.0 + 150.0)


def test_a_path_without_points_falls_back_to_its_box():
    assert element_center(rectangle(type="arrow", x=0.0, y=0.0, width=10.0, height=20.0, points=[])) == (5.0, 10.0)


def test_points_on_a_box_type_are_ignored():
    assert element_center(rectangle(x=0.0, y=0.0, width=10.0, height=20.0, points=[[500, 500]])) == (5.0, 10.0)


@pytest.mark.parametrize(
    ("x", "y", "lane"),
    [
        (100.0, 100.0, "offline"),
        (1500.0, 600.0, "online"),
        (900.0, 730.0, "offline"),  # centre (960, 760): the far corner counts as inside
        (980.0, -30.0, "online"),  # centre (1040, 0): the near corner counts as inside
        (940.0, 100.0, None),  # centre x=1000: the gap between lanes
        (100.0, 740.0, None),  # centre y=770: just below
        (1950.0, 100.0, None),  # centre x=2010: right of the online lane
        (-61.0, 100.0, None),  # centre x=-1: left of the offline lane
    ],
)
def test_lane_by_centre(x, y, lane):
    assert lane_of(rectangle(x=x, y=y), LANES) == lane


def test_an_arrow_belongs_to_the_lane_of_its_midpoint():
    # starts in the offline lane, but most of it is in the online lane
    arrow = rectangle(type="arrow", x=900.0, y=100.0, points=[[0, 0], [900, 0]])
    assert lane_of(arrow, LANES) == "online"


def test_frame_membership_beats_geometry():
    assert lane_of(rectangle(x=1500.0, frameId="lane-offline"), LANES) == "offline"
    assert lane_of(rectangle(x=940.0, frameId="lane-online"), LANES) == "online"


def test_an_unrelated_frame_falls_back_to_geometry():
    assert lane_of(rectangle(x=1500.0, frameId="my-frame"), LANES) == "online"


def test_a_lane_frame_is_in_its_own_lane():
    assert lane_of(lane_frame_element(LANES[1], index=1), LANES) == "online"


def test_no_lanes_means_no_lane():
    assert lane_of(rectangle(x=100.0), []) is None


def test_lane_frame_is_a_locked_valid_frame_with_the_lane_geometry():
    frame = lane_frame_element(LANES[0], index=0)
    validate_element(frame)
    assert frame["id"] == "lane-offline" and frame["type"] == "frame" and frame["locked"] is True
    assert (frame["x"], frame["y"], frame["width"], frame["height"]) == (0, 0, 960, 760)
    assert frame["name"] == "Offline" and frame["isDeleted"] is False
    assert (frame["version"], frame["versionNonce"]) == (1, 0)


def test_lane_frames_differ_in_seed_and_index():
    first, second = (lane_frame_element(lane, index=i) for i, lane in enumerate(LANES))
    assert first["seed"] != second["seed"] and first["index"] < second["index"]


@pytest.mark.parametrize(
    ("frame_id", "points", "lane"),
    [
        # Excalidraw gives an arrow the frame it starts in; where it goes is what counts
        ("lane-offline", [[0, 0], [900, 0]], "online"),  # from x=900 to 1800: midpoint 1350
        ("lane-online", [[0, 0], [-800, 0]], "offline"),  # from x=900 back to 100: midpoint 500
        ("lane-offline", [[0, 0], [40, 0]], "offline"),  # stays in the offline lane
        ("lane-offline", [[0, 0], [200, 0]], None),  # midpoint 1000: the gap between the lanes
    ],
)
def test_an_arrow_in_a_lane_frame_is_read_by_its_midpoint(frame_id, points, lane):
    arrow = rectangle(type="arrow", x=900.0, y=100.0, frameId=frame_id, points=points)
    assert lane_of(arrow, LANES) == lane


def test_a_box_in_a_lane_frame_keeps_the_frame_lane():
    assert lane_of(rectangle(type="ellipse", x=1500.0, frameId="lane-offline"), LANES) == "offline"
