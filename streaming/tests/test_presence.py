"""Presence: a socket on the ``user`` stream marks its user connected, and renews that (and its filter)."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.core.cache import cache

from content.services.posts import post_create
from social.models import Mute
from social.services import mute_create
from streaming.presence import presence_key
from streaming.tests.helpers import member, run, settled, subscribed

pytestmark = pytest.mark.django_db(transaction=True)


def test_only_the_user_stream_marks_the_user_present() -> None:
    on_home, on_public = member(), member()

    async def scenario() -> None:
        home = await subscribed(on_home, {"stream": "user"})
        public = await subscribed(on_public, {"stream": "public"})
        await home.disconnect()
        await public.disconnect()

    run(scenario())
    assert cache.get(presence_key(on_home.pk)) == 1
    assert cache.get(presence_key(on_public.pk)) is None


def test_renewal_marks_presence_again_and_rereads_whom_to_hide(settings: Any) -> None:
    settings.STREAMING_PRESENCE_RENEW = 1
    viewer, author = member(), member()
    mute_create(user=viewer, target=author)

    async def scenario() -> Any:
        socket = await subscribed(viewer, {"stream": "public"}, {"stream": "user"})
        await database_sync_to_async(cache.delete)(presence_key(viewer.pk))
        # Unmuting sends no signal: the socket learns it at its next renewal.
        await database_sync_to_async(Mute.objects.filter(user=viewer, target=author).delete)()
        await socket.nothing(1.5)
        await settled(socket)
        present = await database_sync_to_async(cache.get)(presence_key(viewer.pk))
        post = await database_sync_to_async(post_create)(author=author, content="Heard again")
        frame = await socket.receive_event()
        await socket.disconnect()
        return present, post, frame

    present, post, (stream, event, payload) = run(scenario())
    assert present == 1
    assert (stream, event, payload["id"]) == (["public"], "update", str(post.pk))
