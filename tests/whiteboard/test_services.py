from pathlib import Path

import pytest

from whiteboard.errors import BoardError
from whiteboard.models import Board, BoardElement, BoardOp
from whiteboard.selectors import board_get_state
from whiteboard.services import board_create, board_write_unchecked

from ..elements import TWO_LANES, rectangle
from ..factories import UserFactory

pytestmark = pytest.mark.django_db

LANES = TWO_LANES


@pytest.fixture
def board() -> Board:
    return board_create(title="Video recommendations", lanes=LANES)


def apply(board, op_id, *elements, author=None):
    return board_write_unchecked(board_id=board.pk, op_id=op_id, elements=list(elements), author=author)


def stored(board, element_id) -> BoardElement:
    return BoardElement.objects.get(board=board, element_id=element_id)


def current_seq(board) -> int:
    return Board.objects.get(pk=board.pk).seq


# -- board_create -------------------------------------------------------------------------------


def test_board_create_makes_locked_lane_frames_and_keeps_their_geometry(board):
    assert board.seq == 0 and board.title == "Video recommendations"
    assert board.protected_ids == {"lane-offline", "lane-online"}
    assert board.lanes == [
        {**LANES[0], "element_id": "lane-offline"},
        {**LANES[1], "element_id": "lane-online"},
    ]
    frames = {row.element_id: row for row in BoardElement.objects.filter(board=board)}
    assert set(frames) == {"lane-offline", "lane-online"}
    for key in ("offline", "online"):
        row = frames[f"lane-{key}"]
        assert (row.type, row.lane, row.version, row.updated_seq, row.is_deleted) == ("frame", key, 1, 0, False)
        assert row.data["locked"] is True and row.data["type"] == "frame"
    online = frames["lane-online"].data
    assert (online["x"], online["y"], online["width"], online["height"]) == (1040, 0, 960, 760)
    assert online["name"] == "Online"
    assert not BoardOp.objects.filter(board=board).exists()


def test_board_create_without_lanes_has_no_protected_elements():
    board = board_create(title="scratch")
    assert board.lanes == [] and board.protected_ids == frozenset()
    assert not BoardElement.objects.filter(board=board).exists()


# -- reconciliation -----------------------------------------------------------------------------


def test_new_element_is_accepted_with_seq_1_and_logged():
    author = UserFactory()
    board = board_create(lanes=LANES)
    result = apply(board, "op-1", rectangle("r1"), author=author)

    assert (result.seq, result.duplicate, result.rejected) == (1, False, [])
    assert [e["id"] for e in result.accepted] == ["r1"]
    row = stored(board, "r1")
    assert (row.type, row.version, row.version_nonce, row.updated_seq) == ("rectangle", 1, 100, 1)
    assert row.data == rectangle("r1")
    op = BoardOp.objects.get(board=board)
    assert (op.seq, op.op_id, op.author, op.elements) == (1, "op-1", author, [rectangle("r1")])
    assert current_seq(board) == 1


def test_higher_version_wins(board):
    apply(board, "op-1", rectangle("r1", version=1, nonce=5))
    result = apply(board, "op-2", rectangle("r1", version=2, nonce=999, x=50.0))
    assert result.seq == 2 and [e["id"] for e in result.accepted] == ["r1"] and result.rejected == []
    row = stored(board, "r1")
    assert (row.version, row.version_nonce, row.data["x"], row.updated_seq) == (2, 999, 50.0, 2)


def test_equal_version_lower_nonce_wins(board):
    apply(board, "op-1", rectangle("r1", version=2, nonce=50))
    result = apply(board, "op-2", rectangle("r1", version=2, nonce=10, x=7.0))
    assert result.seq == 2 and result.rejected == []
    row = stored(board, "r1")
    assert (row.version_nonce, row.data["x"]) == (10, 7.0)


def test_equal_version_higher_nonce_loses_and_rejection_carries_the_server_copy(board):
    apply(board, "op-1", rectangle("r1", version=2, nonce=10, x=7.0))
    result = apply(board, "op-2", rectangle("r1", version=2, nonce=50, x=999.0))
    assert result.seq is None and result.accepted == []
    assert result.rejected == [rectangle("r1", version=2, nonce=10, x=7.0)]
    assert stored(board, "r1").data["x"] == 7.0
    assert BoardOp.objects.filter(board=board).count() == 1 and current_seq(board) == 1


def test_lower_version_loses_even_with_a_lower_nonce(board):
    apply(board, "op-1", rectangle("r1", version=3, nonce=50))
    result = apply(board, "op-2", rectangle("r1", version=2, nonce=1, x=0.0))
    assert result.seq is None and result.rejected[0]["version"] == 3
    assert stored(board, "r1").version == 3


