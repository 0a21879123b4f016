"""What happens in the user graph, for the apps above ``social`` (notifications, timelines, streams).

Each signal is sent by a ``social.services`` function inside its transaction,
only when something changed. A receiver must not do the work there: it
enqueues it (``core.tasks.enqueue``), which runs after the commit, so a
rolled-back write notifies nobody. Arguments are ids (keyword-only).
"""

from django.dispatch import Signal

# follower_id, following_id
follow_created = Signal()
# follower_id, following_id: an unfollow, or a follow removed by a block
follow_removed = Signal()
# user_id, target_id
mute_created = Signal()
# user_id, target_id (the follows between them are already removed, each with follow_removed)
block_created = Signal()
