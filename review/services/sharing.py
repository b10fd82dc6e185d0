"""Writes for review share links: the candidate makes read-only links to their review and revokes
them. Only the candidate decides who else reads it."""

import secrets

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError
from interview.lifecycle import interview_has_started

from ..models import ReviewShare

MAX_LABEL = 80
MAX_ACTIVE_SHARES = 20


def _only_the_candidate(interview, user) -> None:
    if user is None or user.pk != interview.candidate_id:
        raise ApplicationError("Only the candidate can share this review.", code="forbidden", status=403)


def new_share_token() -> str:
    return secrets.token_urlsafe(24)


@transaction.atomic
def review_share_create(*, interview, user, label: str = "", share_audio: bool = False) -> ReviewShare:
    """A read-only link; `share_audio` lets its holder hear the recording too (never by default)."""
    _only_the_candidate(interview, user)
    if not interview_has_started(interview):
        raise ApplicationError(
            "The review can be shared once the interview has started.", code="not_started", status=409
        )
    label = (label or "").strip()
    if len(label) > MAX_LABEL:
        raise ApplicationError(f"The label can be at most {MAX_LABEL} characters.", code="invalid")
    active = ReviewShare.objects.select_for_update().filter(interview=interview, revoked_at__isnull=True)
    if len(active) >= MAX_ACTIVE_SHARES:
        raise ApplicationError(
            f"You already have {MAX_ACTIVE_SHARES} working links; revoke one you no longer need first.",
            code="too_many",
            status=409,
        )
    return ReviewShare.objects.create(
        interview=interview, created_by=user, token=new_share_token(), label=label, share_audio=bool(share_audio)
    )


@transaction.atomic
def review_share_revoke(*, interview, user, share_id: int) -> ReviewShare:
    """Revoke one of this interview's links; the link stops working at once. Revoking twice is fine."""
    _only_the_candidate(interview, user)
    share = ReviewShare.objects.select_for_update().filter(pk=share_id, interview=interview).first()
    if share is None:
        raise ApplicationError("No such link for this review.", code="not_found", status=404)
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
    return share
