"""The merge rule and the stacking order on the cases the room island's unit tests read too
(tests/fixtures/board_rules.json; frontend/src/lib/boardSync.test.js and replay.test.js)."""

import json
from pathlib import Path

import pytest

from whiteboard.reconcile import element_wins, merge_into, wins_over, z_order

RULES = json.loads((Path(__file__).parent.parent / "fixtures" / "board_rules.json").read_text())


@pytest.mark.parametrize("case", RULES["merge"], ids=lambda case: case["name"])
def test_element_wins(case):
    known = case["known"]
    incoming = {"id": "el", **case["incoming"]}
    assert (
        element_wins(incoming, version=known["version"], version_nonce=known["versionNonce"]) is case["incoming_wins"]
    )


@pytest.mark.parametrize("case", RULES["merge"], ids=lambda case: case["name"])
def test_merge_into_keeps_the_winner(case):
    known = {"id": "el", **case["known"]}
    incoming = {"id": "el", **case["incoming"]}
    state = {"el": known}
    merge_into(state, [incoming])
    assert state["el"] is (incoming if case["incoming_wins"] else known)
    assert wins_over(incoming, known) is case["incoming_wins"]


def test_the_first_copy_of_an_element_always_wins():
    incoming = {"id": "el", "version": 1, "versionNonce": 5}
    assert wins_over(incoming, None)
    state: dict = {}
    merge_into(state, [incoming, {"id": "el", "version": 1, "versionNonce": 9}])
    assert state == {"el": incoming}


@pytest.mark.parametrize("case", RULES["z_order"], ids=lambda case: case["name"])
def test_z_order(case):
    assert [el["id"] for el in z_order(case["elements"])] == case["expected"]


def test_every_rule_has_cases():
    assert len(RULES["merge"]) >= 5
    assert len(RULES["z_order"]) >= 5
