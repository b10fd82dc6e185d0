"""The review's evidence reads palette shapes by their component type, through the op log."""

import pytest

from review.models import Evidence
from review.services.evidence import evidence_report_run
from whiteboard.services import board_write_unchecked

from ..elements import box, palette_box
from ..rubrics.evidence_boards import OFFLINE_X, ONLINE_X, ROWS

pytestmark = pytest.mark.django_db


def board_evidence(interview) -> dict[str, Evidence]:
    report = evidence_report_run(interview_id=interview.pk)
    return {e.text: e for e in Evidence.objects.filter(report=report, source="board")}


def test_a_palette_feature_store_labelled_oddly_is_found_in_its_lane(interview, candidate):
    store = palette_box("p1", "feature_store", "Blue box", x=OFFLINE_X[1], y=ROWS[0], frame_id="lane-offline")
    result = board_write_unchecked(board_id=interview.board_id, op_id="op-1", elements=store, author=candidate)
    found = board_evidence(interview)["“Blue box” is in the offline lane."]
    assert (found.verdict, found.concept, found.board_seq) == ("found", "feature store", result.seq)
    assert found.criterion.key == "offline-online-separation"


def test_the_same_label_drawn_by_hand_is_not_a_feature_store(interview, candidate):
    drawn = box("b1", "Blue box", x=OFFLINE_X[1], y=ROWS[0])
    board_write_unchecked(board_id=interview.board_id, op_id="op-1", elements=drawn, author=candidate)
    evidence = board_evidence(interview)
    assert "“Blue box” is in the offline lane." not in evidence
    assert evidence["No feature store on the board."].verdict == "missing"


def test_a_palette_serving_shape_in_the_offline_lane_is_in_the_wrong_lane(interview, candidate):
    serving = palette_box("p1", "serving", "Thing", x=OFFLINE_X[2], y=ROWS[2], frame_id="lane-offline")
    board_write_unchecked(board_id=interview.board_id, op_id="op-1", elements=serving, author=candidate)
    wrong = board_evidence(interview)["“Thing” (serving) is in the offline lane; it belongs in the online lane."]
    assert wrong.verdict == "wrong_lane"
    moved = [{**serving[0], "x": float(ONLINE_X[0]), "frameId": "lane-online", "version": 2}]
    board_write_unchecked(board_id=interview.board_id, op_id="op-2", elements=moved, author=candidate)
    assert board_evidence(interview)["“Thing” is in the online lane."].verdict == "found"
