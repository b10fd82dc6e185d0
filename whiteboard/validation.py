"""Checks on incoming elements. A batch with any bad element is refused whole."""

import math
import re
from typing import Any

from django.conf import settings

from .errors import BoardError

ALLOWED_TYPES = frozenset({"rectangle", "ellipse", "diamond", "arrow", "line", "freedraw", "text", "frame"})
ID_RE = re.compile(r"[A-Za-z0-9_\-]{1,64}")
MAX_COORD = 1_000_000
MAX_SIZE = 100_000
MAX_VERSION = 2**31 - 1
MAX_NONCE = 2**53
MAX_TEXT = 10_000
MAX_POINTS = 5_000
MAX_BATCH = 500
NUMERIC_FIELDS = ("x", "y", "width", "height", "angle", "strokeWidth", "opacity", "roughness", "fontSize")


def _fail(message: str) -> BoardError:
    return BoardError(message, code="invalid")


def _finite(value: Any, field: str, element_id: str, bound: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(f"Element {element_id}: {field} must be a finite number.")
    if abs(value) > bound:
        raise _fail(f"Element {element_id}: {field} is out of bounds (at most {bound:g}).")


def validate_element(element: Any) -> None:
    if not isinstance(element, dict):
        raise _fail("Each element must be a JSON object.")
    element_id = element.get("id")
    if not isinstance(element_id, str) or not ID_RE.fullmatch(element_id):
        raise _fail("Each element needs an id of 1-64 letters, digits, '-' or '_'.")
    element_type = element.get("type")
    if not isinstance(element_type, str) or element_type not in ALLOWED_TYPES:
        raise _fail(f"Element {element_id}: type {element_type!r} is not allowed on this board.")
    version = element.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_VERSION:
        raise _fail(f"Element {element_id}: version must be a whole number from 1 to {MAX_VERSION}.")
    nonce = element.get("versionNonce")
    if isinstance(nonce, bool) or not isinstance(nonce, int) or not -MAX_NONCE <= nonce <= MAX_NONCE:
        raise _fail(f"Element {element_id}: versionNonce must be a whole number.")
    if not isinstance(element.get("isDeleted", False), bool):
        raise _fail(f"Element {element_id}: isDeleted must be true or false.")
    for field in NUMERIC_FIELDS:
        if field in element:
            bound = MAX_SIZE if field in ("width", "height") else MAX_COORD
            _finite(element[field], field, element_id, bound)
    for field in ("text", "originalText"):
        if field in element and element[field] is not None:
            if not isinstance(element[field], str):
                raise _fail(f"Element {element_id}: {field} must be text.")
            if len(element[field]) > MAX_TEXT:
                raise _fail(f"Element {element_id}: {field} is longer than {MAX_TEXT} characters.")
    if "points" in element:
        points = element["points"]
        if not isinstance(points, list) or len(points) > MAX_POINTS:
            raise _fail(f"Element {element_id}: points must be a list of at most {MAX_POINTS} points.")
        for point in points:
            if not isinstance(point, list | tuple) or len(point) != 2:
                raise _fail(f"Element {element_id}: each point must be [x, y].")
            for value in point:
                _finite(value, "points", element_id, MAX_COORD)
    frame_id = element.get("frameId")
    if frame_id is not None and not isinstance(frame_id, str):
        raise _fail(f"Element {element_id}: frameId must be an element id or null.")


def validate_batch(elements: Any, *, protected_ids: frozenset[str]) -> list[dict]:
    """Return the batch with duplicates of one id folded to the last copy; raise on anything bad."""
    if not isinstance(elements, list) or not elements:
        raise _fail("elements must be a non-empty list.")
    if len(elements) > MAX_BATCH:
        raise _fail(f"A batch may carry at most {MAX_BATCH} elements; send it in parts.")
    by_id: dict[str, dict] = {}
    for element in elements:
        validate_element(element)
        if element["id"] in protected_ids:
            raise BoardError(
                "The lane frames are fixed: they cannot be moved, resized, renamed, unlocked or deleted.",
                code="protected_element",
            )
        by_id[element["id"]] = element
    return list(by_id.values())


def check_protected(batch: list[dict], *, protected_ids: frozenset[str]) -> None:
    if any(element["id"] in protected_ids for element in batch):
        raise BoardError(
            "The lane frames are fixed: they cannot be moved, resized, renamed, unlocked or deleted.",
            code="protected_element",
        )


def max_elements() -> int:
    return settings.BOARD_MAX_ELEMENTS
