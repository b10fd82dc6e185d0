"""Writes for the review: scorecards, the room panel's ticks and notes, the evidence finder's
report, the candidate's self-assessment and their share links. One module each."""

from .scorecards import scorecard_get_or_create, scorecard_submit, scorecard_update

__all__ = ["scorecard_get_or_create", "scorecard_submit", "scorecard_update"]