def test_an_identical_copy_under_a_new_op_id_changes_nothing(board):
    apply(board, "op-1", rectangle("r1", version=2, nonce=10))
    result = apply(board, "op-2", rectangle("r1", version=2, nonce=10))
    assert result.seq is None and result.accepted == [] and len(result.rejected) == 1
    assert current_seq(board) == 1


def test_deletion_is_kept_as_a_tombstone(board):
    apply(board, "op-1", rectangle("r1"), rectangle("r2"))
    apply(board, "op-2", rectangle("r1", version=2, nonce=7, deleted=True))

    row = stored(board, "r1")
    assert row.is_deleted is True and row.data["isDeleted"] is True
    everything = {e["id"]: e for e in board_get_state(board_id=board.pk, include_deleted=True).elements}
    assert everything["r1"]["isDeleted"] is True and everything["r1"]["version"] == 2
    live = {e["id"] for e in board_get_state(board_id=board.pk, include_deleted=False).elements}
    assert live == {"lane-offline", "lane-online", "r2"}


def test_a_tombstone_loses_to_a_later_version(board):
    apply(board, "op-1", rectangle("r1", version=2, deleted=True))
    apply(board, "op-2", rectangle("r1", version=3))
    assert stored(board, "r1").is_deleted is False


def test_retry_with_the_same_op_id_is_not_applied_twice(board):
    first = apply(board, "op-1", rectangle("r1"))
    # The retry carries something else; the server answers with what it did the first time.
    retry = apply(board, "op-1", rectangle("r1", version=9, x=0.0), rectangle("r2"))

    assert retry.duplicate is True and first.duplicate is False
    assert retry.seq == first.seq == 1
    assert [e["id"] for e in retry.accepted] == ["r1"]
    assert BoardOp.objects.filter(board=board).count() == 1
    assert stored(board, "r1").version == 1
    assert not BoardElement.objects.filter(board=board, element_id="r2").exists()
    assert current_seq(board) == 1


def test_op_ids_are_per_board(board):
    other = board_create(lanes=LANES)
    apply(board, "op-1", rectangle("r1"))
    result = apply(other, "op-1", rectangle("r1"))
    assert result.duplicate is False and result.seq == 1


@pytest.mark.parametrize("op_id", ["", "x" * 65, None, 7])
def test_bad_op_id_is_refused(board, op_id):
    with pytest.raises(BoardError) as caught:
        board_write_unchecked(board_id=board.pk, op_id=op_id, elements=[rectangle("r1")])
    assert caught.value.code == "invalid" and "op_id" in caught.value.message
    assert current_seq(board) == 0


def test_batch_with_two_copies_of_one_id_keeps_the_last(board):
    result = apply(board, "op-1", rectangle("r1", version=5, x=1.0), rectangle("r2"), rectangle("r1", version=2, x=2.0))
    assert [e["id"] for e in result.accepted] == ["r1", "r2"]
    row = stored(board, "r1")
    assert (row.version, row.data["x"]) == (2, 2.0)
    assert BoardOp.objects.get(board=board).elements[0]["x"] == 2.0


@pytest.mark.parametrize("lane_id", ["lane-offline", "lane-online"])
def test_protected_lane_frame_is_refused_and_nothing_is_applied(board, lane_id):
    frame = {**stored(board, lane_id).data, "version": 2, "x": 5000, "locked": False}
    with pytest.raises(BoardError) as caught:
        apply(board, "op-1", rectangle("ok"), frame)
    assert caught.value.code == "protected_element"
    assert not BoardElement.objects.filter(board=board, element_id="ok").exists()
    assert stored(board, lane_id).data["x"] != 5000
    assert not BoardOp.objects.filter(board=board).exists() and current_seq(board) == 0


def test_a_bad_element_refuses_the_whole_batch(board):
    with pytest.raises(BoardError) as caught:
        apply(board, "op-1", rectangle("ok"), {**rectangle("bad"), "type": "image"})
    assert caught.value.code == "invalid"
    assert not BoardElement.objects.filter(board=board, element_id="ok").exists()
    assert current_seq(board) == 0


def test_board_full_when_the_element_limit_would_be_exceeded(board, settings):
    settings.BOARD_MAX_ELEMENTS = 4  # the two lane frames count
    apply(board, "op-1", rectangle("r1"), rectangle("r2"))

    with pytest.raises(BoardError) as caught:
        apply(board, "op-2", rectangle("r3"))
    assert caught.value.code == "board_full" and "4" in caught.value.message
    # an update of an existing element is fine on a full board, and is not blocked by a new one
    assert apply(board, "op-3", rectangle("r1", version=2)).seq == 2
    with pytest.raises(BoardError):
        apply(board, "op-4", rectangle("r2", version=2), rectangle("r3"))
    assert stored(board, "r2").version == 1
    assert BoardElement.objects.filter(board=board).count() == 4 and current_seq(board) == 2


