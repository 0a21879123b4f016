"""Commands that call services report a refusal as a CommandError with the service's message."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import CommandParser

from core.commands import ServiceCommand
from core.errors import Conflict, Invalid
from metrics.services import MAX_REFRESH_DAYS, metrics_refresh
from polls.services import poll_clean


class PollCheck(ServiceCommand):
    """Checks a poll with the poll service: ``--duration-hours`` is an option, ``options`` is not."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("options", nargs="*")
        parser.add_argument("--duration-hours", type=int, default=24)

    def handle(self, *args: Any, options: list[str], duration_hours: int, **rest: Any) -> None:
        poll_clean(options=options, duration_hours=duration_hours)
        self.stdout.write("ok")


def test_a_field_the_command_takes_as_an_option_is_named_as_the_option():
    with pytest.raises(CommandError) as caught:
        call_command(PollCheck(), "Up", "Down", "--duration-hours=0")

    assert str(caught.value) == "--duration-hours: Must be a whole number of hours, 1-168."


def test_other_fields_keep_their_names_and_every_message_is_told():
    with pytest.raises(CommandError) as caught:
        call_command(PollCheck(), "Alone", "--duration-hours=0")

    assert str(caught.value) == (
        "options: A poll has 2 to 4 options. --duration-hours: Must be a whole number of hours, 1-168."
    )


def test_from_the_command_line_a_refusal_is_one_line_on_stderr_and_exit_status_1(capsys):
    with pytest.raises(SystemExit) as exited:
        PollCheck().run_from_argv(["manage.py", "poll_check", "Up", "up"])

    assert exited.value.code == 1
    assert capsys.readouterr().err == "CommandError: options: Options must differ from each other.\n"


def test_an_error_without_fields_is_its_message():
    class Clash(ServiceCommand):
        def handle(self, *args: Any, **options: Any) -> None:
            raise Conflict("This poll has closed.", code="poll_expired")

    with pytest.raises(CommandError, match=r"^This poll has closed\.$"):
        call_command(Clash())


def test_refresh_metrics_leaves_the_days_rule_to_its_service():
    with pytest.raises(Invalid) as caught:
        metrics_refresh(days=0)
    assert caught.value.errors == {"days": [f"Must be between 1 and {MAX_REFRESH_DAYS}."]}

    with pytest.raises(CommandError) as caught_command:
        call_command("refresh_metrics", f"--days={MAX_REFRESH_DAYS + 1}")
    assert str(caught_command.value) == f"--days: Must be between 1 and {MAX_REFRESH_DAYS}."
