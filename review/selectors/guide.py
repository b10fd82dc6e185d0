"""The interviewer's guide in the room: per step, the rubric's prompts and the problem's material
for it (the clarifying facts to give when asked, the expected components, connections and
metrics as a checklist), and the problem's pitfalls to probe, with the interviewer's marks.

Interviewer material: only the room panel API (interviewer only) reads this. The candidate gets
none of it, on any page, API, socket, review or export."""

import datetime as dt
from dataclasses import dataclass, field

from ..models import GuideMark, Scorecard

# Which of the problem's material helps on which step (by the rubric step's key).
STEP_MATERIAL = {
    "clarify": ("facts",),
    "data": ("offline_components",),
    "model": (),
    "evaluation": ("offline_metrics", "online_metrics"),
    "serving": ("online_components", "connections"),
    "monitoring": (),
}
KIND_OF = {
    "offline_components": GuideMark.Kind.COMPONENT,
    "online_components": GuideMark.Kind.COMPONENT,
    "connections": GuideMark.Kind.CONNECTION,
    "offline_metrics": GuideMark.Kind.METRIC,
    "online_metrics": GuideMark.Kind.METRIC,
}
GROUP_TITLES = {
    "offline_components": "Offline lane",
    "online_components": "Online lane",
    "connections": "Connections",
    "offline_metrics": "Offline metrics",
    "online_metrics": "Online metrics",
}


@dataclass(frozen=True)
class GuideItem:
    kind: str
    item: str  # what a mark names
    label: str  # what the interviewer reads
    marked_at: dt.datetime | None


@dataclass(frozen=True)
class GuideGroup:
    title: str
    items: list[GuideItem] = field(default_factory=list)


@dataclass(frozen=True)
class StepGuide:
    number: int
    prompts: list[str]
    facts: list[GuideItem]
    checklist: list[GuideGroup]


@dataclass(frozen=True)
class Guide:
    steps: list[StepGuide]
    pitfalls: list[str]


def connection_item(pair) -> str:
    return f"{pair[0]} -> {pair[1]}"


def guide_items(problem) -> dict[str, set[str]]:
    """Every item a mark may name, by kind: what the service accepts."""
    expectations = problem.expectations or {}
    return {
        GuideMark.Kind.FACT: {str(i) for i in range(len(problem.clarifying_facts or []))},
        GuideMark.Kind.COMPONENT: {
            *expectations.get("offline_components", []),
            *expectations.get("online_components", []),
        },
        GuideMark.Kind.CONNECTION: {connection_item(pair) for pair in expectations.get("connections", [])},
        GuideMark.Kind.METRIC: {*expectations.get("offline_metrics", []), *expectations.get("online_metrics", [])},
    }


def guide_for(*, problem, steps, scorecard: Scorecard | None) -> Guide:
    """`steps`: the rubric's steps, each with `number`, `key` and `prompts` (the panel's steps)."""
    marks = (
        {(kind, item): at for kind, item, at in scorecard.guide_marks.values_list("kind", "item", "created_at")}
        if scorecard is not None
        else {}
    )
    expectations = problem.expectations or {}

    def item(kind: str, name: str, label: str) -> GuideItem:
        return GuideItem(kind=kind, item=name, label=label, marked_at=marks.get((kind, name)))

    facts = [item(GuideMark.Kind.FACT, str(i), text) for i, text in enumerate(problem.clarifying_facts or [])]
    result = []
    for step in steps:
        material = STEP_MATERIAL.get(step.key, ())
        groups = []
        for source in material:
            if source == "facts":
                continue
            values = expectations.get(source, [])
            if source == "connections":
                entries = [item(KIND_OF[source], connection_item(pair), f"{pair[0]} → {pair[1]}") for pair in values]
            else:
                entries = [item(KIND_OF[source], name, name) for name in values]
            if entries:
                groups.append(GuideGroup(title=GROUP_TITLES[source], items=entries))
        result.append(
            StepGuide(
                number=step.number,
                prompts=list(step.prompts),
                facts=facts if "facts" in material else [],
                checklist=groups,
            )
        )
    return Guide(steps=result, pitfalls=list(expectations.get("pitfalls", [])))
