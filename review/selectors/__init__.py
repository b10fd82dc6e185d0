"""Reads for the review: the scorecard (scorecards.py), who sees what (visibility.py), the review
page's rows (review.py), its clock and timeline (timeline.py), the evidence finder's report
(evidence.py), the room panel's ticks and notes (notes.py) and a candidate's progress (progress.py)."""

from .scorecards import scorecard_for_interview
from .visibility import ReviewVisibility, review_visibility

__all__ = ["ReviewVisibility", "review_visibility", "scorecard_for_interview"]
