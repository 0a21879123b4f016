"""Deleting one's own account: the row stays, anonymised and inactive, so others' references stay valid.

What goes, and when (all in one transaction, so a failure leaves the account as it was):

- here: email, username, names, bio, picture (its file once the transaction
  commits), time zone, country, settings, the hashed sign-up IP, the external
  identity link, staff rights and groups; the password becomes unusable; the
  interests are deleted; activity sessions keep only their times and counts
  (the metrics are counted from them) and lose their user agent and IP hash;
  every session is signed out (refresh tokens revoked; access tokens are
  refused as the user is inactive);
- in the apps above accounts, through ``accounts.account_hooks``: whatever
  each app registered (``social``: follows, mutes and blocks both ways;
  ``content``: posts and comments soft-deleted, likes, reposts, bookmarks,
  watchlist and uploaded images removed).
"""

from __future__ import annotations

import secrets

from django.db import transaction

from accounts import signals
from accounts.account_hooks import account_deletion_hooks_run
from accounts.models import User, UserInterest, UserSession
from accounts.services.auth import refresh_tokens_revoke_all
from accounts.services.pictures import profile_picture_delete
from core.errors import Invalid

DELETED_EMAIL_DOMAIN = "deleted.invalid"
WRONG_PASSWORD = "The password is not correct."


def _anonymise(user: User) -> None:
    # Random names: a deleted account's old name is free for others at once, and
    # nobody can take the placeholder ahead of time and make a deletion fail.
    user.email = f"{secrets.token_hex(12)}@{DELETED_EMAIL_DOMAIN}"
    user.username = f"deleted_{secrets.token_hex(8)}"
    user.display_name = ""
    user.bio = ""
    user.timezone = "UTC"
    user.country = ""
    user.signup_ip_hash = ""
    user.settings = {}
    user.external_subject = None
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()


@transaction.atomic
def account_delete(*, user: User, password: str) -> User:
    """Deletes ``user``'s account once ``password`` confirms it (else 400 naming ``password``).

    An account without a password of ours (made by the external identity
    provider) cannot confirm, so cannot be deleted this way.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.check_password(password):
        raise Invalid({"password": WRONG_PASSWORD})
    profile_picture_delete(user=locked)  # the file goes once the transaction commits
    _anonymise(locked)
    locked.save()
    locked.groups.clear()
    locked.user_permissions.clear()
    UserInterest.objects.filter(user=locked).delete()
    UserSession.objects.filter(user=locked).update(user_agent="", ip_hash="")
    refresh_tokens_revoke_all(user=locked)
    account_deletion_hooks_run(user=locked)
    signals.user_deactivated.send(User, user_id=locked.pk, reason="deleted")
    return locked
