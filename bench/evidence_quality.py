"""How well the evidence finder's suggested levels agree with an interviewer's, printed as JSON.

Runs the pure finder (rubrics/evidence/finder.py) on every scripted session in
bench/evidence_sessions/ (see its README) with the bundled rubric and problem bank, and compares the
suggested level of each step with the level set for it when the session was written. The same
figures are given for a baseline that only counts the candidate's messages in the step
(0 -> 1, 1 -> 2, 2-3 -> 3, 4 or more -> 4).

Figures, overall and per step: exact agreement, agreement within one level, mean absolute error,
quadratic weighted kappa and the mean signed error (bias; negative = suggests too low).

    .venv/bin/python bench/evidence_quality.py
    .venv/bin/python bench/evidence_quality.py --sessions path/to/other/sessions --details
"""

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rubrics.evidence.finder import (  # noqa: E402
    CriterionSpec,
    Message,
    StepSpec,
    StepStart,
    find_evidence,
)

CONTENT = ROOT / "rubrics" / "content"
SESSIONS = ROOT / "bench" / "evidence_sessions"
START = dt.datetime(2026, 1, 5, 14, 0, tzinfo=dt.UTC)
ROLES = {
    "c": ("candidate", "chat"),
    "cs": ("candidate", "speech"),
    "i": ("interviewer", "chat"),
    "is": ("interviewer", "speech"),
}
LEVELS = (1, 2, 3, 4)


def load_rubric() -> tuple[list[StepSpec], list[CriterionSpec], dict[int, int]]:
    rubric = yaml.safe_load((CONTENT / "rubric.yaml").read_text())
    steps, criteria, budgets = [], [], {}
    for step in rubric["steps"]:
        steps.append(StepSpec(step["number"], step["key"], step["title"]))
        budgets[step["number"]] = int(step["time_budget_minutes"])
        for c in step["criteria"]:
            criteria.append(
                CriterionSpec(
                    key=c["key"],
                    step=step["number"],
                    title=c["title"],
                    weight=int(c["weight"]),
                    concepts=tuple(map(str, c.get("concepts") or ())),
                    description=str(c.get("description") or ""),
                    levels=tuple(str(c["levels"][n]) for n in LEVELS if n in c.get("levels", {})),
                )
            )
    return steps, criteria, budgets


def load_expectations() -> dict[str, dict]:
    bank = yaml.safe_load((CONTENT / "problems.yaml").read_text())
    return {p["slug"]: p.get("expectations") or {} for p in bank["problems"]}


def session_messages(session: dict, budgets: dict[int, int]) -> tuple[list[Message], list[StepStart]]:
    """The session's messages, spread evenly over each step's time budget, and its step starts."""
    messages, starts = [], []
    offset = dt.timedelta()
    event_id = 0
    for number in sorted(budgets):
        budget = dt.timedelta(minutes=budgets[number])
        lines = session["steps"].get(number) or []
        starts.append(StepStart(step=number, at=START + offset))
        for n, line in enumerate(lines):
            ((kind, text),) = line.items()
            role, source = ROLES[kind]
            event_id += 1
            at = START + offset + budget * (n + 0.5) / len(lines)
            messages.append(Message(event_id, number, at, str(text), role=role, source=source))
        offset += budget
    return messages, starts


def baseline_level(count: int) -> int:
    return 1 if count == 0 else 2 if count == 1 else 3 if count <= 3 else 4


def quadratic_kappa(expected: list[int], suggested: list[int]) -> float:
    n = len(LEVELS)
    observed = [[0.0] * n for _ in range(n)]
    for e, s in zip(expected, suggested, strict=True):
        observed[e - 1][s - 1] += 1
    total = len(expected)
    rows = [sum(r) for r in observed]
    cols = [sum(observed[i][j] for i in range(n)) for j in range(n)]
    numerator = denominator = 0.0
    for i in range(n):
        for j in range(n):
            weight = (i - j) ** 2 / (n - 1) ** 2
            numerator += weight * observed[i][j]
            denominator += weight * rows[i] * cols[j] / total
    return 1.0 - numerator / denominator if denominator else 1.0


def figures(pairs: list[tuple[int, int]]) -> dict[str, float]:
    expected = [e for e, _ in pairs]
    suggested = [s for _, s in pairs]
    diffs = [s - e for e, s in pairs]
    count = len(pairs)
    return {
        "n": count,
        "exact": round(sum(d == 0 for d in diffs) / count, 3),
        "within_one": round(sum(abs(d) <= 1 for d in diffs) / count, 3),
        "mae": round(sum(abs(d) for d in diffs) / count, 3),
        "kappa": round(quadratic_kappa(expected, suggested), 3),
        "bias": round(sum(diffs) / count, 3),
    }


def report(pairs_by_step: dict[int, list[tuple[int, int]]]) -> dict:
    everything = [p for step in sorted(pairs_by_step) for p in pairs_by_step[step]]
    return {
        "overall": figures(everything),
        "per_step": {str(step): figures(pairs) for step, pairs in sorted(pairs_by_step.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=Path, default=SESSIONS, help="folder of session YAML files")
    parser.add_argument("--details", action="store_true", help="also print each session's levels")
    args = parser.parse_args()

    steps, criteria, budgets = load_rubric()
    expectations = load_expectations()
    finder: dict[int, list[tuple[int, int]]] = {s.number: [] for s in steps}
    baseline: dict[int, list[tuple[int, int]]] = {s.number: [] for s in steps}
    details, seconds = {}, []
    files = sorted(args.sessions.glob("*.yaml"))
    for path in files:
        session = yaml.safe_load(path.read_text())
        messages, starts = session_messages(session, budgets)
        began = time.perf_counter()
        results = find_evidence(
            steps=steps,
            criteria=criteria,
            expectations=expectations[session["problem"]],
            messages=messages,
            step_starts=starts,
            ops=[],
            lanes=[],
            candidate_id=None,
        )
        seconds.append(time.perf_counter() - began)
        levels = {r.step: r.level for r in results}
        row = {"expected": session["levels"], "finder": [], "baseline": []}
        for step in steps:
            expected = int(session["levels"][step.number - 1])
            count = sum(1 for m in messages if m.step == step.number and m.role == "candidate")
            finder[step.number].append((expected, levels[step.number]))
            baseline[step.number].append((expected, baseline_level(count)))
            row["finder"].append(levels[step.number])
            row["baseline"].append(baseline_level(count))
        details[path.stem] = row
    out = {
        "sessions": len(files),
        "problems": len({yaml.safe_load(p.read_text())["problem"] for p in files}),
        "step_scores": sum(len(v) for v in finder.values()),
        "finder": report(finder),
        "baseline": report(baseline),
        "finder_seconds_per_session": round(sum(seconds[1:] or seconds) / max(1, len(seconds[1:] or seconds)), 4),
        "first_session_seconds": round(seconds[0], 3) if seconds else None,
    }
    if args.details:
        out["details"] = details
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
