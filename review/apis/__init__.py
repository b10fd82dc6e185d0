"""REST API of the review, one module per resource: scorecards, the board history for the replay,
the room panel's ticks and notes, and the evidence finder's report."""
