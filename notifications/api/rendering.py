"""One notification group as the API shows it, for whoever pushes it elsewhere (the streaming API).

In ``api/`` because it renders with the API's serializers (only the HTTP layer imports DRF).
"""

from __future__ import annotations

from typing import Any


def group_payload(group_id: int, viewer: Any) -> dict[str, Any] | None:
    """The notification group ``group_id`` exactly as ``GET notifications`` renders it for ``viewer``
    (its recipient), or None when it is gone or not shown (muted/blocked actors only, preference off).

    Stub until the list lands (same branch, later today): always None.
    """
    return None
