"""Sign-up, sign-in tokens, passwords and external identities.

Services raise ``core.errors`` naming the offending field, so every caller (API,
admin, commands) reports the same refusal. The tokens themselves (issuing,
rotating, revoking; simplejwt underneath) are ``accounts.tokens``, which speaks the
same errors; the token services are re-exported here for the API.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import User
from accounts.tasks import send_password_reset
from accounts.tokens import (
    password_stamp,
    refresh_token_session,
    refresh_tokens_revoke_all,
    session_mark_restamped,
    token_pair_issue,
    token_refresh,
    token_revoke,
)
from core.errors import Conflict, Invalid, NotAuthenticated
from core.ids import is_id
from core.net import hash_ip
from core.tasks import enqueue
from core.textnorm import text_normalise, visible_text

logger = logging.getLogger(__name__)

EXTERNAL_EMAIL_DOMAIN = "users.external.invalid"
PASSWORD_RESET_PATH = "/reset-password"
BAD_CREDENTIALS = "No active account found with the given email and password."
_SAFE_EMAIL_LOCAL = re.compile(r"^[A-Za-z0-9_.-]{1,64}\Z")


def _check_password(password: str, *, user: User, field: str) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise Invalid({field: list(exc.messages)}) from exc


# Tokens.


@transaction.atomic
def user_register(
    *,
    email: str,
    username: str,
    password: str,
    display_name: str = "",
    ip: str | None = None,
) -> User:
    """Creates a member. Taken email or username (ignoring case) is decided by the database constraints."""
    email = User.objects.normalize_email(email).lower()
    display_name = visible_text(display_name, field="display_name")
    user = User(email=email, username=username, display_name=display_name)
    _check_password(password, user=user, field="password")
    user.set_password(password)
    if ip:
        user.signup_ip_hash = hash_ip(ip)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        # The savepoint rolled back; the rows we clashed with are committed and visible now.
        errors: dict[str, list[str]] = {}
        if User.objects.filter(email__iexact=email).exists():
            errors["email"] = ["An account with this email already exists."]
        if User.objects.filter(username__iexact=username).exists():
            errors["username"] = ["This username is taken."]
        raise Invalid(errors or "Could not create the account; try again.") from exc
    return user


def user_login(*, email: str, password: str, request: HttpRequest | None = None) -> User:
    """The user these credentials belong to; unknown email, wrong password and suspension look alike (401)."""
    user = authenticate(request, email=email, password=password)
    if not isinstance(user, User) or not user.in_good_standing:
        raise NotAuthenticated(BAD_CREDENTIALS, code="no_active_account")
    return user


# Passwords.


@transaction.atomic
def password_change(
    *,
    user: User,
    old_password: str,
    new_password: str,
    session: str | None = None,
    keep_refresh: str | None = None,
) -> None:
    """Changes the password and signs every other session out.

    ``session`` is the caller's (its access token's ``sid``): it stays signed in, its
    refresh and access tokens keep working. Every other session's refresh tokens are
    revoked and their access tokens, stamped with the old password, are refused.
    ``keep_refresh``, the caller's refresh token, names the session to keep when the
    access token has none; it must be the user's and of this session.
    """
    if not user.check_password(old_password):
        raise Invalid({"old_password": ["The current password is not correct."]})
    _check_password(new_password, user=user, field="new_password")
    if keep_refresh:
        session = refresh_token_session(keep_refresh, user=user, session=session)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    refresh_tokens_revoke_all(user=user, keep_session=session)
    if session is not None:
        # Set before the commit: were it rolled back, the stamp of a password never saved matches nothing.
        session_mark_restamped(session, stamp=password_stamp(user))


def password_reset_link(*, user: User) -> str:
    query = urlencode(
        {
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        }
    )
    return f"{settings.FRONTEND_URL}{PASSWORD_RESET_PATH}?{query}"


def password_reset_mail_send(*, user_id: int) -> bool:
    """Emails ``user_id`` a fresh reset link (the ``accounts.tasks.send_password_reset`` task); False when
    the account can no longer use one (suspended, deleted or without a password since the request).

    Mail errors are raised, for the task to retry. The link is made here, not in the request: a token
    never travels through the broker or its logs. A retry may send a second link; each works once.
    """
    user = User.objects.in_good_standing().filter(pk=user_id).first()
    if user is None or not user.has_usable_password():
        return False
    send_mail(
        subject="Reset your PageShare password",
        message=(
            "Someone asked to reset the password of your PageShare account.\n\n"
            f"To choose a new password, open this link:\n{password_reset_link(user=user)}\n\n"
            "The link works once. If you did not ask for it, ignore this email: "
            "your password stays the same.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )
    return True


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Emails a reset link (on the task queue, once this commits) if an active account with a password
    has this email; silent otherwise. The answer takes as long either way: no mail server in the request."""
    user = User.objects.in_good_standing().filter(email__iexact=email.strip()).first()
    if user is None or not user.has_usable_password():
        return
    enqueue(send_password_reset, user_id=user.pk)


