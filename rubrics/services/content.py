"""Writes for content: rubric versions and the problem bank, imported from (and checked against)
the YAML schema of rubrics/content/rubric.yaml and problems.yaml.

Imports never overwrite a rubric version, and a version anything was scored with stays as it is
(the admin shows it read-only): changes go into a new version, imported or duplicated in the
admin. Every check names the place it failed, e.g.
"steps[2].criteria[0].levels: needs descriptors for levels 1-4", and nothing is written unless the
whole document passes."""

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from django.db import IntegrityError, transaction

from core.errors import ApplicationError

from ..models import LEVELS, Criterion, Problem, Rubric, RubricStep
from ..selectors.content import (
    EXPECTATION_KEYS,
    REFERENCE_LANES,
    problem_as_data,
    problem_step_keys,
    rubric_as_data,
    rubric_is_scored,
    rubric_next_version,
)

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
MAX_TIME_BUDGET_MINUTES = 120


class ContentError(ApplicationError):
    """Content that does not fit the schema; `path` says where (e.g. "steps[2].criteria[0].levels")."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}" if path else problem, code="bad_content")
        self.path = path
        self.problem = problem


# -- checking content --------------------------------------------------------------------------


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _mapping(value: Any, path: str, *, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
    if not isinstance(value, dict):
        raise ContentError(path, "must be a mapping of keys to values")
    missing = [key for key in required if key not in value]
    if missing:
        raise ContentError(path, f"missing '{missing[0]}'")
    unknown = sorted(str(key) for key in value if key not in required + optional)
    if unknown:
        allowed = ", ".join(required + optional)
        raise ContentError(_at(path, unknown[0]), f"unknown key (expected one of: {allowed})")
    return value


def _text(value: Any, path: str, *, max_length: int | None = None, blank: bool = False) -> str:
    if value is None and blank:
        return ""
    if not isinstance(value, str):
        raise ContentError(path, "must be text")
    value = value.strip()
    if not value and not blank:
        raise ContentError(path, "must not be empty")
    if max_length is not None and len(value) > max_length:
        raise ContentError(path, f"must be at most {max_length} characters (it has {len(value)})")
    return value


def _slug(value: Any, path: str, *, max_length: int) -> str:
    value = _text(value, path, max_length=max_length)
    if not SLUG.match(value):
        raise ContentError(path, f"'{value}' must use only letters, digits, hyphens and underscores")
    return value


def _integer(value: Any, path: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContentError(path, f"must be a whole number from {low} to {high}")
    if not low <= value <= high:
        raise ContentError(path, f"must be from {low} to {high} (it is {value})")
    return value


def _texts(value: Any, path: str, *, max_length: int | None = None) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ContentError(path, "must be a list of texts")
    return [_text(item, _at(path, index), max_length=max_length) for index, item in enumerate(value)]


def _level_keys(value: Any, path: str, what: str) -> dict[int, Any]:
    """Keys 1-4, whether YAML gave them as numbers or JSON as strings."""
    if not isinstance(value, dict):
        raise ContentError(path, f"needs {what} for levels 1-4")
    levels = {}
    for key, item in value.items():
        number = int(key) if isinstance(key, str) and key.isdigit() else key
        if isinstance(number, bool) or number not in LEVELS:
            raise ContentError(path, f"needs {what} for levels 1-4 (unexpected level {key!r})")
        levels[number] = item
    missing = [str(level) for level in LEVELS if level not in levels]
    if missing:
        raise ContentError(path, f"needs {what} for levels 1-4 (missing {', '.join(missing)})")
    return dict(sorted(levels.items()))


def criterion_levels_clean(value: Any, path: str = "levels") -> dict[int, str]:
    return {
        level: _text(text, _at(path, level), max_length=1000)
        for level, text in _level_keys(value, path, "descriptors").items()
    }


def rubric_levels_clean(value: Any, path: str = "levels") -> dict[int, dict[str, str]]:
    levels = {}
    for level, item in _level_keys(value, path, "a name").items():
        where = _at(path, level)
        item = _mapping(item, where, required=("name",), optional=("summary",))
        levels[level] = {
            "name": _text(item["name"], _at(where, "name"), max_length=40),
            "summary": _text(item.get("summary"), _at(where, "summary"), blank=True, max_length=1000),
        }
    return levels


def concepts_clean(value: Any, path: str = "concepts") -> list[str]:
    concepts = _texts(value, path, max_length=120)
    seen = set()
    for index, concept in enumerate(concepts):
        if concept.lower() in seen:
            raise ContentError(_at(path, index), f"'{concept}' is listed twice")
        seen.add(concept.lower())
    return concepts


def prompts_clean(value: Any, path: str = "interviewer_prompts") -> list[str]:
    return _texts(value, path, max_length=500)


def clarifying_facts_clean(value: Any, path: str = "clarifying_facts") -> list[str]:
    return _texts(value, path, max_length=500)


def expectations_clean(value: Any, path: str = "expectations") -> dict[str, list]:
    """What a strong answer to a problem includes. Keys left out mean nothing is expected there."""
    if value is None:
        value = {}
    value = _mapping(value, path, required=(), optional=EXPECTATION_KEYS)
    cleaned: dict[str, list] = {}
    for key in EXPECTATION_KEYS:
        where = _at(path, key)
        if key != "connections":
            cleaned[key] = _texts(value.get(key), where, max_length=500 if key == "pitfalls" else 120)
            continue
        pairs = value.get(key) or []
        if not isinstance(pairs, list):
            raise ContentError(where, "must be a list of [from, to] pairs")
        cleaned[key] = []
        for index, pair in enumerate(pairs):
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ContentError(_at(where, index), "needs two component names, [from, to]")
            cleaned[key].append([_text(name, _at(_at(where, index), n), max_length=120) for n, name in enumerate(pair)])
    return cleaned


def per_step_clean(value: Any, path: str, *, step_keys: tuple[str, ...]) -> dict[str, list[str]]:
    """Texts filed under rubric step keys ({"clarify": [...], "framing": [...]}), in step order."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ContentError(path, "must be a mapping of step keys to lists of texts")
    for key in value:
        if key not in step_keys:
            raise ContentError(_at(path, str(key)), f"unknown step (expected one of: {', '.join(step_keys)})")
    ordered = [key for key in step_keys if key in value]
    return {key: _texts(value[key], _at(path, key), max_length=500) for key in ordered}


