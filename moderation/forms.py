"""Forms of the moderation pages in the admin."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from moderation.models import Reason, ReportStatus, TargetType
from moderation.services import REASON_MAX_LENGTH


class QueueFilterForm(forms.Form):
    """The report queue's filters, read from the query string; unknown values fall back to the defaults."""

    status = forms.ChoiceField(choices=ReportStatus.choices, required=False)
    target_type = forms.ChoiceField(choices=TargetType.choices, required=False)
    reason = forms.ChoiceField(choices=Reason.choices, required=False)

    def filters(self) -> dict[str, str]:
        """Each filter's value if valid, else "" (no filter); ``status`` defaults to open.

        A stale or hand-edited link still shows the queue rather than an error.
        """
        values = {}
        for name, field in self.fields.items():
            try:
                values[name] = field.clean(self.data.get(name, "")) or ""
            except forms.ValidationError:
                values[name] = ""
        values["status"] = values["status"] or ReportStatus.OPEN
        return values


class ReasonForm(forms.Form):
    """The reason a moderator gives for an action; it goes to the audit log."""

    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept in the audit log (and shown to staff on the user's page for a suspension).",
    )


class ModerationActionForm(ReasonForm):
    """What to do about a reported target, and why. Only the actions that apply to it are offered."""

    action = forms.ChoiceField(widget=forms.RadioSelect)

    field_order = ["action", "reason"]

    def __init__(self, *args: Any, actions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["action"]).choices = actions