def _user_from_uid(uid: str) -> User | None:
    try:
        pk = int(urlsafe_base64_decode(uid).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    if not is_id(pk):
        return None
    return User.objects.in_good_standing().select_for_update().filter(pk=pk).first()


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Sets a new password from a reset link. The token works once: it hashes the old password."""
    # The row lock makes a second use of the same token wait, then see the new password.
    user = _user_from_uid(uid)
    if user is None:
        raise Invalid({"uid": ["This reset link is invalid."]})
    if not default_token_generator.check_token(user, token):
        raise Invalid({"token": ["This reset link is invalid or has expired."]})
    _check_password(new_password, user=user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    # Whoever knew the old password is signed out everywhere: refresh tokens revoked, and
    # access tokens refused as they carry the old password's stamp.
    refresh_tokens_revoke_all(user=user)
    return user


# External identities.


def _external_email(subject: str, claimed: str | None) -> str:
    """The claimed email when valid and free, else a placeholder that can never receive mail."""
    if claimed:
        email = User.objects.normalize_email(claimed.strip()).lower()
        try:
            validate_email(email)
        except DjangoValidationError:
            email = ""
        if email and len(email) <= 254 and not User.objects.filter(email__iexact=email).exists():
            return email
    local = subject if _SAFE_EMAIL_LOCAL.match(subject) else hashlib.sha256(subject.encode()).hexdigest()[:40]
    return f"{local}@{EXTERNAL_EMAIL_DOMAIN}"


def _external_username(email: str, *, force_suffix: bool) -> str:
    base = re.sub(r"[^A-Za-z0-9_]", "_", email.partition("@")[0])[:20]
    if len(base) < 3 or email.endswith(f"@{EXTERNAL_EMAIL_DOMAIN}"):
        base = "user"
    if force_suffix or User.objects.filter(username__iexact=base).exists():
        return f"{base}_{secrets.token_hex(3)}"
    return base


@transaction.atomic
def external_user_get_or_create(
    *,
    subject: str,
    email: str | None = None,
    display_name: str | None = None,
) -> User:
    """The user an external provider's ``sub`` names, created on first sight.

    Race-safe: the unique constraint on ``external_subject`` decides, and a
    concurrent creation of the same subject returns that user. A claimed email
    that is already taken is not linked (the provider may not verify emails).
    """
    attempts = 3
    for attempt in range(attempts):
        claimed = email if attempt < attempts - 1 else None
        user_email = _external_email(subject, claimed)
        if attempt == attempts - 1:
            local, _, domain = user_email.partition("@")
            user_email = f"{local[:50]}.{secrets.token_hex(4)}@{domain}"
        defaults: dict[str, Any] = {
            "email": user_email,
            "username": _external_username(user_email, force_suffix=attempt > 0),
            "display_name": text_normalise(display_name or "")[:50],
            "onboarded": False,
            # Unusable: these users sign in with the provider, never with a password of ours.
            "password": make_password(None),
        }
        try:
            user, _ = User.objects.get_or_create(external_subject=subject, defaults=defaults)
        except IntegrityError:
            # The email or username was taken meanwhile (a clash on the subject itself
            # would have returned that user): try again with fresh ones.
            continue
        return user
    raise Conflict("Could not create an account for this identity; try again.")


__all__ = [
    "password_change",
    "refresh_tokens_revoke_all",
    "token_pair_issue",
    "token_refresh",
    "token_revoke",
    "user_login",
    "user_register",
]
