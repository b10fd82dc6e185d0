"""How long rebuilding a board from its op log takes (board_state_at), printed as JSON.

Creates a scratch board with N ops (default 10,000; each op changes 1-3 of ~300 elements, with
deletions; each element a whole rectangle from tests/elements.py), then times rebuilding it as of
several seqs, and checks the rebuild at the last seq equals the current state. Uses DATABASE_URL
(default: a temporary SQLite file).

    .venv/bin/python bench/board_history.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mocklane_bench .venv/bin/python bench/board_history.py
"""

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch_db import setup_django  # noqa: E402
from tests.elements import TWO_LANES, rectangle  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", type=int, default=10_000)
    parser.add_argument("--elements", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    cleanup = setup_django()
    import django.db

    from whiteboard.selectors import board_get_state, board_state_at
    from whiteboard.services import OpRequest, board_apply_batch, board_create

    rng = random.Random(7)
    board = board_create(title="history bench", lanes=TWO_LANES)
    versions: dict[str, int] = {}
    started = time.perf_counter()
    requests = []
    for n in range(args.ops):
        elements = []
        for element_id in {f"e{rng.randrange(args.elements)}" for _ in range(rng.randint(1, 3))}:
            versions[element_id] = versions.get(element_id, 0) + 1
            elements.append(
                rectangle(
                    element_id,
                    x=rng.uniform(0, 2000),
                    y=rng.uniform(0, 760),
                    version=versions[element_id],
                    nonce=rng.randrange(2**31),
                    deleted=rng.random() < 0.05,
                )
            )
        requests.append(OpRequest(board_id=board.pk, op_id=f"op-{n}", elements=elements, check_permission=False))
        if len(requests) == 200:
            board_apply_batch(requests=requests)
            requests = []
    if requests:
        board_apply_batch(requests=requests)
    load_s = time.perf_counter() - started

    timings = {}
    for seq in (args.ops // 4, args.ops // 2, args.ops):
        runs = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            state = board_state_at(board_id=board.pk, seq=seq)
            runs.append((time.perf_counter() - t) * 1000)
        timings[seq] = {"median_ms": round(statistics.median(runs), 1), "max_ms": round(max(runs), 1)}
    current = {e["id"]: (e["version"], e["versionNonce"]) for e in board_get_state(board_id=board.pk).elements}
    rebuilt = {e["id"]: (e["version"], e["versionNonce"]) for e in state.elements}
    print(
        json.dumps(
            {
                "database": django.db.connection.vendor,
                "ops": args.ops,
                "elements": len(current),
                "load_s": round(load_s, 2),
                "rebuild": {str(seq): t for seq, t in timings.items()},
                "rebuild_at_last_seq_equals_current": rebuilt == current,
            }
        )
    )
    cleanup()


if __name__ == "__main__":
    main()
