"""Sign-up, sign-in tokens, passwords and external identities.

Services raise ``core.errors`` naming the offending field, so every caller (API,
admin, commands) reports the same refusal; simplejwt's ``TokenError`` never leaves
them. Tokens are simplejwt's; every refresh token we issue is recorded
(``OutstandingToken``) so it can be revoked; tokens name their sign-in session
(``accounts.tokens``) so one session can end.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import jwt
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.timezone import now
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch, get_md5_hash_password

from accounts.models import User
from accounts.tasks import send_password_reset
from accounts.tokens import SESSION_CLAIM, refresh_session_of, session_mark_ended, session_mark_restamped
from core.errors import Conflict, Forbidden, Invalid, NotAuthenticated
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


def _refresh_token_issue(*, user: User, session: str | None = None) -> RefreshToken:
    """A refresh token of ``session`` (None: a new session, named by this token's jti), recorded.

    Built like ``RefreshToken.for_user``, which records the token before a claim can be
    added: here the session is part of the recorded token, so a session's tokens can be
    found again (``_refresh_tokens_revoke``). Access tokens minted from it copy its claims.
    """
    token = RefreshToken()
    token[jwt_settings.USER_ID_CLAIM] = str(getattr(user, jwt_settings.USER_ID_FIELD))
    token[jwt_settings.REVOKE_TOKEN_CLAIM] = get_md5_hash_password(user.password)
    token[SESSION_CLAIM] = session or token[jwt_settings.JTI_CLAIM]
    token.outstand()
    return token


def _pair(refresh: RefreshToken) -> dict[str, str]:
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def token_pair_issue(*, user: User) -> dict[str, str]:
    """Signs in: a new session's refresh token (recorded, so it can be revoked) and its access token."""
    refresh = _refresh_token_issue(user=user)
    if jwt_settings.UPDATE_LAST_LOGIN:
        update_last_login(User, user)
    return _pair(refresh)


def _refresh_token_parse(raw: str) -> RefreshToken:
    """Checks signature, expiry, type and blacklist; raises ``TokenError``."""
    return RefreshToken(raw)  # type: ignore[arg-type]


class _UsedOrNotRefreshToken(RefreshToken):
    """Verified like a refresh token, except that a blacklisted one passes: ``token_refresh`` tells reuse."""

    def check_blacklist(self) -> None:
        return None


def token_refresh(*, refresh: str) -> dict[str, str]:
    """Rotates a refresh token: the old one is blacklisted, a new pair of the same session is issued.

    A refresh token used a second time (it was rotated already) means two parties hold the
    session: the whole session is revoked, its newest refresh token and its access tokens
    included (refresh token reuse detection, OAuth 2.0 Security BCP 4.14.2); the caller gets
    a 401 either way. The user's row is locked, so two rotations of one session never
    interleave: a token rotated twice at once is rotated once, and the second use is reuse.
    """
    try:
        token = _UsedOrNotRefreshToken(refresh)  # type: ignore[arg-type]
    except TokenError as exc:
        raise NotAuthenticated(f"{exc}.", code="token_not_valid") from exc
    with transaction.atomic():
        pair = _token_rotate(token)
    # Raised outside the transaction: the revocation of a reused token's session is committed.
    if pair is None:
        raise NotAuthenticated("Token is blacklisted.", code="token_not_valid")
    return pair


def _token_rotate(token: RefreshToken) -> dict[str, str] | None:
    """The new pair; None when the token was used already and its session has been revoked."""
    user = _token_user_lock(token)
    outstanding = OutstandingToken.objects.select_for_update().filter(jti=token[jwt_settings.JTI_CLAIM]).first()
    # Every refresh token we issue is recorded; an unrecorded one was not issued by us.
    if outstanding is None:
        raise NotAuthenticated("Token is blacklisted.", code="token_not_valid")
    if user is None or not user.in_good_standing:
        raise NotAuthenticated("No active account found for the given token.", code="no_active_account")
    session = refresh_session_of(token)
    if BlacklistedToken.objects.filter(token=outstanding).exists():
        revoked = _session_end(user=user, session=session)
        logger.warning(
            "refresh token reused: session revoked",
            extra={"user_id": user.pk, "session": session, "refresh_tokens_revoked": revoked},
        )
        return None
    BlacklistedToken.objects.create(token=outstanding)
    return _pair(_refresh_token_issue(user=user, session=session))


def _token_user_lock(token: RefreshToken) -> User | None:
    # Every change to a user's sessions locks the user's row first: rotation, sign-out and
    # reuse of one session never interleave (and never deadlock on the token rows).
    return User.objects.select_for_update().filter(pk=token.get(jwt_settings.USER_ID_CLAIM)).first()


def _session_end(*, user: User, session: str) -> int:
    """Revokes the session's live refresh tokens and refuses its access tokens; returns how many tokens."""
    revoked = _refresh_tokens_revoke(user=user, sessions=lambda sid: sid == session)
    session_mark_ended(session)
    return revoked


class _IssuedRefreshToken(RefreshToken):
    """A refresh token we signed, whatever became of it since: rotated, signed out or expired.

    Its signature, type and id are checked, so a forged or garbled token is refused
    (``TokenError``); its expiry and the blacklist are not: its claims, the session
    (``sid``) and the user included, are ours whatever its age.
    """

    def __init__(self, token: str) -> None:
        backend = self.get_token_backend()
        try:
            jwt.decode(
                token,
                backend.get_verifying_key(token),  # type: ignore[arg-type]
                algorithms=[backend.algorithm],
                audience=backend.audience,
                issuer=backend.issuer,
                options={"verify_aud": backend.audience is not None, "verify_exp": False, "require": ["exp"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenError("Token is invalid") from exc
        super().__init__(token, verify=False)  # type: ignore[arg-type]
        if jwt_settings.JTI_CLAIM not in self.payload:
            raise TokenError("Token has no id")
        self.verify_token_type()


def token_revoke(*, user: User, refresh: str) -> None:
    """Signs one session out: its refresh and access tokens stop working. Refuses other users' tokens (403).

    Any refresh token of the session names it, and ends it whatever became of that token: the
    newest, one rotated away or already signed out (whoever holds a newer token of the session
    is then not the client signing out, which is one more reason to end it), an expired one.
    Only a token we did not sign is refused (400).
    """
    try:
        token = _IssuedRefreshToken(refresh)
    except TokenError as exc:
        raise Invalid({"refresh": [f"{exc}."]}) from exc
    if str(token.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
        raise Forbidden("This refresh token belongs to another user.")
    with transaction.atomic():
        _token_user_lock(token)
        if datetime_from_epoch(token["exp"]) > now():
            token.outstand()  # an unrecorded live one is recorded, so that it is blacklisted below
        _session_end(user=user, session=refresh_session_of(token))


def _session_of_recorded(outstanding: OutstandingToken) -> str:
    # Our own recorded token; its signature was checked when it was used.
    try:
        return refresh_session_of(RefreshToken(outstanding.token, verify=False))  # type: ignore[arg-type]
    except TokenError:
        return outstanding.jti


def _refresh_tokens_revoke(*, user: User, sessions: Callable[[str], bool] | None = None) -> int:
    """Blacklists the user's live refresh tokens (of the sessions ``sessions`` picks); returns how many."""
    live = OutstandingToken.objects.filter(user=user, expires_at__gt=now(), blacklistedtoken__isnull=True)
    doomed = [outstanding for outstanding in live if sessions is None or sessions(_session_of_recorded(outstanding))]
    revoked = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=outstanding) for outstanding in doomed],
        ignore_conflicts=True,
    )
    return len(revoked)


def refresh_tokens_revoke_all(*, user: User, keep_session: str | None = None) -> int:
    """Blacklists every live refresh token of the user (but those of ``keep_session``); returns how many."""
    if keep_session is None:
        return _refresh_tokens_revoke(user=user)
    return _refresh_tokens_revoke(user=user, sessions=lambda sid: sid != keep_session)


# Accounts.


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
        try:
            token = _refresh_token_parse(keep_refresh)
        except TokenError as exc:
            raise Invalid({"refresh": [f"{exc}."]}) from exc
        if str(token.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
            raise Invalid({"refresh": ["This refresh token belongs to another user."]})
        if session is not None and refresh_session_of(token) != session:
            raise Invalid({"refresh": ["This refresh token is not this session's."]})
        session = refresh_session_of(token)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    refresh_tokens_revoke_all(user=user, keep_session=session)
    if session is not None:
        # Set before the commit: were it rolled back, the stamp of a password never saved matches nothing.
        session_mark_restamped(session, stamp=get_md5_hash_password(user.password))


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
