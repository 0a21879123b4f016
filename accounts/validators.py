"""Validation rules for account fields, shared by the model, the API and the admin."""

from __future__ import annotations

import unicodedata
import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

# A username, unanchored: the validator, the model's constraint and `@mentions` (content.mentions) share it.
USERNAME_PATTERN = r"[A-Za-z0-9_]{3,30}"

username_validator = RegexValidator(
    regex=rf"^{USERNAME_PATTERN}\Z",
    message="Usernames are 3-30 characters: letters, digits and underscores.",
    code="invalid_username",
)

interest_validator = RegexValidator(
    regex=r"^[a-z0-9][a-z0-9_-]{0,39}\Z",
    message="Interests are 1-40 characters: lower-case letters, digits, '-' and '_'.",
    code="invalid_interest",
)


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _timezones():
        raise ValidationError(f"'{value}' is not a known IANA time zone.", code="invalid_timezone")


# Whitespace, and characters that render as nothing: controls and format characters (zero-width
# spaces and joiners, direction marks).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


class NotBlankPasswordValidator:
    """Refuses a password made only of whitespace or invisible characters (AUTH_PASSWORD_VALIDATORS)."""

    def validate(self, password: str, user: object = None) -> None:
        if all(char.isspace() or unicodedata.category(char) in _INVISIBLE_CATEGORIES for char in password):
            raise ValidationError(
                "This password is blank: it has only spaces or invisible characters.", code="password_blank"
            )

    def get_help_text(self) -> str:
        return "Your password must contain visible characters, not only spaces."
