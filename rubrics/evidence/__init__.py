"""The evidence finder's pure parts: text matching (text.py), the board's structure (board.py),
suggested levels (levels.py), and the finder that runs them over one interview (finder.py).
Nothing here touches the database; review/services/evidence.py loads the rows and saves the result."""

# Bumped whenever the finder's rules change, so a report says which rules produced it.
FINDER_VERSION = 3  # 2: palette shapes are read by their component type; 3: depth, prompting and meaning
