"""Every content route: one router for the viewsets, then the modules that keep their own ``urlpatterns``."""

from content.api import discovery, interactions, media, watchlist
from content.api.views.feed import FeedViewSet
from content.api.views.posts import PostViewSet, TickerPostViewSet
from core.routers import Router

router = Router()
router.register("posts", PostViewSet, basename="post")
router.register("feed", FeedViewSet, basename="feed")
router.register("tickers/<str:symbol>/posts", TickerPostViewSet, basename="ticker-posts")

urlpatterns = [
    *watchlist.urlpatterns,
    *router.urls,
    *interactions.urlpatterns,
    *media.urlpatterns,
    *discovery.urlpatterns,
]
