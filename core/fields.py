"""Model fields shared by several apps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone


class UpdatedAtField(models.DateTimeField):
    """When the row last changed.

    Like ``auto_now``, every ``save()`` that writes it sets it, and a new row takes its
    ``created_at``, so "never changed" reads as ``updated_at == created_at``. Unlike ``auto_now`` it
    has a default (``timezone.now``), so raw inserts that leave the column out (the demo seeder's)
    still get a value. ``QuerySet.update()`` skips it, as it skips ``auto_now``: services that change
    a row with ``update()`` set it in the same statement.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", timezone.now)
        # Not a form field (the admin's change forms), as with auto_now.
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        # Implied by the class: keeps migrations free of them.
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> datetime:
        created_at = getattr(model_instance, "created_at", None)
        value = created_at if add and isinstance(created_at, datetime) else timezone.now()
        setattr(model_instance, self.attname, value)
        return value
