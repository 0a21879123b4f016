"""The accounts app's background work (core.tasks): the mail it sends, the pictures it deletes.

The services send these tasks, so each task imports its service when it runs.
"""

from __future__ import annotations

import logging

from core.tasks import task

logger = logging.getLogger(__name__)


@task(name="accounts.tasks.send_password_reset")
def send_password_reset(user_id: int) -> None:
    """Emails ``user_id`` a password reset link, unless the account can no longer use one."""
    from accounts.services.auth import password_reset_mail_send

    if not password_reset_mail_send(user_id=user_id):
        logger.info("No password reset mail for user %s: the account can no longer reset its password", user_id)


@task(name="accounts.tasks.delete_stored_picture")
def delete_stored_picture(name: str) -> None:
    """Deletes a replaced or removed profile picture from storage (idempotent: a missing file is no error)."""
    from accounts.services.pictures import stored_picture_delete

    stored_picture_delete(name)
