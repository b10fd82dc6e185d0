"""The board's merge rule, as plain functions: which copy of an element wins, and the stacking order.

Everything that puts copies of elements together uses these: the write path
(`whiteboard.services`), the replay of the op log (`whiteboard.selectors.board_state_at`), the
evidence finder's replay (`rubrics.evidence.finder`) and the Python board client of the tests.
The room island follows the same rule in JavaScript; `tests/whiteboard/test_shared_rules.py`
checks both against one set of cases. No database, no Django: elements are plain dicts.
"""

from collections.abc import Iterable
from typing import Any


def element_wins(incoming: dict[str, Any], *, version: int, version_nonce: int) -> bool:
    """Excalidraw's rule: the higher version wins; on a tie, the lower versionNonce wins."""
    if incoming["version"] != version:
        return incoming["version"] > version
    return incoming["versionNonce"] < version_nonce


def wins_over(incoming: dict[str, Any], held: dict[str, Any] | None) -> bool:
    """Whether `incoming` replaces `held`, the copy of the same element kept so far (None: none yet)."""
    return held is None or element_wins(incoming, version=held["version"], version_nonce=held["versionNonce"])


def merge_into(state: dict[str, dict[str, Any]], elements: Iterable[dict[str, Any]]) -> None:
    """Apply one op's elements to `state` (element id -> winning copy), in order."""
    for element in elements:
        held = state.get(element["id"])
        if held is None or element_wins(element, version=held["version"], version_nonce=held["versionNonce"]):
            state[element["id"]] = element


def z_order(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Excalidraw's stacking order: by fractional `index` (plain string order), unindexed last."""
    return sorted(elements, key=lambda e: (e.get("index") is None, e.get("index") or ""))
