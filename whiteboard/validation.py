"""Checks on incoming elements. A batch with any bad element is refused whole.

Everything that passes can be stored and sent back out as it is: every element is walked once
(nesting depth, keys per object, text PostgreSQL cannot hold, integers JSON readers cannot hold)
and serialised once; the stored bytes, the per-element byte cap and the board's byte budget all
come from that one serialisation.
"""

import math
import re
from typing import Any

import orjson
from django.conf import settings

from .components import BY_KEY as COMPONENT_TYPES
from .components import MAX_KEY_LENGTH as MAX_COMPONENT_KEY
from .errors import BoardError

ALLOWED_TYPES = frozenset({"rectangle", "ellipse", "diamond", "arrow", "line", "freedraw", "text", "frame"})
COMPONENT_SHAPES = frozenset({"rectangle", "ellipse", "diamond"})  # what may carry customData.component
ID_RE = re.compile(r"[A-Za-z0-9_\-]{1,64}")
MAX_COORD = 1_000_000
MAX_SIZE = 100_000
MAX_VERSION = 2**31 - 1
MAX_NONCE = 2**53
MAX_TEXT = 10_000
MAX_POINTS = 5_000
MAX_BATCH = 500
MAX_DEPTH = 32  # nesting of objects and lists inside one element (a point in `points` is depth 3)
MAX_KEYS = 256  # keys of any one object inside an element
MAX_INT = 2**64 - 1  # the largest whole number the JSON encoder writes
OP_ID_RE = re.compile(r"[^\x00-\x1f\x7f]{1,64}")
NUMERIC_FIELDS = ("x", "y", "width", "height", "angle", "strokeWidth", "opacity", "roughness", "fontSize")


def _fail(message: str) -> BoardError:
    return BoardError(message, code="invalid")


def _finite(value: Any, field: str, element_id: str, bound: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(f"Element {element_id}: {field} must be a finite number.")
    if abs(value) > bound:
        raise _fail(f"Element {element_id}: {field} is out of bounds (at most {bound:g}).")


def _check_tree(element: dict, element_id: str) -> None:
    """Depth, keys, text and numbers anywhere inside the element (customData included)."""
    stack: list[tuple[Any, int]] = [(element, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise _fail(f"Element {element_id}: text may not contain the NUL character (U+0000).")
        elif isinstance(value, dict):
            if depth > MAX_DEPTH:
                raise _fail(f"Element {element_id}: nested more than {MAX_DEPTH} levels deep.")
            if len(value) > MAX_KEYS:
                raise _fail(f"Element {element_id}: an object has more than {MAX_KEYS} keys.")
            for key, item in value.items():
                if not isinstance(key, str) or "\x00" in key:
                    raise _fail(f"Element {element_id}: keys must be text without the NUL character.")
                stack.append((item, depth + 1))
        elif isinstance(value, list | tuple):
            if depth > MAX_DEPTH:
                raise _fail(f"Element {element_id}: nested more than {MAX_DEPTH} levels deep.")
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if abs(value) > MAX_INT:
                raise _fail(f"Element {element_id}: a whole number is out of bounds (at most {MAX_INT:,}).")
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise _fail(f"Element {element_id}: numbers must be finite.")
        else:
            raise _fail(f"Element {element_id}: only JSON values can be stored.")


def encode_element(element: dict) -> tuple[str, int]:
    """The element's stored JSON text and its size in bytes, checked against the per-element cap.

    The whole tree is walked only when the encoded text says it could matter: a NUL escape, more
    brackets than MAX_DEPTH or more colons than MAX_KEYS. An ordinary shape has a handful of each,
    so it costs three byte scans in C instead of a walk in Python.
    """
    element_id = element["id"]
    try:
        encoded = orjson.dumps(element)
    except (TypeError, orjson.JSONEncodeError) as exc:  # too deep for the encoder, a lone surrogate, ...
        _check_tree(element, element_id)  # names the problem when it is one of ours
        raise _fail(f"Element {element_id}: it cannot be stored ({exc}).") from exc
    if b"\\u0000" in encoded or encoded.count(b"{") + encoded.count(b"[") > MAX_DEPTH or encoded.count(b":") > MAX_KEYS:
        _check_tree(element, element_id)
    limit = max_element_bytes()
    if len(encoded) > limit:
        raise BoardError(
            f"Element {element_id} is {len(encoded):,} bytes; an element may be at most {limit:,} bytes. "
            "Split the drawing into smaller pieces.",
            code="too_large",
        )
    return encoded.decode(), len(encoded)


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
    custom = element.get("customData")
    if isinstance(custom, dict) and "component" in custom:
        _check_component(custom["component"], element_type, element_id)


def _check_component(component: Any, element_type: str, element_id: str) -> None:
    """A palette shape's `customData.component` names a type of the catalogue (whiteboard/components.py)."""
    if not isinstance(component, str) or component not in COMPONENT_TYPES:
        shown = component[: MAX_COMPONENT_KEY + 1] if isinstance(component, str) else component
        raise BoardError(
            f"Element {element_id}: {shown!r} is not a known component type; "
            f"use one of the palette's ({', '.join(COMPONENT_TYPES)}) or leave customData.component out.",
            code="unknown_component",
        )
    if element_type not in COMPONENT_SHAPES:
        raise _fail(f"Element {element_id}: only a rectangle, ellipse or diamond can be a component ({element_type}).")


def validate_op_id(op_id: Any) -> str:
    if not isinstance(op_id, str) or not OP_ID_RE.fullmatch(op_id):
        raise _fail("op_id must be a string of 1-64 characters without control characters.")
    return op_id


def validate_batch_encoded(elements: Any, *, protected_ids: frozenset[str]) -> list[tuple[dict, str, int]]:
    """Each element of the batch with its stored JSON text and byte size, duplicates of one id
    folded to the last copy; raise on anything bad."""
    return [(element, *encode_element(element)) for element in validate_batch(elements, protected_ids=protected_ids)]


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


def max_element_bytes() -> int:
    return settings.BOARD_MAX_ELEMENT_BYTES


def max_board_bytes() -> int:
    return settings.BOARD_MAX_BYTES
