"""What happens to notifications, for the apps above ``notifications`` (streams).

Sent by ``notifications.tasks`` after their transaction commits (the task's
writes are visible to whoever reads the group). Arguments are keyword-only ids.
"""

from django.dispatch import Signal

# user_id, group_id: a group got a new act (sent after commit, from the task)
notification_grouped = Signal()
# user_id, group_id, removed (True when the group is gone)
notification_removed = Signal()
