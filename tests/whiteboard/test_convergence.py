"""Three clients edit a few shared elements; whatever the delivery order, everyone ends up equal.

Each client keeps a replica and a FIFO inbox, like a socket. Batches travel to the server in
any order, some are delivered twice with the same op_id (a client retrying after a dropped
connection). The server's answers follow the board socket: an ack to the sender with the
server's copy of every loser, the accepted elements to everyone else.
"""

import itertools
from collections import deque
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whiteboard.selectors import board_get_state
from whiteboard.services import board_create, board_write_unchecked

from ..elements import rectangle

pytestmark = pytest.mark.django_db

CLIENTS = 3
IDS = ["e0", "e1", "e2"]
LANES = [{"key": "main", "name": "Main", "x": 0, "y": 0, "width": 1000, "height": 1000}]


def reconcile(replica: dict[str, dict], element: dict) -> None:
    """Excalidraw's rule, as a client applies it: higher version wins, a tie goes to the lower nonce."""
    known = replica.get(element["id"])
    if known is None or (element["version"], -element["versionNonce"]) > (known["version"], -known["versionNonce"]):
        replica[element["id"]] = element


@dataclass
class Client:
    replica: dict[str, dict] = field(default_factory=dict)
    pending: list[dict] = field(default_factory=list)  # edits not sent yet
    inbox: deque = field(default_factory=deque)
    seqs: set[int] = field(default_factory=set)


edit = st.tuples(
    st.just("edit"),
    st.integers(0, CLIENTS - 1),
    st.sampled_from(IDS),
    st.sampled_from(["update", "update", "delete"]),
    st.integers(0, 9),  # the nonce's rank: ties in version are decided by it
    st.integers(0, 500),  # x
)
flush = st.tuples(st.just("flush"), st.integers(0, CLIENTS - 1))
deliver = st.tuples(st.just("deliver"), st.integers(0, 100))
resend = st.tuples(st.just("resend"), st.integers(0, 100))
receive = st.tuples(st.just("receive"), st.integers(0, CLIENTS - 1))
steps = st.lists(st.one_of(edit, edit, flush, deliver, resend, receive, receive), min_size=20, max_size=80)


@settings(max_examples=40, deadline=None)
@given(steps=steps)
def test_replicas_converge_on_the_server_state(steps):
    board = board_create(title="convergence", lanes=LANES)
    clients = [Client() for _ in range(CLIENTS)]
    in_flight: list[tuple[int, str, list[dict]]] = []  # (sender, op_id, elements)
    delivered: list[tuple[int, str, list[dict]]] = []
    submitted: list[dict] = []
    counter = itertools.count()

    def server_receives(batch):
        sender, op_id, elements = batch
        result = board_write_unchecked(board_id=board.pk, op_id=op_id, elements=elements)
        clients[sender].inbox.append(("ack", result.seq, result.rejected))
        if result.seq is not None and not result.duplicate:
            for number, client in enumerate(clients):
                if number != sender:
                    client.inbox.append(("ops", result.seq, result.accepted))

    def client_receives(client):
        _, seq, elements = client.inbox.popleft()
        if seq is not None:
            client.seqs.add(seq)
        for element in elements:
            reconcile(client.replica, element)

    def client_sends(sender):
        client = clients[sender]
        if client.pending:
            in_flight.append((sender, f"op-{next(counter)}", client.pending))
            submitted.extend(client.pending)
            client.pending = []

    for step in steps:
        match step:
            case ("edit", sender, element_id, kind, rank, x):
                client = clients[sender]
                base = client.replica.get(element_id)
                version = base["version"] + 1 if base else 1
                # unique nonces keep the rule a total order; the rank scrambles which one wins a tie
                nonce = rank * 10_000 + next(counter)
                element = rectangle(element_id, x=float(x), version=version, nonce=nonce, deleted=kind == "delete")
                client.replica[element_id] = element
                client.pending.append(element)
            case ("flush", sender):
                client_sends(sender)
            case ("deliver", index) if in_flight:
                batch = in_flight.pop(index % len(in_flight))
                server_receives(batch)
                delivered.append(batch)
            case ("resend", index) if delivered:
                server_receives(delivered[index % len(delivered)])
            case ("receive", number) if clients[number].inbox:
                client_receives(clients[number])

    # Quiesce: send what is left, deliver everything, read every inbox to the end.
    for sender in range(CLIENTS):
        client_sends(sender)
    for batch in in_flight:
        server_receives(batch)
    for client in clients:
        while client.inbox:
            client_receives(client)

    state = board_get_state(board_id=board.pk)
    server = {e["id"]: {k: v for k, v in e.items() if k != "lane"} for e in state.elements if e["id"] != "lane-main"}

    expected: dict[str, dict] = {}
    for element in submitted:
        reconcile(expected, element)
    assert server == expected

    for number, client in enumerate(clients):
        assert client.replica == server, f"client {number} diverged"
        # every accepted batch reached every client once, as an ack or as ops: no gaps
        assert client.seqs == set(range(1, state.seq + 1)), f"client {number} missed a seq"