def reference_design_clean(value: Any, path: str = "reference_design") -> dict[str, list]:
    """The design shown after the session: components per lane, and arrows between named ones.
    A component sits in one lane only; every arrow joins two different components of the design,
    as [from, to] or [from, to, what flows]."""
    if value is None:
        value = {}
    value = _mapping(value, path, required=(), optional=(*REFERENCE_LANES, "arrows"))
    cleaned: dict[str, list] = {}
    lane_of: dict[str, str] = {}
    for lane in REFERENCE_LANES:
        cleaned[lane] = _texts(value.get(lane), _at(path, lane), max_length=120)
        for index, name in enumerate(cleaned[lane]):
            if name.lower() in lane_of:
                where = _at(_at(path, lane), index)
                raise ContentError(where, f"'{name}' is already in the {lane_of[name.lower()]} lane")
            lane_of[name.lower()] = lane
    names = {name for lane in REFERENCE_LANES for name in cleaned[lane]}
    where = _at(path, "arrows")
    arrows = value.get("arrows") or []
    if not isinstance(arrows, list):
        raise ContentError(where, "must be a list of [from, to] or [from, to, label] arrows")
    cleaned["arrows"], seen = [], set()
    for index, arrow in enumerate(arrows):
        at = _at(where, index)
        if not isinstance(arrow, list | tuple) or len(arrow) not in (2, 3):
            raise ContentError(at, "needs two component names and an optional label, [from, to] or [from, to, label]")
        arrow = [_text(item, _at(at, n), max_length=120) for n, item in enumerate(arrow)]
        for n, name in enumerate(arrow[:2]):
            if name not in names:
                raise ContentError(_at(at, n), f"'{name}' is not a component of the offline or online lane")
        if arrow[0] == arrow[1]:
            raise ContentError(at, f"an arrow joins two different components ('{arrow[0]}' twice)")
        if tuple(arrow[:2]) in seen:
            raise ContentError(at, f"the arrow from '{arrow[0]}' to '{arrow[1]}' is listed twice")
        seen.add(tuple(arrow[:2]))
        cleaned["arrows"].append(arrow)
    return cleaned


