import pytest

from whiteboard.models import Board
from whiteboard.selectors import board_get_state, board_op_rows, board_ops_page, board_ops_since, board_state_at
from whiteboard.services import board_create, board_write_unchecked

from ..elements import TWO_LANES, rectangle

pytestmark = pytest.mark.django_db

LANES = TWO_LANES

# A session: creations, moves across lanes, a lost race, a deletion and a resurrection.
BATCHES = [
    [rectangle("a", x=100.0), rectangle("b", x=1500.0)],
    [rectangle("a", x=1500.0, version=2, nonce=5)],
    [rectangle("a", x=0.0, version=2, nonce=9)],  # loses the tie: no seq
    [rectangle("c", type="ellipse", x=940.0), rectangle("b", version=2, deleted=True)],
    [rectangle("b", version=1, x=0.0)],  # stale: no seq
    [rectangle("d", frameId="lane-offline", x=1500.0), rectangle("a", version=3, nonce=1, deleted=True)],
    [rectangle("b", version=3, x=300.0)],  # back from the dead
]


@pytest.fixture
def board() -> Board:
    return board_create(title="t", lanes=LANES)


def by_id(elements) -> dict[str, dict]:
    return {element["id"]: element for element in elements}


def play(board) -> dict[int, dict[str, dict]]:
    """Apply BATCHES; return the board's full state after each seq (0 included)."""
    snapshots = {0: by_id(board_get_state(board_id=board.pk).elements)}
    for number, batch in enumerate(BATCHES):
        result = board_write_unchecked(board_id=board.pk, op_id=f"op-{number}", elements=batch)
        if result.seq is not None:
            snapshots[result.seq] = by_id(board_get_state(board_id=board.pk).elements)
    return snapshots


def test_board_get_state_carries_seq_lanes_and_a_lane_per_element(board):
    play(board)
    state = board_get_state(board_id=board.pk)
    assert state.board_id == board.pk and state.seq == 5
    assert [lane["element_id"] for lane in state.lanes] == ["lane-offline", "lane-online"]
    assert state.lanes[1]["x"] == 1040
    lanes = {element["id"]: element["lane"] for element in state.elements}
    assert lanes == {
        "lane-offline": "offline",
        "lane-online": "online",
        "a": "online",
        "b": "offline",
        "c": None,
        "d": "offline",
    }


def test_board_get_state_lists_elements_in_creation_order(board):
    play(board)
    assert [e["id"] for e in board_get_state(board_id=board.pk).elements] == [
        "lane-offline",
        "lane-online",
        "a",
        "b",
        "c",
        "d",
    ]


def test_board_get_state_can_leave_out_tombstones(board):
    play(board)
    everything = by_id(board_get_state(board_id=board.pk).elements)
    live = by_id(board_get_state(board_id=board.pk, include_deleted=False).elements)
    assert everything["a"]["isDeleted"] is True
    assert set(everything) - set(live) == {"a"}
    assert live["b"]["isDeleted"] is False and live["b"]["version"] == 3


def test_board_get_state_query_count_does_not_grow_with_the_board(board, django_assert_num_queries):
    board_write_unchecked(board_id=board.pk, op_id="big", elements=[rectangle(f"r{i}") for i in range(50)])
    with django_assert_num_queries(2):
        state = board_get_state(board_id=board.pk)
    assert len(state.elements) == 52


def test_board_ops_since_returns_the_missing_ops_in_order(board):
    play(board)
    ops = board_ops_since(board_id=board.pk, since_seq=2, limit=10)
    assert [op.seq for op in ops] == [3, 4, 5]
    assert [[e["id"] for e in op.elements] for op in ops] == [["c", "b"], ["d", "a"], ["b"]]
    assert ops[0].elements[1]["isDeleted"] is True


def test_board_ops_since_from_zero_has_every_accepted_batch(board):
    play(board)
    assert [op.seq for op in board_ops_since(board_id=board.pk, since_seq=0, limit=10)] == [1, 2, 3, 4, 5]


def test_board_ops_since_when_up_to_date_is_empty(board):
    play(board)
    assert board_ops_since(board_id=board.pk, since_seq=5, limit=10) == []
    assert board_ops_since(board_id=board.pk, since_seq=99, limit=10) == []


def test_board_ops_since_is_none_when_over_the_limit(board):
    play(board)
    assert [op.seq for op in board_ops_since(board_id=board.pk, since_seq=0, limit=5)] == [1, 2, 3, 4, 5]
    assert board_ops_since(board_id=board.pk, since_seq=0, limit=4) is None
    assert [op.seq for op in board_ops_since(board_id=board.pk, since_seq=1, limit=4)] == [2, 3, 4, 5]


def test_board_ops_since_ignores_other_boards(board):
    other = board_create(lanes=LANES)
    board_write_unchecked(board_id=other.pk, op_id="x", elements=[rectangle("z")])
    play(board)
    assert [op.seq for op in board_ops_since(board_id=other.pk, since_seq=0, limit=10)] == [1]
    assert [op.seq for op in board_ops_since(board_id=board.pk, since_seq=0, limit=10)] == [1, 2, 3, 4, 5]


def test_board_ops_since_is_one_query(board, django_assert_num_queries):
    play(board)
    with django_assert_num_queries(1):
        board_ops_since(board_id=board.pk, since_seq=0, limit=10)


def test_board_state_at_each_seq_equals_the_board_as_it_was(board):
    snapshots = play(board)
    assert sorted(snapshots) == [0, 1, 2, 3, 4, 5]
    for seq, expected in snapshots.items():
        state = board_state_at(board_id=board.pk, seq=seq)
        assert state.seq == seq
        assert by_id(state.elements) == expected, f"board differs at seq {seq}"


def test_board_state_at_keeps_tombstones(board):
    play(board)
    at_3 = by_id(board_state_at(board_id=board.pk, seq=3).elements)
    assert at_3["b"]["isDeleted"] is True and at_3["b"]["version"] == 2
    at_4 = by_id(board_state_at(board_id=board.pk, seq=4).elements)
    assert at_4["a"]["isDeleted"] is True and at_4["a"]["lane"] == "online"


def test_board_state_at_zero_is_just_the_lanes(board):
    play(board)
    state = board_state_at(board_id=board.pk, seq=0)
    assert set(by_id(state.elements)) == {"lane-offline", "lane-online"}
    assert by_id(state.elements)["lane-online"]["lane"] == "online"


def test_board_state_at_a_future_seq_is_the_current_board(board):
    play(board)
    state = board_state_at(board_id=board.pk, seq=1000)
    assert state.seq == 5
    assert by_id(state.elements) == by_id(board_get_state(board_id=board.pk).elements)


def test_board_op_rows_page_the_log_as_board_ops_page_does(board):
    play(board)
    other = board_create(title="other", lanes=LANES)
    board_write_unchecked(board_id=other.pk, op_id="x", elements=[rectangle("z")])
    for after, limit in [(0, 100), (0, 2), (2, 2), (4, 10), (5, 10)]:
        rows = board_op_rows(board_id=board.pk, after_seq=after, limit=limit)
        ops = board_ops_page(board_id=board.pk, after_seq=after, limit=limit)
        assert rows == [(op.seq, op.created_at, op.author_id, op.elements) for op in ops]
    assert [row[0] for row in board_op_rows(board_id=board.pk, after_seq=1, limit=3)] == [2, 3, 4]
