"""The accounts app's background work (core.tasks): the mail it sends."""

from __future__ import annotations

import logging

from accounts.services.auth import password_reset_mail_send
from core.tasks import task

logger = logging.getLogger(__name__)


@task(name="accounts.tasks.send_password_reset")
def send_password_reset(user_id: int) -> None:
    """Emails ``user_id`` a password reset link, unless the account can no longer use one."""
    if not password_reset_mail_send(user_id=user_id):
        logger.info("No password reset mail for user %s: the account can no longer reset its password", user_id)
