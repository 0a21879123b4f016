"""The digest's one-click unsubscribe token: the user's id, signed (``django.core.signing``) with its own salt.

No expiry: a digest read months later must still unsubscribe. The salt keeps
the token from being accepted anywhere else a signed value is.
"""

from __future__ import annotations

from django.core import signing

from core.errors import Invalid

SALT = "notifications.unsubscribe"
BAD_TOKEN = "This unsubscribe link is not valid."


def unsubscribe_token(user_id: int) -> str:
    return signing.dumps({"u": user_id}, salt=SALT, compress=True)


def unsubscribe_user_id(token: str | None) -> int:
    """The user a token names; ``Invalid`` naming ``token`` when it is missing, altered or not ours."""
    try:
        value = signing.loads(token or "", salt=SALT)
        return int(value["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Invalid({"token": [BAD_TOKEN]}) from None
