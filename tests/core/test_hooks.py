"""The one shape of every extension point: registered once, called in order, and the app hooks
wired by `ready` are the real implementations."""

from core.hooks import Hook


def test_a_hook_keeps_each_implementation_once_in_registration_order():
    hook: Hook = Hook("things")

    def first():
        return 1

    def second():
        return 2

    assert hook.register(first) is first
    hook.register(second)
    hook.register(first)  # a repeated ready() changes nothing
    assert [f() for f in hook] == [1, 2]
    assert "2 registered" in repr(hook)


def test_iterating_is_a_snapshot_so_a_registration_during_a_call_is_safe():
    hook: Hook = Hook("things")
    hook.register(lambda: hook.register(lambda: None))
    for implementation in hook:
        implementation()
    assert len(list(hook)) == 2


def test_the_apps_register_their_implementations_at_start_up():
    from interview.hooks import interviewer_scores, profile_sections
    from review.selectors.feedback import interviewer_scores_for
    from review.selectors.scorecards import rubric_used_for_scoring
    from review.views.feedback import interviewer_record_section
    from rubrics.selectors.content import rubric_scored_checks
    from whiteboard.access import board_policies

    assert interviewer_scores_for in list(interviewer_scores)
    assert interviewer_record_section in list(profile_sections)
    assert rubric_used_for_scoring in list(rubric_scored_checks)
    assert len(list(board_policies)) == 1
