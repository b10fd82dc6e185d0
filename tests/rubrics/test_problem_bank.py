"""The problem bank as content: every problem has the depth a session needs (facts, expectations,
follow-ups and hints per step, a reference design), the new fields are checked on import and come
back out identically, and the reference design is drawn and shown to those who may see it."""

import copy
import datetime as dt
import io
import re

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from interview.services import interview_schedule
from rubrics.models import Problem
from rubrics.selectors.content import bundled_step_keys, problems_as_data
from rubrics.selectors.design import reference_design_elements, reference_design_for
from rubrics.services.content import (
    CONTENT_DIR,
    problems_import,
    problems_validate,
    reference_design_clean,
    yaml_dump,
    yaml_load,
)

pytestmark = pytest.mark.django_db

STEP_KEYS = bundled_step_keys()
BANK = yaml_load(CONTENT_DIR / "problems.yaml")["problems"]
DOMAINS = {
    *("recommendation", "search", "ads", "vision", "nlp", "llm"),
    *("trust-and-safety", "fraud", "risk", "forecasting", "speech"),
}

# The least a problem carries, so every session has enough to reveal, probe and compare against.
AT_LEAST = {
    "clarifying_facts": 5,
    "offline_components": 5,
    "online_components": 5,
    "connections": 5,
    "offline_metrics": 3,
    "online_metrics": 3,
    "pitfalls": 4,
    "follow_ups per step": 2,
    "hints per step": 1,
    "reference offline lane": 5,
    "reference online lane": 5,
    "reference arrows": 10,
    "arrows across lanes": 2,
}


def run(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue()


def write(tmp_path, data) -> str:
    path = tmp_path / "problems.yaml"
    path.write_text(yaml_dump(data), encoding="utf-8")
    return str(path)


def reaches(arrows: list[list[str]], start: str, goal: str) -> bool:
    following: dict[str, set[str]] = {}
    for arrow in arrows:
        following.setdefault(arrow[0], set()).add(arrow[1])
    seen, todo = {start}, [start]
    while todo:
        for nxt in following.get(todo.pop(), ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def depth(problem: dict) -> dict[str, int]:
    """What `problem` carries, counted the way AT_LEAST is written."""
    expectations, design = problem["expectations"], problem["reference_design"]
    lane = {name: "offline" for name in design["offline"]} | {name: "online" for name in design["online"]}
    return {
        "clarifying_facts": len(problem["clarifying_facts"]),
        **{key: len(expectations[key]) for key in AT_LEAST if key in expectations},
        "follow_ups per step": min(len(problem["follow_ups"].get(key, [])) for key in STEP_KEYS),
        "hints per step": min(len(problem["hints"].get(key, [])) for key in STEP_KEYS),
        "reference offline lane": len(design["offline"]),
        "reference online lane": len(design["online"]),
        "reference arrows": len(design["arrows"]),
        "arrows across lanes": sum(1 for a in design["arrows"] if lane[a[0]] != lane[a[1]]),
    }


# -- the bundled bank ----------------------------------------------------------------------------


def test_the_bank_has_at_least_24_problems_across_the_domains():
    problems = problems_validate({"problems": BANK}, step_keys=STEP_KEYS)
    assert len(problems) >= 24
    assert {p["domain"] for p in problems} >= DOMAINS
    assert len({p["title"] for p in problems}) == len(problems)


@pytest.mark.parametrize("item", BANK, ids=[item["slug"] for item in BANK])
def test_every_problem_has_the_required_depth(item):
    (problem,) = problems_validate({"problems": [item]}, step_keys=STEP_KEYS)
    counted = depth(problem)
    short = {key: counted[key] for key, least in AT_LEAST.items() if counted[key] < least}
    assert not short, f"{problem['slug']} has too few: {short}"
    assert set(problem["follow_ups"]) == set(STEP_KEYS) and set(problem["hints"]) == set(STEP_KEYS)


@pytest.mark.parametrize("item", BANK, ids=[item["slug"] for item in BANK])
def test_every_reference_design_holds_together(item):
    (problem,) = problems_validate({"problems": [item]}, step_keys=STEP_KEYS)
    expectations, design = problem["expectations"], problem["reference_design"]
    names = set(design["offline"]) | set(design["online"])
    # Arrows name existing components (the import checks it too), and every component is joined up.
    assert {name for arrow in design["arrows"] for name in arrow[:2]} == names
    # The design is a strong answer to the same problem: what the evidence finder expects is in it,
    # in the same lane, and every expected connection is a path along its arrows.
    assert set(expectations["offline_components"]) <= set(design["offline"])
    assert set(expectations["online_components"]) <= set(design["online"])
    missing = [pair for pair in expectations["connections"] if not reaches(design["arrows"], *pair)]
    assert not missing, f"{problem['slug']}: no path for {missing}"


def test_loaded_bank_matches_the_file(content):
    assert problems_as_data() == {"problems": problems_validate({"problems": BANK})}


# -- checks on import ----------------------------------------------------------------------------


def one_problem() -> dict:
    return copy.deepcopy(next(item for item in BANK if item["slug"] == "video-recommendation"))


def _set(path: str, value):
    def mutate(problem: dict):
        *parents, last = path.split(".")
        target = problem
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_set("follow_ups", ["a question"]), "problems[0].follow_ups: must be a mapping of step keys to lists"),
        (_set("follow_ups.clarfy", ["typo"]), "problems[0].follow_ups.clarfy: unknown step (expected one of: clarify,"),
        (_set("hints.serving", "one hint"), "problems[0].hints.serving: must be a list of texts"),
        (_set("hints.model.0", ""), "problems[0].hints.model[0]: must not be empty"),
        (_set("follow_ups.data.1", "x" * 501), "problems[0].follow_ups.data[1]: must be at most 500 characters"),
        (_set("reference_design", ["serving"]), "problems[0].reference_design: must be a mapping"),
        (_set("reference_design.batch", []), "problems[0].reference_design.batch: unknown key"),
        (_set("reference_design.online.0", "training"), "online[0]: 'training' is already in the offline lane"),
        (
            _set("reference_design.arrows.0", ["feature store", "ranker"]),
            "problems[0].reference_design.arrows[0][1]: 'ranker' is not a component of the offline or online lane",
        ),
        (_set("reference_design.arrows.0", ["training"]), "reference_design.arrows[0]: needs two component names"),
        (_set("reference_design.arrows.0", ["training", "training"]), "joins two different components"),
        (_set("reference_design.arrows.1", ["ingestion", "feature store"]), "is listed twice"),
        (_set("reference_design.arrows", "ingestion -> training"), "reference_design.arrows: must be a list"),
    ],
)
def test_bad_interviewer_material_is_named_and_changes_nothing(content, tmp_path, mutate, message):
    problem = one_problem()
    mutate(problem)
    before = problems_as_data()
    with pytest.raises(CommandError) as refused:
        run("problems_import", write(tmp_path, {"problems": [problem]}), "--replace")
    assert message in str(refused.value)
    assert "Nothing was imported" in str(refused.value)
    assert problems_as_data() == before


