"""Writes for profiles: what peers see, the time zone everything is shown in, the calendar feed token."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.errors import ApplicationError
from rubrics.models import Problem

from ..models import Profile, WeeklyAvailability, new_calendar_token
from ..zones import canonical_zone

MAX_LANGUAGES = 8
MAX_LANGUAGE_LENGTH = 40
MAX_FOCUS_PROBLEMS = 5
MAX_BIO = 600


def profile_ensure(*, user) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def _clean_languages(languages) -> list[str]:
    if not isinstance(languages, list | tuple) or not all(isinstance(item, str) for item in languages):
        raise ApplicationError("Languages must be a list of names, e.g. English, French.", code="invalid")
    cleaned: list[str] = []
    for item in languages:
        name = " ".join(item.split())
        if not name:
            continue
        if len(name) > MAX_LANGUAGE_LENGTH:
            raise ApplicationError(f"A language name is at most {MAX_LANGUAGE_LENGTH} characters.", code="invalid")
        if name.casefold() not in {known.casefold() for known in cleaned}:
            cleaned.append(name)
    if len(cleaned) > MAX_LANGUAGES:
        raise ApplicationError(f"List at most {MAX_LANGUAGES} languages.", code="invalid")
    return cleaned


def _focus_problems(problem_ids) -> list[Problem]:
    if not isinstance(problem_ids, list | tuple | set) or not all(
        isinstance(pk, int) and not isinstance(pk, bool) for pk in problem_ids
    ):
        raise ApplicationError("Focus problems must be a list of problem ids.", code="invalid")
    ids = set(problem_ids)
    if len(ids) > MAX_FOCUS_PROBLEMS:
        raise ApplicationError(f"Pick at most {MAX_FOCUS_PROBLEMS} focus problems.", code="invalid")
    problems = list(Problem.objects.filter(pk__in=ids, is_active=True))
    if len(problems) != len(ids):
        raise ApplicationError("Some of those focus problems are not in the problem bank.", code="invalid")
    return problems


@transaction.atomic
def profile_update(
    *,
    user,
    display_name: str,
    time_zone: str,
    target_role: str | None = None,
    level: str | None = None,
    languages: list[str] | None = None,
    bio: str | None = None,
    focus_problem_ids: list[int] | None = None,
) -> Profile:
    """Update the profile; fields passed as None stay as they are.

    Changing the time zone moves the weekly availability with it: a Tuesday 18:00 window stays
    Tuesday 18:00 on the person's new local clock."""
    zone = canonical_zone(time_zone)
    if zone is None:
        raise ValidationError(
            f"{str(time_zone)[:64]!r} is not a known time zone; pick a place, e.g. Europe/Paris or Asia/Kolkata."
        )
    time_zone = zone
    if target_role is not None and target_role not in ("", *Profile.TargetRole.values):
        raise ApplicationError("Pick a target role from the list.", code="invalid")
    if level is not None and level not in ("", *Profile.Level.values):
        raise ApplicationError("Pick a level from the list.", code="invalid")
    if bio is not None and (not isinstance(bio, str) or len(bio.strip()) > MAX_BIO):
        raise ApplicationError(f"The bio is limited to {MAX_BIO} characters.", code="invalid")
    if not isinstance(display_name, str) or len(display_name.strip()) > 60:
        raise ApplicationError("The public name is limited to 60 characters.", code="invalid")
    problems = _focus_problems(focus_problem_ids) if focus_problem_ids is not None else None
    cleaned_languages = _clean_languages(languages) if languages is not None else None

    profile = profile_ensure(user=user)
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    fields = ["display_name", "time_zone"]
    profile.display_name = display_name.strip()
    if profile.time_zone != time_zone:
        WeeklyAvailability.objects.filter(user=user).update(time_zone=time_zone)
    profile.time_zone = time_zone
    for name, value in (("target_role", target_role), ("level", level), ("languages", cleaned_languages)):
        if value is not None:
            setattr(profile, name, value)
            fields.append(name)
    if bio is not None:
        profile.bio = bio.strip()
        fields.append("bio")
    profile.save(update_fields=fields)
    if problems is not None:
        profile.focus_problems.set(problems)
    return profile


def profile_rotate_calendar_token(*, user) -> Profile:
    """Revoke the calendar feed address: the old one stops working at once, a new one replaces it."""
    profile = profile_ensure(user=user)
    profile.calendar_token = new_calendar_token()
    profile.save(update_fields=["calendar_token"])
    return profile
