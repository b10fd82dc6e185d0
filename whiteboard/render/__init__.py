"""The board drawn as a picture: board.py turns elements into drawing primitives (shapes, lines,
text runs, lane frames); svg.py and png.py draw those primitives. Bounded in work and memory
(see board.py's budgets) so any board, however crafted, renders in bounded time."""

from .png import board_png
from .svg import board_svg

__all__ = ["board_png", "board_svg"]
