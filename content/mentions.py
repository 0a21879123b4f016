"""Finding the users a post or a comment mentions: `@alice`, written with a username's characters.

A pure function, shared by the post and comment services and the demo data: the `PostMention` and
`CommentMention` rows of a text are the users named by `extract_mentions(text)` who exist and are in
good standing. Usernames are unique ignoring case, so `@Alice` and `@alice` are one mention.
"""

from __future__ import annotations

import re

from accounts.validators import USERNAME_PATTERN
from content.cashtags import strip_links
from content.models import MAX_MENTIONS

# Not glued to a word or to an email's local part before the `@` (`bob@alice`, `bob.smith@alice`,
# `a+b@alice`), nor to more username characters or another `@` after the name: `@alice@example.com`
# is an email address, and a 31-character name is no username at all.
_MENTION = re.compile(rf"(?<![\w@.+-])@({USERNAME_PATTERN})(?![\w@])")


def extract_mentions(text: str) -> list[str]:
    """The usernames written as `@username` in `text`, as first spelled, unique ignoring case, in order of
    first mention, at most `MAX_MENTIONS`; never inside a link or an email address."""
    usernames: list[str] = []
    seen: set[str] = set()
    for match in _MENTION.finditer(strip_links(text)):
        username = match.group(1)
        if username.lower() not in seen:
            seen.add(username.lower())
            usernames.append(username)
            if len(usernames) == MAX_MENTIONS:
                break
    return usernames
