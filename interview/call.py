"""The call between the two participants: group names and the checks on call and signal frames.

The server only relays WebRTC signalling (offers, answers, ICE candidates) between the two
people in an interview; it stores none of it. Every frame is checked here before it is relayed,
and the relayed signal is a fresh copy holding only the fields checked. Protocol: docs/protocol.md.
"""

from typing import Any

from core.errors import ApplicationError

MAX_SDP_CHARS = 16_000
MAX_CANDIDATE_CHARS = 1_000
MAX_SDP_MID_CHARS = 64
MAX_SDP_MLINE_INDEX = 64
MAX_USERNAME_FRAGMENT_CHARS = 256

CALL_ACTIONS = ("join", "leave")
SIGNAL_KINDS = ("offer", "answer", "candidate", "restart", "hangup")
_CANDIDATE_KEYS = ("candidate", "sdpMid", "sdpMLineIndex", "usernameFragment")


def _invalid(message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid")


def _only_keys(value: dict, allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(str(key) for key in value if key not in allowed)
    if unknown:
        raise _invalid(f"{where} has unknown fields: {', '.join(unknown)}.")


def _text(value: Any, field: str, *, max_chars: int, min_chars: int = 0, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        kind = "a string or null" if nullable else "a string"
        raise _invalid(f"{field} must be {kind}.")
    if not min_chars <= len(value) <= max_chars:
        raise _invalid(f"{field} must be {min_chars} to {max_chars:,} characters long.")
    if "\x00" in value:
        raise _invalid(f"{field} may not contain U+0000.")
    return value


def call_action_from(content: dict) -> str:
    """The action of a {"type": "call", "action": ...} frame."""
    _only_keys(content, ("type", "action"), "A call message")
    action = content.get("action")
    if action not in CALL_ACTIONS:
        raise _invalid('action must be "join" or "leave".')
    return action


def signal_from(content: dict) -> dict:
    """A checked copy of the `signal` of a {"type": "signal", "signal": {...}} frame."""
    _only_keys(content, ("type", "signal"), "A signal message")
    signal = content.get("signal")
    if not isinstance(signal, dict):
        raise _invalid("signal must be an object.")
    kind = signal.get("kind")
    if kind not in SIGNAL_KINDS:
        raise _invalid(f"signal.kind must be one of: {', '.join(SIGNAL_KINDS)}.")
    if kind in ("offer", "answer"):
        _only_keys(signal, ("kind", "sdp"), f"A signal of kind {kind}")
        return {"kind": kind, "sdp": _text(signal.get("sdp"), "signal.sdp", min_chars=1, max_chars=MAX_SDP_CHARS)}
    if kind == "candidate":
        _only_keys(signal, ("kind", "candidate"), "A signal of kind candidate")
        if "candidate" not in signal:
            raise _invalid("signal.candidate is required (null for the end of candidates).")
        return {"kind": kind, "candidate": _candidate(signal["candidate"])}
    _only_keys(signal, ("kind",), f"A signal of kind {kind}")
    return {"kind": kind}


def _candidate(value: Any) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _invalid("signal.candidate must be an object or null.")
    _only_keys(value, _CANDIDATE_KEYS, "signal.candidate")
    if "candidate" not in value:
        raise _invalid("signal.candidate.candidate is required.")
    index = value.get("sdpMLineIndex")
    # bool is an int in Python; JSON true is not an index.
    if index is not None and (
        not isinstance(index, int) or isinstance(index, bool) or not 0 <= index <= MAX_SDP_MLINE_INDEX
    ):
        raise _invalid(f"signal.candidate.sdpMLineIndex must be an integer from 0 to {MAX_SDP_MLINE_INDEX}, or null.")
    return {
        "candidate": _text(value["candidate"], "signal.candidate.candidate", max_chars=MAX_CANDIDATE_CHARS),
        "sdpMid": _text(value.get("sdpMid"), "signal.candidate.sdpMid", max_chars=MAX_SDP_MID_CHARS, nullable=True),
        "sdpMLineIndex": index,
        "usernameFragment": _text(
            value.get("usernameFragment"),
            "signal.candidate.usernameFragment",
            max_chars=MAX_USERNAME_FRAGMENT_CHARS,
            nullable=True,
        ),
    }
