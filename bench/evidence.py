"""How long the evidence finder takes on one interview, printed as JSON.

Builds a scratch interview on the video-recommendation problem: a chat of M candidate messages
(default 200, every one different, so no sentence embedding is reused) with an interviewer's question
after every third, and a board drawn as in tests/rubrics/evidence_boards.py (a strong two-lane
answer), followed by N ops that move its shapes around (default 20,000): more than a 45-minute
session holds. Then times `evidence_report_run` (transcript matching, depth signals and sentence
embeddings, one replay of the op log, suggested levels, storing the report) with the memo of what
was said emptied before each run (the rubric's descriptions are embedded in the first run only, as
once per worker process), and reports the embedding model's load time and the process's peak memory
before and after loading it. Uses DATABASE_URL (default: a temporary SQLite file).

    .venv/bin/python bench/evidence.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mocklane_bench .venv/bin/python bench/evidence.py
"""

import argparse
import datetime as dt
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch_db import setup_django  # noqa: E402

LINES = [
    "The business goal is watch time, and engagement more broadly.",
    "I'd frame it as ranking: predict the probability of a long watch.",
    "Training data comes from impression logs joined with watch events.",
    "We don't need a separate feature store for this, or do we? Actually yes, we need one.",
    "Offline I'd use precision@k and nDCG@10; online an A/B test on watch time.",
    "Serving: candidate generation, then a ranker, p99 latency under 200 ms.",
    "We monitor data drift and retrain weekly.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", type=int, default=20_000, help="extra ops after the drawing")
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    cleanup = setup_django()
    import django.db
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from interview.services import interview_accept, interview_post_message, interview_schedule
    from review.models import Evidence
    from review.services.evidence import evidence_report_run
    from rubrics.evidence.semantic import embedder
    from rubrics.models import Problem
    from rubrics.services import content_load
    from tests.rubrics.evidence_boards import good_board
    from whiteboard.services import OpRequest, board_apply_batch

    content_load()
    users = get_user_model()
    tag = f"{time.time_ns():x}"
    ivy = users.objects.create(username=f"bench-ivy-{tag}")
    cal = users.objects.create(username=f"bench-cal-{tag}")
    interview = interview_schedule(
        created_by=ivy,
        problem_id=Problem.objects.get(slug="video-recommendation").pk,
        scheduled_at=timezone.now() + dt.timedelta(minutes=5),
        peer=cal.username,
        my_role="interviewer",
    )
    interview = interview_accept(interview=interview, user=cal)
    for n in range(args.messages):
        text = f"{LINES[n % len(LINES)]} Point {n}: about {n * 10 + 5}k users in region {n % 17}."
        interview_post_message(interview=interview, user=cal, text=text)
        if n % 3 == 2:
            interview_post_message(interview=interview, user=ivy, text=f"What about case {n}, would that change it?")

    _, batches = good_board()
    drawn = [element for batch in batches for element in batch]
    shapes = [e for e in drawn if e["type"] in ("rectangle", "ellipse", "diamond")]
    requests = [
        OpRequest(board_id=interview.board_id, op_id=f"draw-{n}", elements=batch, check_permission=False)
        for n, batch in enumerate(batches)
    ]
    rng = random.Random(7)
    versions = {e["id"]: e["version"] for e in drawn}
    for n in range(args.ops):
        shape = dict(rng.choice(shapes))
        versions[shape["id"]] += 1
        shape.update(
            version=versions[shape["id"]], versionNonce=rng.randrange(2**31), y=shape["y"] + rng.uniform(-5, 5)
        )
        requests.append(
            OpRequest(board_id=interview.board_id, op_id=f"move-{n}", elements=[shape], check_permission=False)
        )
    for start in range(0, len(requests), 500):
        board_apply_batch(requests=requests[start : start + 500])

    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    model = embedder()
    load_s = time.perf_counter() - started
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    runs = []
    for _ in range(args.repeat):
        if model is not None:
            # Every run embeds every sentence said, as for an interview never read before; the rubric's
            # descriptions are embedded once per process (in the first run), as in a worker.
            model._memo.clear()
        started = time.perf_counter()
        report = evidence_report_run(interview_id=interview.pk)
        runs.append(time.perf_counter() - started)
    items = Evidence.objects.filter(report=report)
    print(
        json.dumps(
            {
                "database": django.db.connection.vendor,
                "ops": len(requests),
                "messages": args.messages,
                "interviewer_messages": args.messages // 3,
                "embeddings": model is not None,
                "model_load_s": round(load_s, 3),
                "peak_rss_mb": {
                    "before_model": round(peak_before),
                    "after_model": round(peak_after),
                    "after_runs": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                },
                "run_s": {"median": round(statistics.median(runs), 3), "max": round(max(runs), 3)},
                "runs_s": [round(run, 3) for run in runs],  # the first also embeds the rubric's descriptions
                "status": report.status,
                "evidence_items": items.count(),
                "suggested_levels": dict(report.suggestions.values_list("step__number", "level")),
            }
        )
    )
    cleanup()


if __name__ == "__main__":
    main()
