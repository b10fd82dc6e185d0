"""The merge rule and the stacking order on the cases the room island's unit tests read too
(tests/fixtures/board_rules.json; frontend/src/lib/boardSync.test.js and replay.test.js)."""

import json
from pathlib import Path

import pytest

from whiteboard.selectors import z_order
from whiteboard.services import element_wins

RULES = json.loads((Path(__file__).parent.parent / "fixtures" / "board_rules.json").read_text())


@pytest.mark.parametrize("case", RULES["merge"], ids=lambda case: case["name"])
def test_element_wins(case):
    known = case["known"]
    incoming = {"id": "el", **case["incoming"]}
    assert (
        element_wins(incoming, version=known["version"], version_nonce=known["versionNonce"]) is case["incoming_wins"]
    )


@pytest.mark.parametrize("case", RULES["z_order"], ids=lambda case: case["name"])
def test_z_order(case):
    assert [el["id"] for el in z_order(case["elements"])] == case["expected"]


def test_every_rule_has_cases():
    assert len(RULES["merge"]) >= 5
    assert len(RULES["z_order"]) >= 5
