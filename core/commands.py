"""Management commands that call services: a service's refusal is a ``CommandError``, never a traceback.

Services raise ``core.errors`` (see there); a command built on ``ServiceCommand``
reports one as Django reports any ``CommandError``: the message on stderr and
exit status 1 (``call_command`` raises it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError, Invalid, flatten


def command_error(error: DomainError, option_names: Mapping[str, str]) -> CommandError:
    """The ``CommandError`` telling ``error``: its message, or each field's messages after the field's name.

    A field the command takes as an option is named as the operator typed it
    (``option_names``: ``{"days": "--days"}``).
    """
    if not isinstance(error, Invalid):
        return CommandError(str(error))
    lines = []
    for field, problems in error.errors.items():
        name = option_names.get(field, field)
        lines += [message if field == "non_field_errors" else f"{name}: {message}" for message in flatten(problems)]
    return CommandError(" ".join(lines))


class ServiceCommand(BaseCommand):
    """A command that calls services: their ``DomainError`` becomes a ``CommandError`` (see ``command_error``)."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except DomainError as error:
            raise command_error(error, self.option_names()) from error

    def option_names(self) -> dict[str, str]:
        """The command's own options (not Django's common ones) by destination: ``{"days": "--days"}``."""
        parser = CommandParser()
        self.add_arguments(parser)
        return {action.dest: max(action.option_strings, key=len) for action in parser._actions if action.option_strings}
