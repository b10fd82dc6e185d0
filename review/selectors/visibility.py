"""Who sees what in a review: the one rule the review page, the exports and the APIs all read.

Audiences: the interview's "interviewer", its "candidate", "shared" (anyone holding one of the
candidate's share links) and None (anyone else, who sees nothing). The candidate controls what is
shared, so a share reader sees nothing the candidate would not have chosen to show: no drafts, no
private notes, and nothing from before the scorecard is submitted, their self-assessment included."""

from dataclasses import dataclass, fields
from typing import Literal

from interview.models import Interview

from ..models import Scorecard

Audience = Literal["interviewer", "candidate", "shared"]


@dataclass(frozen=True)
class ReviewVisibility:
    review: bool  # may open the review at all; False means refused
    transcript: bool  # the chat and step changes, the board and its replay
    scores: bool  # the interviewer's levels, step notes, recommendation and summary (drafts for the interviewer)
    criterion_ticks: bool  # which criteria the interviewer ticked as met or not met
    evidence: bool  # the evidence finder's suggested levels and the evidence behind them
    self_assessment: bool  # the candidate's own levels and notes
    private_notes: bool  # the interviewer's timestamped notes
    share_controls: bool  # making and revoking share links
    exports: bool  # Markdown, PDF and the board as SVG and PNG
    interviewer_feedback: bool  # the candidate's ratings of the interviewer and their note
    submitted: bool  # the scorecard is submitted (the scores shown are final, not a draft)
    audio: bool = False  # the recorded audio: the two participants; a share's holder only if the candidate chose it


NOTHING = ReviewVisibility(**{f.name: False for f in fields(ReviewVisibility)})


def review_visibility(*, interview, audience: Audience | None, share=None) -> ReviewVisibility:
    """What `audience` may see of `interview`'s review. The caller has already checked that the
    reader is who they say (a participant of the interview, or the holder of a working link,
    `share`). Exports carry the transcript, never the audio."""
    if audience not in ("interviewer", "candidate", "shared"):
        return NOTHING
    submitted = Scorecard.objects.filter(interview_id=interview.pk, status=Scorecard.Status.SUBMITTED).exists()
    interviewer = audience == "interviewer"
    candidate = audience == "candidate"
    return ReviewVisibility(
        review=True,
        transcript=True,
        scores=interviewer or submitted,
        criterion_ticks=interviewer or submitted,
        evidence=interviewer or submitted,
        # The interviewer waits for their own scorecard, so it cannot anchor their judgement.
        self_assessment=candidate or submitted,
        private_notes=interviewer,
        share_controls=candidate,
        exports=interviewer or candidate,
        # Given once the interview has ended; blind both ways: the interviewer reads the
        # candidate's rating of them only after scoring.
        interviewer_feedback=interview.status == interview.Status.COMPLETED
        and (candidate or (interviewer and submitted)),
        submitted=submitted,
        audio=interviewer or candidate or bool(audience == "shared" and share is not None and share.share_audio),
    )


def reference_design_visible(*, interview, audience: Audience | None) -> bool:
    """Whether the review shows the problem's reference design: to the interviewer and the
    candidate, once the interview has ended (never while it runs, so it cannot prompt the answer).
    Not to share-link readers: it is the problem bank's interviewer material, not the candidate's."""
    return audience in ("interviewer", "candidate") and interview.status == Interview.Status.COMPLETED
