"""What happens to posts and comments, for the apps above ``content`` (notifications, streams).

Each signal is sent by a ``content.services`` function inside its transaction,
only when something changed. A receiver must not do the work there: it
enqueues it (``core.tasks.enqueue``), which runs after the commit, so a
rolled-back write notifies nobody and a worker finds the committed rows. Tasks
re-read the rows they are told about, since more may have changed by then.
All arguments are keyword-only ids.

Mentions: the mentions are written before the signal is sent. ``post_published``
and ``comment_published`` carry no list of mentioned users; the task that follows
them reads the ``PostMention`` / ``CommentMention`` rows of that post or comment
(users in good standing when it was written, in ``position`` order; the author's
own mention is stored too, so skip it when notifying).
"""

from django.dispatch import Signal

# post_id, author_id, quoted_post_id (None unless a quote): a new post, written with its tickers, mentions and media
post_published = Signal()
# post_id, author_id, reason ("deleted" by its author or a moderator, or "hidden" by a moderator)
post_withdrawn = Signal()
# post_id, author_id: a moderator showed a hidden post again
post_restored = Signal()
# user_id, post_id, reacted (True: liked now; False: the like was removed)
post_reaction_changed = Signal()
# comment_id, post_id, author_id, parent_id (None for a comment on the post itself); its mentions are written
comment_published = Signal()
# comment_id, post_id, author_id, reason ("deleted" or "hidden")
comment_withdrawn = Signal()
# comment_id, post_id, author_id: a moderator showed a hidden comment again
comment_restored = Signal()
# user_id, comment_id, reacted
comment_reaction_changed = Signal()
# user_id, post_id: a plain repost (a quote is a post_published with quoted_post_id)
repost_created = Signal()
# user_id, post_id
repost_removed = Signal()
# post_ids: the calls (by post id) that score_calls has just scored at 1m (README "Calls"); sent
# once per scoring run, inside its transaction, only when there are some
calls_scored = Signal()
