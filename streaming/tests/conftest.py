from collections.abc import Iterator

import pytest

from streaming.api.rendering import post_renders


@pytest.fixture(autouse=True)
def _fresh_renders() -> Iterator[None]:
    # The root conftest gives each test a fresh in-process channel layer (a settings change resets
    # Channels' layers); the renders cached by the process must not outlive a test either.
    post_renders.clear()
    yield
    post_renders.clear()
