"""Replay equals the live board at each step start.

A board is built through `board_write_unchecked` (new elements, moves, deletions, concurrent edits that
win and lose on version and versionNonce) with step changes in between, in real time: every batch
and every step change commits on its own, so their times are the ones production would record.
At each step change the live board is recorded; afterwards the replay of the op log at that
step's start, both the server's (`board_state_at`) and the history API's ops reconciled here with
the same rule, must equal what was recorded."""

import random

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from interview.services import interview_end, interview_post_message, interview_set_step
from whiteboard.reconcile import merge_into
from whiteboard.selectors import board_get_state, board_state_at
from whiteboard.services import board_write_unchecked

from ..elements import rectangle

pytestmark = pytest.mark.django_db(transaction=True)


def live_board(board_id) -> dict[str, dict]:
    return {e["id"]: e for e in board_get_state(board_id=board_id, include_deleted=True).elements}


def without_lane(elements: dict[str, dict]) -> dict[str, dict]:
    return {key: {k: v for k, v in element.items() if k != "lane"} for key, element in elements.items()}


def history_pages(client, interview, limit=3) -> tuple[dict, list[dict]]:
    url = reverse("api_interview_board_history", args=[interview.pk])
    first, ops, after = None, [], 0
    while after is not None:
        response = client.get(url, {"after": after, "limit": limit})
        assert response.status_code == 200, response.content
        page = response.json()
        first = first or page
        ops += page["ops"]
        after = page["next_after"]
    return first, ops


def replay(initial: list[dict], ops: list[dict], seq: int) -> dict[str, dict]:
    """The history API's op log applied up to `seq`, with the server's rule."""
    state = {element["id"]: element for element in initial}
    for op in ops:
        if op["seq"] > seq:
            break
        merge_into(state, op["elements"])
    return state


def check_every_step_start(interview, recorded: list[dict[str, dict]], client) -> None:
    meta, ops = history_pages(client, interview)
    assert [op["seq"] for op in ops] == list(range(1, len(ops) + 1))
    markers = meta["steps"]
    assert len(markers) == len(recorded)
    for marker, live in zip(markers, recorded, strict=True):
        server = {e["id"]: e for e in board_state_at(board_id=interview.board_id, seq=marker["seq"]).elements}
        assert server == live, f"board_state_at differs at the start of step {marker['number']}"
        assert replay(meta["initial"], ops, marker["seq"]) == without_lane(live), (
            f"the history replay differs at the start of step {marker['number']}"
        )


def test_replay_equals_the_live_board_at_each_step_start(interview, interviewer, candidate):
    board = interview.board_id
    recorded = [live_board(board)]  # the opening step: nothing drawn yet

    def step(number):
        interview_set_step(interview=interview, user=interviewer, step=number)
        recorded.append(live_board(board))

    def draw(op_id, *elements):
        return board_write_unchecked(board_id=board, op_id=op_id, elements=list(elements), author=candidate)

    interview_post_message(interview=interview, user=candidate, text="Who are the users?")
    draw("a", rectangle("ingest", x=100.0, y=100.0))
    draw("b", rectangle("store", x=300.0, y=100.0))
    step(2)
    draw("c", rectangle("serving", x=1200.0, y=100.0), rectangle("ingest", x=120.0, y=110.0, version=2, nonce=40))
    step(3)
    # A concurrent edit: the same version, and the lower versionNonce wins.
    draw("d", rectangle("store", x=320.0, y=140.0, version=2, nonce=90))
    draw("e", rectangle("store", x=340.0, y=160.0, version=2, nonce=10))
    assert draw("f", rectangle("store", x=999.0, y=999.0, version=2, nonce=95)).seq is None  # lost: not logged
    assert draw("g", rectangle("ingest", x=1.0, y=1.0, version=1, nonce=1)).seq is None  # stale: not logged
    step(4)
    draw("h", rectangle("serving", x=1200.0, y=100.0, version=2, nonce=5, deleted=True))
    draw("i", rectangle("ranker", x=1500.0, y=300.0))
    step(2)  # back to an earlier step: a second start of step 2
    draw("j", rectangle("serving", x=1250.0, y=150.0, version=3, nonce=5))  # undeleted
    step(5)
    interview_end(interview=interview, user=interviewer)

    client = APIClient()
    client.force_authenticate(candidate)
    check_every_step_start(interview, recorded, client)
    meta, _ = history_pages(client, interview)
    assert [m["number"] for m in meta["steps"]] == [1, 2, 3, 4, 2, 5]
    assert [m["seq"] for m in meta["steps"]] == [0, 2, 3, 5, 7, 8]


@pytest.mark.parametrize("seed", [7, 2024])
def test_replay_equals_the_live_board_at_each_step_start_for_random_boards(seed, interview, interviewer, candidate):
    """Sixty random batches (new elements, edits, deletions, stale and tied copies) over the steps."""
    rng = random.Random(seed)
    board = interview.board_id
    recorded = [live_board(board)]
    versions: dict[str, tuple[int, int]] = {}
    for batch in range(60):
        elements = []
        for _ in range(rng.randint(1, 4)):
            element_id = f"e{rng.randint(0, 11)}"
            version, nonce = versions.get(element_id, (0, 0))
            move = rng.random()
            if move < 0.15 and version:  # a stale or tied copy from a slower client
                version, nonce = version - rng.randint(0, 1), rng.randint(0, 1000)
            else:
                version, nonce = version + 1, rng.randint(0, 1000)
            elements.append(
                rectangle(
                    element_id,
                    x=float(rng.randint(0, 1900)),
                    y=float(rng.randint(0, 500)),
                    version=max(version, 1),
                    nonce=nonce,
                    deleted=rng.random() < 0.1,
                )
            )
        result = board_write_unchecked(board_id=board, op_id=f"r{seed}-{batch}", elements=elements, author=candidate)
        for element in result.accepted:
            versions[element["id"]] = (element["version"], element["versionNonce"])
        if batch % 9 == 8:
            interview_set_step(interview=interview, user=interviewer, step=rng.choice([2, 3, 4, 5, 6, 7]))
            if len(recorded) < 1 + interview.transcript.filter(kind="step").count():
                recorded.append(live_board(board))
    client = APIClient()
    client.force_authenticate(interviewer)
    check_every_step_start(interview, recorded, client)