def rubric_validate(data: Any) -> dict[str, Any]:
    """The rubric document in its canonical form (the form `rubric_as_data` exports), or ContentError."""
    data = _mapping(data, "", required=("slug", "version", "title", "levels", "steps"), optional=("description",))
    steps = data["steps"]
    if not isinstance(steps, list) or not steps:
        raise ContentError("steps", "needs at least one step")
    rubric: dict[str, Any] = {
        "slug": _slug(data["slug"], "slug", max_length=80),
        "version": _integer(data["version"], "version", low=1, high=2**31 - 1),
        "title": _text(data["title"], "title", max_length=200),
        "description": _text(data.get("description"), "description", blank=True),
        "levels": rubric_levels_clean(data["levels"]),
        "steps": [],
    }
    step_keys: set[str] = set()
    for index, step in enumerate(steps):
        where = f"steps[{index}]"
        step = _mapping(
            step,
            where,
            required=("number", "key", "title", "time_budget_minutes", "criteria"),
            optional=("summary", "interviewer_prompts"),
        )
        number = _integer(step["number"], _at(where, "number"), low=1, high=len(steps))
        if number != index + 1:
            raise ContentError(_at(where, "number"), f"expected {index + 1}: steps are numbered 1, 2, 3… in order")
        key = _slug(step["key"], _at(where, "key"), max_length=40)
        if key in step_keys:
            raise ContentError(_at(where, "key"), f"'{key}' is used by another step")
        step_keys.add(key)
        criteria = step["criteria"]
        if not isinstance(criteria, list) or not criteria:
            raise ContentError(_at(where, "criteria"), "needs at least one criterion")
        cleaned_step: dict[str, Any] = {
            "number": number,
            "key": key,
            "title": _text(step["title"], _at(where, "title"), max_length=200),
            "summary": _text(step.get("summary"), _at(where, "summary"), blank=True),
            "time_budget_minutes": _integer(
                step["time_budget_minutes"], _at(where, "time_budget_minutes"), low=1, high=MAX_TIME_BUDGET_MINUTES
            ),
            "interviewer_prompts": prompts_clean(step.get("interviewer_prompts"), _at(where, "interviewer_prompts")),
            "criteria": [],
        }
        criterion_keys: set[str] = set()
        for position, criterion in enumerate(criteria):
            at = f"{where}.criteria[{position}]"
            criterion = _mapping(
                criterion, at, required=("key", "title", "levels"), optional=("description", "weight", "concepts")
            )
            criterion_key = _slug(criterion["key"], _at(at, "key"), max_length=60)
            if criterion_key in criterion_keys:
                raise ContentError(_at(at, "key"), f"'{criterion_key}' is used by another criterion of this step")
            criterion_keys.add(criterion_key)
            cleaned_step["criteria"].append(
                {
                    "key": criterion_key,
                    "title": _text(criterion["title"], _at(at, "title"), max_length=200),
                    "description": _text(criterion.get("description"), _at(at, "description"), blank=True),
                    "weight": _integer(criterion.get("weight", 1), _at(at, "weight"), low=1, high=3),
                    "concepts": concepts_clean(criterion.get("concepts"), _at(at, "concepts")),
                    "levels": criterion_levels_clean(criterion["levels"], _at(at, "levels")),
                }
            )
        rubric["steps"].append(cleaned_step)
    return rubric


