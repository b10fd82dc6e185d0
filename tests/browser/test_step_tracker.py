"""The room's step tracker in a real browser: budgets scaled to the session's length, and a step
the interviewer moved on from shows the time it took beside its budget, for both people."""

import re

import pytest
from playwright.sync_api import expect

from interview.models import Interview

from .test_room import log_in, open_room

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def test_finished_steps_show_time_spent_beside_scaled_budgets(
    live_asgi_server, new_page, interview, interviewer, candidate, password
):
    Interview.objects.filter(pk=interview.pk).update(duration_minutes=30)  # a half of a swap
    base = live_asgi_server
    pages = {}
    for name, user in (("interviewer", interviewer), ("candidate", candidate)):
        page = new_page()
        log_in(page, base, user, password)
        open_room(page, base, interview)
        pages[name] = page
    steps = pages["interviewer"].locator(".ml-steps__list > li")
    expect(steps.nth(2)).to_contain_text("4 min")  # 8 minutes for 60, 4 for 30
    steps.nth(1).get_by_role("button").click()  # move to step 2
    for page in pages.values():
        spent = page.locator(".ml-steps__list > li").nth(0).get_by_test_id("step-spent")
        expect(spent).to_have_text(re.compile(r"^\d\d:\d\d spent / 3 min$"))
