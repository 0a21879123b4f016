"""Management commands that call services: a service's refusal is a ``CommandError``, never a traceback.

Services raise ``core.errors`` (see there); a command built on ``ServiceCommand``
reports one as Django reports any ``CommandError``: the message on stderr and
exit status 1 (``call_command`` raises it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError, Invalid, flatten


def command_error(error: DomainError, options: Mapping[str, Any]) -> CommandError:
    """The ``CommandError`` telling ``error``: its message, or each field's messages after the field's name.

    A field the command takes as an option (a key of ``options``) is named as that
    option (``days`` → ``--days``), the way the operator typed it.
    """
    if not isinstance(error, Invalid):
        return CommandError(str(error))
    lines = []
    for field, problems in error.errors.items():
        name = f"--{field.replace('_', '-')}" if field in options else field
        lines += [message if field == "non_field_errors" else f"{name}: {message}" for message in flatten(problems)]
    return CommandError(" ".join(lines))


class ServiceCommand(BaseCommand):
    """A command that calls services: their ``DomainError`` becomes a ``CommandError`` (see ``command_error``)."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except DomainError as error:
            raise command_error(error, options) from error
