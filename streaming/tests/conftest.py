from collections.abc import Iterator
from typing import Any

import pytest

from streaming.api.rendering import post_renders


@pytest.fixture(autouse=True)
def _streaming_settings(settings: Any) -> Iterator[None]:
    # Each test on a fresh in-process channel layer (a settings change resets Channels' layers),
    # also when the suite runs with REDIS_URL: the two-process test sets its own.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    post_renders.clear()
    yield
    post_renders.clear()
