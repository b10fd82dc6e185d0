"""The font the PDF and PNG exports draw text with, shipped with the code (licence: LICENSE)."""

from pathlib import Path

FONTS_DIR = Path(__file__).resolve().parent
FONT_REGULAR = FONTS_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONTS_DIR / "DejaVuSans-Bold.ttf"
