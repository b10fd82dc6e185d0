"""Signals of the interview app: `interview_ended`, `speech_transcribed`, a profile for each new user, and closing a
user's sockets when their session ends (logout, password change, deactivation, deletion)."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver

from core.sockets import end_user_sockets

from .models import AudioChunk, Profile

# Sent by `interview_end` inside its transaction, with `interview=`; receivers that queue work should
# do it on commit. The review app queues the evidence finder on it.
interview_ended = Signal()

# Sent when a recorded chunk's speech segments are stored, with `interview_id=`; the review app
# runs the evidence finder again for an interview that has already ended.
speech_transcribed = Signal()

# A change to either of these ends the user's sessions (Django compares the password hash on
# every request; an inactive user cannot authenticate), so it closes their open sockets too.
SESSION_FIELDS = ("password", "is_active")


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="interview_profile_for_new_user")
def create_profile(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        Profile.objects.get_or_create(user=instance)


@receiver(user_logged_out, dispatch_uid="sockets_close_on_logout")
def close_sockets_on_logout(sender, request, user, **kwargs):
    if user is not None:
        _close_sockets_on_commit(user.pk)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="sockets_note_session_field_change")
def note_session_field_change(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._ends_sessions = False
    if raw or instance._state.adding:
        return
    if update_fields is not None and not set(SESSION_FIELDS).intersection(update_fields):
        return  # e.g. last_login on every login: no query
    stored = sender._default_manager.filter(pk=instance.pk).values_list(*SESSION_FIELDS).first()
    instance._ends_sessions = stored is not None and stored != tuple(getattr(instance, f) for f in SESSION_FIELDS)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="sockets_close_on_session_field_change")
def close_sockets_on_session_field_change(sender, instance, raw=False, **kwargs):
    if getattr(instance, "_ends_sessions", False):
        instance._ends_sessions = False
        _close_sockets_on_commit(instance.pk)


@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="sockets_close_on_user_delete")
def close_sockets_on_user_delete(sender, instance, **kwargs):
    _close_sockets_on_commit(instance.pk)


@receiver(post_delete, sender=AudioChunk, dispatch_uid="audio_chunk_delete_file")
def delete_audio_file(sender, instance, **kwargs):
    """A chunk's audio goes with its row: deleted by the candidate, by retention, or with the
    account or interview (cascades send this too). Removed once the deletion commits."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _close_sockets_on_commit(user_id: int) -> None:
    transaction.on_commit(lambda: end_user_sockets(user_id))