def test_tombstones_count_towards_the_element_limit(board, settings):
    settings.BOARD_MAX_ELEMENTS = 3
    apply(board, "op-1", rectangle("r1"))
    apply(board, "op-2", rectangle("r1", version=2, deleted=True))
    with pytest.raises(BoardError) as caught:
        apply(board, "op-3", rectangle("r2"))
    assert caught.value.code == "board_full"


def test_seq_increments_once_per_accepted_batch_and_never_for_an_all_rejected_one(board):
    assert apply(board, "a", rectangle("r1", version=3), rectangle("r2"), rectangle("r3")).seq == 1
    assert apply(board, "b", rectangle("r1", version=2)).seq is None  # all rejected
    mixed = apply(board, "c", rectangle("r1", version=1), rectangle("r2", version=2))
    assert mixed.seq == 2
    assert [e["id"] for e in mixed.accepted] == ["r2"] and [e["id"] for e in mixed.rejected] == ["r1"]
    assert apply(board, "d", rectangle("r4")).seq == 3

    assert current_seq(board) == 3
    ops = list(BoardOp.objects.filter(board=board).order_by("seq"))
    assert [(op.seq, op.op_id) for op in ops] == [(1, "a"), (2, "c"), (3, "d")]
    # the log keeps the winners only
    assert [e["id"] for e in ops[1].elements] == ["r2"]


# -- lanes --------------------------------------------------------------------------------------


def test_lane_is_assigned_by_centre_geometry(board):
    apply(board, "op-1", rectangle("left", x=100.0, y=100.0), rectangle("right", x=1500.0, y=600.0))
    assert stored(board, "left").lane == "offline"
    assert stored(board, "right").lane == "online"


def test_lane_follows_the_frame_over_geometry(board):
    # drawn over the online lane but placed in the offline frame
    apply(board, "op-1", rectangle("r1", x=1500.0, frameId="lane-offline"))
    assert stored(board, "r1").lane == "offline"


def test_lane_is_updated_when_an_element_moves(board):
    apply(board, "op-1", rectangle("r1", x=100.0))
    apply(board, "op-2", rectangle("r1", x=1500.0, version=2))
    assert stored(board, "r1").lane == "online"


@pytest.mark.parametrize(
    ("x", "y"),
    [
        (940.0, 100.0),  # centre at x=1000, in the gap between the lanes
        (100.0, 900.0),  # below both lanes
        (-500.0, 100.0),  # left of the offline lane
    ],
)
def test_element_outside_every_lane_has_no_lane(board, x, y):
    apply(board, "op-1", rectangle("r1", x=x, y=y))
    assert stored(board, "r1").lane is None
    state = {e["id"]: e for e in board_get_state(board_id=board.pk).elements}
    assert state["r1"]["lane"] is None


def test_a_failed_shared_transaction_retries_each_batch_alone_and_loses_nothing(board, monkeypatch):
    from django.db import DatabaseError, connection

    from whiteboard.services import OpRequest, board_apply_batch
    from whiteboard.stores import OrmStore, PostgresStore

    store = PostgresStore if connection.vendor == "postgresql" else OrmStore
    real_write = store.write
    calls = {"n": 0}

    def flaky_write(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise DatabaseError("connection reset")
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(store, "write", flaky_write)
    results = board_apply_batch(
        requests=[
            OpRequest(board_id=board.pk, op_id="a", elements=[rectangle("r1")], check_permission=False),
            OpRequest(board_id=board.pk, op_id="b", elements=[rectangle("r2")], check_permission=False),
        ]
    )
    assert [(r.op_id, r.seq) for r in results] == [("a", 1), ("b", 2)]
    assert sorted(BoardOp.objects.filter(board=board).values_list("op_id", "seq")) == [("a", 1), ("b", 2)]
    assert current_seq(board) == 2 and stored(board, "r2").version == 1


def test_no_app_code_writes_without_the_permission_check():
    """`board_write_unchecked` and `check_permission=False` are for tests and benchmarks only."""
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for app in ("config", "interview", "rubrics", "whiteboard")
        for path in (root / app).rglob("*.py")
        if path != root / "whiteboard" / "services.py"
        and ("board_write_unchecked" in (text := path.read_text()) or "check_permission=False" in text)
    ]
    assert offenders == []
