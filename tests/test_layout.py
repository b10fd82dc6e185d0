"""The import graph runs one way: core <- whiteboard <- rubrics <- interview <- review <- config.

An app may import from the apps before it in that order, never from one after it, so each can be
read, tested and changed knowing only what lies below it. Read from the source (every import,
including those inside functions), so a lazy import cannot hide a cycle."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["core", "whiteboard", "rubrics", "interview", "review", "config"]


def modules():
    for app in ORDER:
        for path in sorted((ROOT / app).rglob("*.py")):
            yield app, path


def imported(path: Path, root: Path = ROOT) -> list[tuple[str, int]]:
    """Every module `path` imports, as dotted names resolved against its package, with line numbers."""
    package = path.relative_to(root).parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((target, node.lineno))
            # `from . import consumers` names a module too
            found += [(f"{target}.{alias.name}", node.lineno) for alias in node.names]
    return found


def test_every_app_is_checked():
    assert {app for app, _ in modules()} == set(ORDER)


@pytest.mark.parametrize(("app", "path"), list(modules()), ids=lambda value: str(value).replace(str(ROOT), ""))
def test_imports_run_one_way(app, path):
    rank = ORDER.index(app)
    wrong = [
        f"line {line}: {target}"
        for target, line in imported(path)
        if target.split(".")[0] in ORDER and ORDER.index(target.split(".")[0]) > rank
    ]
    assert not wrong, f"{path.relative_to(ROOT)} ({app}) imports from an app above it: {wrong}"


@pytest.mark.parametrize(
    ("app", "path"),
    [(app, path) for app, path in modules() if "services" in path.relative_to(ROOT).parts or path.stem == "services"],
    ids=lambda value: str(value).replace(str(ROOT), ""),
)
def test_no_service_imports_a_consumer(app, path):
    consumers = [f"line {line}: {t}" for t, line in imported(path) if t.split(".")[-1] == "consumers"]
    assert not consumers, f"{path.relative_to(ROOT)} imports a consumer: {consumers}"


def test_the_checker_sees_a_violation(tmp_path):
    """The checks above would fail for a rubrics module that imports interview, lazily or not."""
    (tmp_path / "rubrics" / "services").mkdir(parents=True)
    bad = tmp_path / "rubrics" / "services" / "probe.py"
    bad.write_text("def f():\n    from interview.models import Interview\n    from ...interview import consumers\n")
    targets = [target for target, _ in imported(bad, root=tmp_path)]
    assert "interview.models" in targets and "interview.consumers" in targets
