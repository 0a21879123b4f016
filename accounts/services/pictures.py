"""Profile pictures: set and remove, keeping storage and the database in step.

Every picture gets a fresh name (``profile-pictures/<user id>/<uuid>.<ext>``),
so a CDN or browser cache never serves a stale one. The new file is written
before the transaction (no database locks held across a slow upload) and the
old one is deleted on the task queue once the transaction commits (not in the
request: a storage round trip the answer need not wait for): a rollback leaves the
user with a picture that still exists. The user row is locked while its
picture is swapped, so two concurrent uploads each delete the one they
replaced and leave no orphan behind.
"""

from __future__ import annotations

import logging
import uuid
from typing import IO

from django.core.files.base import File
from django.db import transaction
from django.db.models.fields.files import FileField

from accounts.models import User
from accounts.tasks import delete_stored_picture
from core.images import process_profile_picture
from core.tasks import enqueue

logger = logging.getLogger(__name__)


def profile_picture_set(*, user: User, upload: File | IO[bytes]) -> User:
    """Validate, re-encode and store ``upload`` as the user's picture; raises ``InvalidImageError``."""
    image = process_profile_picture(upload)
    field = _picture_field()
    name = field.generate_filename(user, f"{user.pk}/{uuid.uuid4().hex}.{image.extension}")
    name = field.storage.save(name, image.as_file(name), max_length=field.max_length)
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().only("pk", "profile_picture").get(pk=user.pk)
            replaced = locked.profile_picture.name
            locked.profile_picture.name = name
            locked.save(update_fields=["profile_picture", "updated_at"])
            if replaced:
                enqueue(delete_stored_picture, name=replaced)
    except BaseException:
        _delete_stored_picture(name)
        raise
    user.profile_picture.name = name
    user.updated_at = locked.updated_at
    return user


def profile_picture_delete(*, user: User) -> None:
    """Remove the user's picture, if any; the file goes on the task queue once the transaction commits."""
    with transaction.atomic():
        locked = User.objects.select_for_update().only("pk", "profile_picture").get(pk=user.pk)
        replaced = locked.profile_picture.name
        if replaced:
            locked.profile_picture.name = ""
            locked.save(update_fields=["profile_picture", "updated_at"])
            enqueue(delete_stored_picture, name=replaced)
            user.updated_at = locked.updated_at
    user.profile_picture.name = ""


def _picture_field() -> FileField:
    field = User._meta.get_field("profile_picture")
    assert isinstance(field, FileField)
    return field


def stored_picture_delete(name: str) -> None:
    """Deletes a picture no user points at any more (``accounts.tasks.delete_stored_picture``); never raises."""
    _delete_stored_picture(name)


def _delete_stored_picture(name: str) -> None:
    # The database no longer points at it; a file left behind costs a few KB, an error here would cost the request.
    try:
        _picture_field().storage.delete(name)
    except Exception:
        logger.exception("Could not delete the profile picture %s from storage", name)
