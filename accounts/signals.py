"""What happens to accounts, for the apps above ``accounts`` (streams close, notifications stop).

Sent inside the writer's transaction, only when something changed; a receiver
enqueues its work (``core.tasks.enqueue``), which runs after the commit.
"""

from django.dispatch import Signal

# user_id, reason ("suspended" by a moderator, or "deleted" by its owner): the account can no longer sign in
user_deactivated = Signal()
