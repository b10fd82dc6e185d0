"""HTML pages of the review: the review itself and its share links (review.py), the scorecard
(scorecard.py), the exports (exports.py), and the pages that read many reviews (progress.py)."""
