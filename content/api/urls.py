"""Every content route: one router for the viewsets."""

from content.api.views import bookmarks, calls, comments, media, reactions, reposts, search, tickers, watchlist
from content.api.views.feed import FeedViewSet
from content.api.views.posts import PostViewSet, TickerPostViewSet
from core.routers import Router

router = Router()
router.register("posts", PostViewSet, basename="post")
router.register("feed", FeedViewSet, basename="feed")
router.register("tickers/<str:symbol>/posts", TickerPostViewSet, basename="ticker-posts")
router.register("users/me/watchlist", watchlist.WatchlistViewSet, basename="watchlist")
router.register("bookmarks", bookmarks.BookmarkViewSet, basename="bookmark")
router.register("posts/<id:post_id>/comments", comments.PostCommentViewSet, basename="post-comment")
router.register("comments", comments.CommentViewSet, basename="comment")
router.register("posts", reactions.PostReactionViewSet, basename="post-reaction")
router.register("comments", reactions.CommentReactionViewSet, basename="comment-reaction")
router.register("posts", reposts.PostRepostViewSet, basename="post-repost")
router.register("posts", bookmarks.PostBookmarkViewSet, basename="post-bookmark")
router.register("media", media.MediaViewSet, basename="media")
router.register("search", search.SearchViewSet, basename="search")
router.register("tickers", tickers.TickerViewSet, basename="ticker")
router.register("users", calls.UserCallsViewSet, basename="user-calls")
router.register("leaderboard", calls.LeaderboardViewSet, basename="leaderboard")

urlpatterns = router.urls