def problems_validate(data: Any, *, step_keys: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The problems of a problems.yaml document in canonical form, or ContentError. Follow-ups and
    hints are filed under `step_keys` (by default those of the bundled and stored rubrics)."""
    step_keys = problem_step_keys() if step_keys is None else step_keys
    data = _mapping(data, "", required=("problems",))
    items = data["problems"]
    if not isinstance(items, list):
        raise ContentError("problems", "must be a list of problems")
    problems, slugs = [], set()
    for index, item in enumerate(items):
        where = f"problems[{index}]"
        item = _mapping(
            item,
            where,
            required=("slug", "title", "prompt"),
            optional=(
                "difficulty",
                "domain",
                "summary",
                "clarifying_facts",
                "expectations",
                "follow_ups",
                "hints",
                "reference_design",
            ),
        )
        slug = _slug(item["slug"], _at(where, "slug"), max_length=80)
        if slug in slugs:
            raise ContentError(_at(where, "slug"), f"'{slug}' is used by another problem")
        slugs.add(slug)
        difficulty = item.get("difficulty", Problem.Difficulty.MEDIUM)
        if difficulty not in Problem.Difficulty.values:
            raise ContentError(_at(where, "difficulty"), f"must be one of {', '.join(Problem.Difficulty.values)}")
        problems.append(
            {
                "slug": slug,
                "title": _text(item["title"], _at(where, "title"), max_length=200),
                "difficulty": difficulty,
                "domain": _text(item.get("domain"), _at(where, "domain"), blank=True, max_length=40),
                "summary": _text(item.get("summary"), _at(where, "summary"), blank=True, max_length=300),
                "prompt": _text(item["prompt"], _at(where, "prompt")),
                "clarifying_facts": clarifying_facts_clean(
                    item.get("clarifying_facts"), _at(where, "clarifying_facts")
                ),
                "expectations": expectations_clean(item.get("expectations"), _at(where, "expectations")),
                "follow_ups": per_step_clean(item.get("follow_ups"), _at(where, "follow_ups"), step_keys=step_keys),
                "hints": per_step_clean(item.get("hints"), _at(where, "hints"), step_keys=step_keys),
                "reference_design": reference_design_clean(
                    item.get("reference_design"), _at(where, "reference_design")
                ),
            }
        )
    return problems


# -- YAML --------------------------------------------------------------------------------------


def yaml_load(path: Path) -> Any:
    """Parse YAML safely, with libyaml's C loader when PyYAML was built with it (25x faster)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader


def yaml_read(path: Path) -> Any:
    """yaml_load, with a missing file or broken YAML turned into a sentence naming the place."""
    try:
        return yaml_load(path)
    except FileNotFoundError as exc:
        raise ApplicationError(f"{path}: no such file.", code="bad_content") from exc
    except UnicodeDecodeError as exc:
        raise ApplicationError(f"{path}: not UTF-8 text.", code="bad_content") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ApplicationError(f"{path}: not valid YAML{where}: {problem}.", code="bad_content") from exc


class _ContentDumper(yaml.SafeDumper):
    """Laid out like the files we ship: nested lists indented, multi-line texts as literal blocks,
    short lists of names (components, metrics, [from, to] pairs) on one line."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


def _represent_list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    names = all(isinstance(item, str) and "\n" not in item for item in value)
    short = names and sum(len(item) + 2 for item in value) <= 72
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=bool(value) and short)


_ContentDumper.add_representer(str, _represent_text)
_ContentDumper.add_representer(list, _represent_list)


def yaml_dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_ContentDumper, sort_keys=False, allow_unicode=True, width=100, indent=2)


# -- rubrics -----------------------------------------------------------------------------------


def _rubric_write(rubric: Rubric, data: dict[str, Any]) -> None:
    for step_data in data["steps"]:
        step = RubricStep.objects.create(
            rubric=rubric,
            number=step_data["number"],
            key=step_data["key"],
            title=step_data["title"],
            summary=step_data["summary"],
            time_budget_minutes=step_data["time_budget_minutes"],
            interviewer_prompts=step_data["interviewer_prompts"],
        )
        Criterion.objects.bulk_create(
            Criterion(
                step=step,
                order=order,
                key=crit["key"],
                title=crit["title"],
                description=crit["description"],
                weight=crit["weight"],
                concepts=crit["concepts"],
                levels={str(level): text for level, text in crit["levels"].items()},
            )
            for order, crit in enumerate(step_data["criteria"], start=1)
        )


def _stored_levels(levels: dict[int, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {str(level): value for level, value in levels.items()}


@transaction.atomic
def rubric_activate(*, rubric: Rubric) -> Rubric:
    """Make `rubric` the version new interviews use. Interviews and scorecards keep the version
    they were made with: this changes nothing already scheduled or scored."""
    Rubric.objects.exclude(pk=rubric.pk).filter(is_active=True).update(is_active=False)
    if not rubric.is_active:
        rubric.is_active = True
        rubric.save(update_fields=["is_active"])
    return rubric


@transaction.atomic
def rubric_import(
    *,
    data: Any,
    activate: bool = True,
    if_exists: Literal["refuse", "keep", "replace"] = "refuse",
) -> tuple[Rubric, bool]:
    """Create the rubric version described by `data` (the schema of rubrics/content/rubric.yaml).

    When that slug+version exists already: the same content is a no-op; different content is
    refused ("refuse"), left alone ("keep", how `load_content` treats admin edits), or written
    over ("replace", only while nothing has been scored with that version).
    `activate` makes the version the one new interviews use. Returns (rubric, created)."""
    data = rubric_validate(data)
    existing = Rubric.objects.filter(slug=data["slug"], version=data["version"]).first()
    if existing is not None and if_exists == "keep":
        return existing, False
    if existing is not None and rubric_as_data(rubric=existing) != data:
        label = f"Rubric '{data['slug']}' version {data['version']}"
        if if_exists == "refuse":
            raise ApplicationError(
                f"{label} already exists with different content, and imports never overwrite a version: "
                f"set version to {rubric_next_version(slug=data['slug'])} and import it as a new version.",
                code="version_exists",
                status=409,
            )
        if rubric_is_scored(rubric_id=existing.pk):
            raise ApplicationError(
                f"{label} has been used to score interviews, so it cannot be replaced. "
                f"Set version to {rubric_next_version(slug=data['slug'])} and import it as a new version.",
                code="version_in_use",
                status=409,
            )
        existing.title, existing.description = data["title"], data["description"]
        existing.levels = _stored_levels(data["levels"])
        existing.save(update_fields=["title", "description", "levels"])
        existing.steps.all().delete()
        _rubric_write(existing, data)
    created = existing is None
    rubric = existing
    if rubric is None:
        try:
            with transaction.atomic():
                rubric = Rubric.objects.create(
                    slug=data["slug"],
                    version=data["version"],
                    title=data["title"],
                    description=data["description"],
                    levels=_stored_levels(data["levels"]),
                    is_active=False,
                )
        except IntegrityError as exc:  # imported by someone else a moment ago
            raise ApplicationError(
                f"Rubric '{data['slug']}' version {data['version']} was just imported by someone else; try again.",
                code="version_exists",
                status=409,
            ) from exc
        _rubric_write(rubric, data)
    if activate:
        rubric_activate(rubric=rubric)
    return rubric, created


@transaction.atomic
def rubric_duplicate(*, rubric: Rubric) -> Rubric:
    """A copy of `rubric` as the next version of its slug, not active yet, ready to be edited."""
    data = rubric_as_data(rubric=rubric)
    data["version"] = rubric_next_version(slug=rubric.slug)
    copy, _ = rubric_import(data=data, activate=False)
    return copy


# -- problems ----------------------------------------------------------------------------------


@transaction.atomic
def problems_import(*, data: Any, replace: bool = False) -> tuple[int, int]:
    """Create the problems that do not exist yet (by slug); with `replace`, also bring existing ones
    in line with `data`. Returns (created, updated); unchanged problems count as neither."""
    created = updated = 0
    step_keys = problem_step_keys()
    for fields in problems_validate(data, step_keys=step_keys):
        slug = fields.pop("slug")
        problem = Problem.objects.filter(slug=slug).first()
        if problem is None:
            Problem.objects.create(slug=slug, **fields)
            created += 1
        elif replace and problem_as_data(problem=problem, step_keys=step_keys) != {"slug": slug, **fields}:
            for name, value in fields.items():
                setattr(problem, name, value)
            problem.save(update_fields=list(fields))
            updated += 1
    return created, updated


@transaction.atomic
def content_load(*, directory: Path = CONTENT_DIR, replace: bool = False) -> dict[str, Any]:
    """Load the bundled rubric and problem bank. Rows already there are kept (admin edits survive)
    unless `replace`; a rubric version new to this database becomes the active one."""
    try:
        rubric, rubric_created = rubric_import(
            data=yaml_read(directory / "rubric.yaml"), activate=False, if_exists="replace" if replace else "keep"
        )
        if rubric_created:
            rubric_activate(rubric=rubric)
    except ContentError as exc:
        raise ApplicationError(f"{directory / 'rubric.yaml'}: {exc.message}.", code="bad_content") from exc
    try:
        created, updated = problems_import(data=yaml_read(directory / "problems.yaml"), replace=replace)
    except ContentError as exc:
        raise ApplicationError(f"{directory / 'problems.yaml'}: {exc.message}.", code="bad_content") from exc
    return {
        "rubric": str(rubric),
        "rubric_created": rubric_created,
        "problems_created": created,
        "problems_updated": updated,
    }
