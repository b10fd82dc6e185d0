"""`python -m bench.board_sync`: run the board sync benchmark (see bench/README.md)."""

import sys

from .cli import main

sys.exit(main())
