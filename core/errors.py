"""Errors of the domain, raised by services and understood by every caller.

Services speak the domain, not HTTP: they raise these, the API maps them to
problem details in one place (``core.exceptions.problem_exception_handler``),
and the admin, management commands and tasks catch them as plain exceptions
and show ``str(error)``, ``error.messages()`` or ``error.errors``.
"""

# ruff: noqa: N818  (the names read as what happened, as DRF's and Django's do: `raise NotFound(...)`)

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    """Base class: a message for people and a stable machine-readable ``code``."""

    default_detail = "The request cannot be carried out."
    default_code = "error"

    def __init__(self, detail: str | None = None, *, code: str | None = None) -> None:
        self.detail = detail or self.default_detail
        self.code = code or self.default_code
        super().__init__(self.detail)

    def messages(self) -> list[str]:
        """What to tell a person (the admin shows each, a command prints them)."""
        return [self.detail]


# A field's messages, or, for a field holding an object (a post's ``poll``), its own fields' messages.
FieldErrors = Mapping[str, "str | Sequence[str] | FieldErrors"]
ErrorTree = dict[str, "list[str] | ErrorTree"]


def _messages(value: str | Sequence[str] | FieldErrors) -> list[str] | ErrorTree:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return {field: _messages(messages) for field, messages in value.items()}
    return list(value)


class Invalid(DomainError):
    """Input the domain refuses. ``errors`` maps each field at fault to its messages (400).

    A field holding an object maps to its own fields' messages:
    ``Invalid({"poll": {"options": ["Two options at least."]}})``.
    """

    default_detail = "Invalid input."
    default_code = "invalid"

    def __init__(self, errors: FieldErrors | str, *, code: str | None = None) -> None:
        if isinstance(errors, str):
            errors = {"non_field_errors": errors}
        self.errors: ErrorTree = {field: _messages(messages) for field, messages in errors.items()}
        super().__init__(next(iter(flatten(self.errors)), None), code=code)

    def messages(self) -> list[str]:
        """Every message, field after field."""
        return flatten(self.errors)


def flatten(errors: list[str] | ErrorTree) -> list[str]:
    """The messages of a field (or of all fields), nested objects' included, in order."""
    if isinstance(errors, list):
        return list(errors)
    return [message for messages in errors.values() for message in flatten(messages)]


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it does (404)."""

    default_detail = "Not found."
    default_code = "not_found"


class Forbidden(DomainError):
    """The actor is known and may not do this (403)."""

    default_detail = "You do not have permission to perform this action."
    default_code = "permission_denied"


class NotAuthenticated(DomainError):
    """Credentials are missing, wrong or expired (401)."""

    default_detail = "Incorrect authentication credentials."
    default_code = "authentication_failed"


class Conflict(DomainError):
    """The request clashes with the current state: a duplicate, an expired or used token, a taken name (409)."""

    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class RateLimited(DomainError):
    """Too many attempts; ``wait`` is the number of seconds until the next one may succeed (429)."""

    default_detail = "Request was throttled."
    default_code = "throttled"

    def __init__(self, detail: str | None = None, *, wait: float | None = None, code: str | None = None) -> None:
        self.wait = wait
        super().__init__(detail, code=code)
