"""The interviewer's side panel in a real browser: ticks and private notes survive a reload, and
the candidate's room, open at the same time, shows neither the panel nor the notes."""

import pytest
from django.urls import reverse

from review.models import CriterionCheck, InterviewerNote
from rubrics.models import Criterion

from .test_room import log_in, open_room

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

NOTE = "Asked about latency before anything else — strong start"
PANEL = "[data-testid=interviewer-panel]"


def criteria(interview, step_number: int) -> list[Criterion]:
    return list(Criterion.objects.filter(step__rubric=interview.rubric, step__number=step_number).order_by("order"))


def wait_for_panel(page):
    page.locator(f"{PANEL} .ml-ip-crit").first.wait_for()


def test_ticks_and_notes_persist_and_stay_private(
    live_asgi_server, new_page, interview, interviewer, candidate, password
):
    base = live_asgi_server
    met, missed = criteria(interview, 1)[:2]

    page = new_page()
    log_in(page, base, interviewer, password)
    open_room(page, base, interview)
    wait_for_panel(page)
    panel = page.locator(PANEL)
    assert panel.get_by_role("tab", selected=True).inner_text().startswith("1")

    # Tick one criterion as met and another as not met; each is saved by the panel API.
    with page.expect_response(lambda r: "/checks/" in r.url and r.request.method == "PUT") as saved:
        panel.get_by_role("checkbox", name=met.title).check()
    assert saved.value.status == 200
    with page.expect_response(lambda r: "/checks/" in r.url and r.request.method == "PUT") as saved:
        panel.get_by_role("button", name=f"Not met: {missed.title}").click()
    assert saved.value.status == 200

    # A note: type, Enter; it shows with its local time and time into the interview once saved.
    box = panel.get_by_role("textbox", name="Private note on step 1")
    box.fill(NOTE)
    box.press("Enter")
    saved_note = panel.locator("li[data-note-id]", has_text=NOTE)
    saved_note.wait_for()
    assert box.input_value() == ""
    assert saved_note.locator(".ml-ip-note__elapsed").inner_text()

    # Another step through its tab.
    panel.get_by_role("tab", name="3").click()
    panel.get_by_role("textbox", name="Private note on step 3").fill("Feature store named, shared by both lanes")
    panel.get_by_role("textbox", name="Private note on step 3").press("Enter")
    panel.locator("li[data-note-id]", has_text="Feature store named").wait_for()

    assert dict(CriterionCheck.objects.values_list("criterion_id", "met")) == {met.pk: True, missed.pk: False}
    assert sorted(InterviewerNote.objects.values_list("step__number", "text")) == [
        (1, NOTE),
        (3, "Feature store named, shared by both lanes"),
    ]

    # Reload: everything comes back from the server, on the current step's tab.
    page.reload()
    wait_for_panel(page)
    panel = page.locator(PANEL)
    assert panel.get_by_role("checkbox", name=met.title).is_checked()
    assert not panel.get_by_role("checkbox", name=missed.title).is_checked()
    assert panel.get_by_role("button", name=f"Not met: {missed.title}").get_attribute("aria-pressed") == "true"
    panel.locator("li[data-note-id]", has_text=NOTE).wait_for()
    assert panel.locator(".ml-ip__tab-count").first.inner_text() == "1"

    # The candidate's room, open at the same time, has no panel and no trace of the notes.
    theirs = new_page()
    log_in(theirs, base, candidate, password)
    open_room(theirs, base, interview)
    theirs.locator(".ml-chat").wait_for()
    assert theirs.locator(PANEL).count() == 0
    assert theirs.evaluate("() => window.mocklane.config.panel === undefined")
    html = theirs.content()
    assert NOTE not in html and "Feature store named" not in html
    refused = theirs.evaluate(
        """async (url) => (await fetch(url, {headers: {Accept: "application/json"}})).status""",
        reverse("api_interview_panel", args=[interview.pk]),
    )
    assert refused == 403

    # The interviewer keeps writing while the candidate is in the room: nothing shows up there.
    box = page.locator(PANEL).get_by_role("textbox", name="Private note on step 1")
    box.fill("Second note, still private")
    box.press("Enter")
    page.locator(PANEL).locator("li[data-note-id]", has_text="Second note").wait_for()
    theirs.wait_for_function("() => window.mocklane.room.getState().connection === 'connected'")
    assert "Second note" not in theirs.content()