def test_a_refused_document_writes_none_of_its_problems(content):
    good = one_problem()
    good["slug"] = "brand-new-problem"
    bad = one_problem()
    bad["hints"]["nowhere"] = ["a hint"]
    with pytest.raises(Exception, match=r"problems\[1\]\.hints\.nowhere: unknown step"):
        problems_import(data={"problems": [good, bad]})
    assert not Problem.objects.filter(slug="brand-new-problem").exists()


def test_reference_design_may_be_left_out_and_labels_are_optional():
    assert reference_design_clean(None) == {"offline": [], "online": [], "arrows": []}
    design = reference_design_clean({"offline": ["a"], "online": ["b"], "arrows": [["a", "b"], ["b", "a", " logs "]]})
    assert design["arrows"] == [["a", "b"], ["b", "a", "logs"]]


# -- export and round trip -----------------------------------------------------------------------


def test_round_trip_into_an_empty_bank_is_identical(content, tmp_path):
    exported = run("problems_export")
    data = yaml.safe_load(exported)
    first = data["problems"][0]
    assert list(first)[-3:] == ["follow_ups", "hints", "reference_design"]
    assert list(first["follow_ups"]) == list(STEP_KEYS)
    assert list(first["reference_design"]) == ["offline", "online", "arrows"]

    Problem.objects.all().delete()
    assert "0 updated" in run("problems_import", write(tmp_path, data))
    assert run("problems_export") == exported


def test_export_puts_steps_in_rubric_order_whatever_order_they_were_stored_in(content):
    problem = Problem.objects.get(slug="video-recommendation")
    expected = problems_as_data(problems=Problem.objects.filter(pk=problem.pk))
    problem.follow_ups = dict(reversed(list(problem.follow_ups.items())))
    problem.hints = dict(sorted(problem.hints.items()))
    problem.save(update_fields=["follow_ups", "hints"])
    assert problems_as_data(problems=Problem.objects.filter(pk=problem.pk)) == expected


