"""Errors of the domain, raised by services and understood by every caller.

Services speak the domain, not HTTP: they raise these, the API maps them to
problem details in one place (``core.exceptions.problem_exception_handler``),
and the admin, management commands and tasks catch them as plain exceptions
and show ``str(error)`` or ``error.errors``.
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


class Invalid(DomainError):
    """Input the domain refuses. ``errors`` maps each field at fault to its messages (400)."""

    default_detail = "Invalid input."
    default_code = "invalid"

    def __init__(
        self,
        errors: Mapping[str, str | Sequence[str]] | str,
        *,
        code: str | None = None,
    ) -> None:
        if isinstance(errors, str):
            errors = {"non_field_errors": errors}
        self.errors: dict[str, list[str]] = {
            field: [messages] if isinstance(messages, str) else list(messages) for field, messages in errors.items()
        }
        first = next((messages[0] for messages in self.errors.values() if messages), None)
        super().__init__(first, code=code)


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
