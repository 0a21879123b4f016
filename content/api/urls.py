"""Every content route; each module of this package keeps its own ``urlpatterns``."""

from content.api import discovery, interactions, media, posts, watchlist

urlpatterns = [
    *watchlist.urlpatterns,
    *posts.urlpatterns,
    *interactions.urlpatterns,
    *media.urlpatterns,
    *discovery.urlpatterns,
]
