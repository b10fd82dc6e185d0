"""axe-core in the browser tests: the copy npm installs in frontend/node_modules, put into the page
with `page.evaluate` (which the page's Content-Security-Policy does not stop, unlike a script tag),
then run on the whole document. Findings of impact serious or critical fail the test."""

from functools import cache
from pathlib import Path

from django.conf import settings

AXE_JS = Path(settings.BASE_DIR) / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

RUN = """async (tags) => {
  const result = await window.axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")} :: ${n.failureSummary.replace(/\\s+/g, " ")}`),
  }));
}"""


@cache
def axe_source() -> str:
    if not AXE_JS.exists():
        raise AssertionError(f"{AXE_JS} is missing: run `make install` (axe-core is a dev dependency of frontend/).")
    return AXE_JS.read_text(encoding="utf-8")


def serious_violations(page) -> list[dict]:
    """The serious and critical axe-core findings on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return [v for v in page.evaluate(RUN, TAGS) if v["impact"] in BLOCKING]


def assert_accessible(page, label: str) -> None:
    found = serious_violations(page)
    assert found == [], f"axe-core on {label}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in found
    )