def test_admin_checks_the_interviewer_material(admin_client, content):
    problem = Problem.objects.get(slug="video-recommendation")
    url = reverse("admin:rubrics_problem_change", args=[problem.pk])
    fields = {
        "slug": problem.slug,
        "title": problem.title,
        "difficulty": problem.difficulty,
        "domain": problem.domain,
        "summary": problem.summary,
        "prompt": problem.prompt,
        "clarifying_facts": "[]",
        "expectations": "{}",
        "is_active": "on",
    }
    refused = admin_client.post(url, {**fields, "follow_ups": '{"clarfy": ["x"]}'})
    assert refused.status_code == 200 and "follow_ups.clarfy: unknown step" in refused.content.decode()
    refused = admin_client.post(url, {**fields, "reference_design": '{"offline": ["a"], "arrows": [["a", "b"]]}'})
    assert "b&#x27; is not a component of the offline or online lane" in refused.content.decode()
    problem.refresh_from_db()
    assert problem.follow_ups["clarify"]
    saved = admin_client.post(
        url,
        {
            **fields,
            "follow_ups": '{"serving": ["Why batch?"]}',
            "hints": "{}",
            "reference_design": '{"offline": ["a"], "online": ["b"], "arrows": [["a", "b", "model"]]}',
        },
    )
    assert saved.status_code == 302
    problem.refresh_from_db()
    assert problem.follow_ups == {"serving": ["Why batch?"]} and problem.hints == {}
    assert problem.reference_design["arrows"] == [["a", "b", "model"]]


# -- the drawing and the problem page ------------------------------------------------------------


def test_the_drawing_has_both_lanes_every_component_and_every_arrow(content):
    problem = Problem.objects.get(slug="payment-fraud")
    design = problem.reference_design
    elements = reference_design_elements(design)
    frames = [e["name"] for e in elements if e["type"] == "frame"]
    boxes = {e["id"]: e for e in elements if e["type"] == "rectangle"}
    labels = {e["text"]: boxes[e["containerId"]] for e in elements if e["type"] == "text"}
    arrows = [e for e in elements if e["type"] == "arrow"]
    assert frames == ["Offline", "Online"]
    assert set(labels) == set(design["offline"]) | set(design["online"])
    assert all(labels[name]["lane"] == "offline" for name in design["offline"])
    assert len(arrows) == len(design["arrows"])
    # An arrow between lanes leaves the offline box by its right edge for the online box's left edge.
    across = next(i for i, a in enumerate(design["arrows"]) if a[:2] == ["model registry", "fraud model"])
    start_x = arrows[across]["x"]
    end_x = start_x + arrows[across]["points"][-1][0]
    assert start_x == labels["model registry"]["x"] + labels["model registry"]["width"]
    assert end_x == labels["fraud model"]["x"]

    shown = reference_design_for(problem)
    assert shown.svg.startswith("<svg") and "fraud model" in shown.svg
    assert sum(1 for arrow in shown.arrows if arrow.across) >= 2


def test_names_in_the_drawing_are_escaped(content):
    problem = Problem(
        title="<b>t</b>",
        reference_design={
            "offline": ["<script>x</script>"],
            "online": ["b & c"],
            "arrows": [["<script>x</script>", "b & c"]],
        },
    )
    svg = reference_design_for(problem).svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "b &amp; c" in svg
    assert reference_design_for(Problem(title="none")) is None


def test_problem_page_shows_follow_ups_hints_and_the_reference_design(client_for, interviewer, candidate, content):
    problem = Problem.objects.get(slug="rag-support-assistant")
    interview_schedule(  # the interviewer of a session on it reads its material
        created_by=interviewer,
        problem_id=problem.pk,
        scheduled_at=timezone.now() + dt.timedelta(hours=2),
        peer=candidate.username,
        my_role="interviewer",
    )
    page = client_for(interviewer).get(reverse("problem_detail", args=[problem.slug])).content.decode()
    guide = page[page.index('id="interviewer-guide"') :]
    assert problem.follow_ups["serving"][0] in page and problem.hints["evaluation"][0] in page
    assert guide.index("1. ") < guide.index("7. ")  # in step order, under the rubric's titles
    assert 'id="reference-design"' in page and "<svg" in page
    assert re.search(r"retriever → re-ranking <span class=\"muted\">\(top 50 chunks\)</span>", page)
    # Interviewer material sits in the page's one interviewer block, so its visibility rule covers it.
    block = page[page.index("<details") : page.index("</details>")]
    assert 'id="interviewer-guide"' in block and 'id="reference-design"' in block
